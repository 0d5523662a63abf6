//! The state a link's tasks share: its keys, scripts and timings, whether Redis answers now,
//! and the channel back to JS, through which every change of that state is told.

use super::keys::Keys;
use super::scripts::Scripts;
use super::wire;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Batches of deliveries for JS (`wire.rs`). Weak: it never holds the loop open.
pub type Deliver = ThreadsafeFunction<Vec<String>, (), Vec<String>, Status, false, true>;

pub struct Link {
    pub keys: Keys,
    pub scripts: Scripts,
    pub heartbeat: Duration,
    pub owner_timeout: Duration,
    up: AtomicBool,
    deliver: Deliver,
    /// The lease: when (ms after `epoch`) the last heartbeat that Redis took was sent. The
    /// liveness key it set lives `owner_timeout` from when Redis ran it, which is later, so no
    /// other process can see it expire before `renewed + owner_timeout` on this clock.
    epoch: Instant,
    renewed: AtomicU64,
    /// The lease ran out at some point since JS last fenced, even if a heartbeat renewed it
    /// since (a process paused past its lease renews at once when it wakes, but the others may
    /// have reaped it meanwhile): JS must fence before it settles anything.
    lapsed: AtomicBool,
    /// JS was told the lease ran out (once per loss).
    fence_told: AtomicBool,
    /// Set by `close`: the heartbeat stops; each renewal in flight holds `beats` (shared), so
    /// that `close` (exclusive) waits them out before it removes the liveness key.
    pub closing: AtomicBool,
    pub beats: tokio::sync::RwLock<()>,
    /// Redis lost this process's keys while up (FLUSHALL, eviction): the heartbeat or a publish
    /// found the liveness key gone. The writer publishes every live record again.
    keys_lost: AtomicBool,
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
            epoch: Instant::now(),
            renewed: AtomicU64::new(0),
            lapsed: AtomicBool::new(false),
            fence_told: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            beats: tokio::sync::RwLock::new(()),
            keys_lost: AtomicBool::new(false),
        }
    }

    fn ms(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.epoch).as_millis() as u64
    }

    /// Redis took a heartbeat (or the connect's take of the id) sent at `sent`.
    pub fn renewed(&self, sent: Instant) {
        let sent = self.ms(sent);
        let before = self.renewed.fetch_max(sent, Ordering::AcqRel);
        if before > 0 && u128::from(sent.saturating_sub(before)) >= self.lease().as_millis() {
            self.lapsed.store(true, Ordering::Release);
            self.lease_lost();
        }
    }

    /// How long after a renewal this process still counts itself alive: the owner timeout less
    /// a margin (a tenth of it, at most half the room above one heartbeat), so that it fences
    /// itself before any other process can see its liveness key expire.
    pub fn lease(&self) -> Duration {
        let room = self.owner_timeout.saturating_sub(self.heartbeat) / 2;
        let margin = (self.owner_timeout / 10)
            .min(room)
            .max(Duration::from_millis(1));
        self.owner_timeout.saturating_sub(margin)
    }

    /// Whether this process can still prove to the others that it is alive, and has been able
    /// to ever since JS last fenced it.
    pub fn lease_valid(&self) -> bool {
        let since = self
            .ms(Instant::now())
            .saturating_sub(self.renewed.load(Ordering::Acquire));
        !self.lapsed.load(Ordering::Acquire) && u128::from(since) < self.lease().as_millis()
    }

    /// The lease ran out: JS is told to fence this process (once, until it has).
    pub fn lease_lost(&self) {
        if !self.fence_told.swap(true, Ordering::AcqRel) {
            self.tell(wire::state(wire::FENCE, String::new()));
        }
    }

    /// JS fenced this process: what ran out before is dealt with.
    pub fn fenced(&self) {
        self.lapsed.store(false, Ordering::Release);
        self.fence_told.store(false, Ordering::Release);
    }

    pub fn keys_lost(&self) {
        self.keys_lost.store(true, Ordering::Release);
    }

    pub fn take_keys_lost(&self) -> bool {
        self.keys_lost.swap(false, Ordering::AcqRel)
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
