//! Per-session rate-limit windows. Every admitted request is kept once in a queue in time order,
//! so windows are forgotten as they pass, oldest first, by whichever request comes next: memory
//! is bounded by the requests of one window, whether or not the periodic sweep runs.

use crate::config::RateLimit;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

/// Requests without a session (`null`, `''`, `undefined`) share one bucket: none of them bypasses
/// the limit.
pub(crate) struct Rates {
    limit: RateLimit,
    named: HashMap<Rc<str>, VecDeque<u64>>,
    sessionless: VecDeque<u64>,
    /// Every request still inside its window, oldest first, with its bucket.
    order: VecDeque<(u64, Option<Rc<str>>)>,
}

impl Rates {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            named: HashMap::new(),
            sessionless: VecDeque::new(),
            order: VecDeque::new(),
        }
    }

    /// Forgets the requests whose window has passed. The clock never steps back, so `order` and
    /// each bucket are in time order and the front of `order` is the front of its bucket.
    pub fn prune(&mut self, now: u64) {
        while let Some((at, _)) = self.order.front() {
            if at.saturating_add(self.limit.window_ms) > now {
                break;
            }
            let Some((_, key)) = self.order.pop_front() else {
                break;
            };
            match key {
                None => {
                    self.sessionless.pop_front();
                }
                Some(key) => {
                    if let Some(times) = self.named.get_mut(&key) {
                        times.pop_front();
                        if times.is_empty() {
                            self.named.remove(&key);
                        }
                    }
                }
            }
        }
    }

    /// `Err(retry_after_ms)` when the bucket is full at `now` (after `prune(now)`).
    pub fn check(&self, session: Option<&str>, now: u64) -> Result<(), u64> {
        let times = match session {
            Some(s) => self.named.get(s),
            None => Some(&self.sessionless),
        };
        match times {
            Some(times) if times.len() >= self.limit.max as usize => {
                let oldest = times.front().copied().unwrap_or(now);
                Err(oldest
                    .saturating_add(self.limit.window_ms)
                    .saturating_sub(now))
            }
            _ => Ok(()),
        }
    }

    /// Counts an admitted request; `check` refused a full bucket, so buckets hold at most `max`.
    pub fn record(&mut self, session: Option<Rc<str>>, now: u64) {
        match &session {
            Some(key) => self.named.entry(key.clone()).or_default().push_back(now),
            None => self.sessionless.push_back(now),
        }
        self.order.push_back((now, session));
    }

    /// Named sessions with a window in memory (the shared sessionless bucket not counted).
    pub fn windows(&self) -> usize {
        self.named.len()
    }

    /// Requests still counted in some window.
    pub fn requests(&self) -> usize {
        self.order.len()
    }
}
