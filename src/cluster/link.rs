//! The state a link's tasks share: its keys, scripts and timings, whether Redis answers now,
//! and the channel back to JS, through which every change of that state is told.

use super::keys::Keys;
use super::scripts::Scripts;
use super::wire;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Batches of deliveries for JS (`wire.rs`). Weak: it never holds the loop open.
pub type Deliver = ThreadsafeFunction<Vec<String>, (), Vec<String>, Status, false, true>;

pub struct Link {
    pub keys: Keys,
    pub scripts: Scripts,
    pub heartbeat: Duration,
    pub owner_timeout: Duration,
    up: AtomicBool,
    deliver: Deliver,
}

impl Link {
    pub fn new(keys: Keys, heartbeat: Duration, owner_timeout: Duration, deliver: Deliver) -> Self {
        Link {
            keys,
            scripts: Scripts::new(),
            heartbeat,
            owner_timeout,
            up: AtomicBool::new(false),
            deliver,
        }
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
            self.tell(wire::state(wire::UP, String::new()));
        }
    }

    pub fn set_down(&self, why: &str) {
        if self.up.swap(false, Ordering::AcqRel) {
            self.tell(wire::state(wire::DOWN, why.to_owned()));
        }
    }

    /// A failure that is not an outage (a script error: a bug), for the host's logger.
    pub fn report(&self, what: String) {
        self.tell(wire::state(wire::ERROR, what));
    }
}
