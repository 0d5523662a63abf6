//! What the link's tasks share: names, limits, the up/down state and the way back to JS.

use super::lua::Scripts;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Entries kept in the events stream: enough for a reader that reconnects after a few seconds.
pub const EVENTS_MAXLEN: u32 = 10_000;
/// The events stream disappears this long after its last event.
pub const EVENTS_TTL_MS: u64 = 10 * 60 * 1000;
/// Routed answers kept in an owner's inbox stream.
pub const INBOX_MAXLEN: u32 = 100_000;

/// Batches for JS, flat: `[kind, a, v, kind, a, v, ...]`. Weak: it never holds the loop open.
pub type Deliver = ThreadsafeFunction<Vec<String>, (), Vec<String>, Status, false, true>;

pub struct Shared {
    pub prefix: String,
    pub me: String,
    pub heartbeat: Duration,
    pub owner_timeout: Duration,
    pub scripts: Scripts,
    up: AtomicBool,
    deliver: Deliver,
}

impl Shared {
    pub fn new(
        prefix: String,
        me: String,
        heartbeat: Duration,
        owner_timeout: Duration,
        deliver: Deliver,
    ) -> Self {
        Shared {
            prefix,
            me,
            heartbeat,
            owner_timeout,
            scripts: Scripts::new(),
            up: AtomicBool::new(false),
            deliver,
        }
    }

    pub fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.prefix)
    }

    pub fn node_key(&self) -> String {
        self.key(&format!("node:{}", self.me))
    }

    pub fn inbox_key(&self) -> String {
        self.key(&format!("node:{}:inbox", self.me))
    }

    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    pub fn tell(&self, batch: Vec<String>) {
        if !batch.is_empty() {
            self.deliver
                .call(batch, ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    /// At start: up, without telling JS (nothing changed for it).
    pub fn start_up(&self) {
        self.up.store(true, Ordering::Release);
    }

    /// Only the writer marks the link up again, once it has republished after an outage.
    pub fn set_up(&self) {
        if !self.up.swap(true, Ordering::AcqRel) {
            self.tell(vec!["state".into(), "up".into(), String::new()]);
        }
    }

    pub fn set_down(&self, why: &str) {
        if self.up.swap(false, Ordering::AcqRel) {
            self.tell(vec!["state".into(), "down".into(), why.to_owned()]);
        }
    }

    /// A failure that is not an outage (a script error: a bug), for the host's logger.
    pub fn report(&self, what: String) {
        self.tell(vec!["state".into(), "error".into(), what]);
    }
}
