//! What time ends: timeouts and graces in deadline order, and the chunked stale sweep.

use super::{Registry, Settled};
use crate::error::SettleCode;
use crate::id::InteractionId;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

impl<P> Registry<P> {
    /// Settles up to `limit` interactions whose timeout has passed, earliest first.
    /// Returns whether more are already due, so the caller can yield and come back.
    pub fn expire(&mut self, now: u64, limit: usize, out: &mut Vec<Settled<P>>) -> bool {
        let now = self.tick(now);
        // Timeouts and ended graces in the order of their deadlines, and of when they were set
        // for equal ones, as one timer each would fire them, however late this call comes.
        let mut steps = 0;
        while steps < limit {
            let grace = self.graces.first().map(|(at, armed, _)| (*at, *armed));
            let timeout = self.deadlines.first().map(|&(at, armed, _)| (at, armed));
            let grace_first = match (grace, timeout) {
                (Some(g), Some(t)) => g < t,
                (g, t) => g.is_some() && t.is_none(),
            };
            let next = if grace_first { grace } else { timeout };
            if next.is_none_or(|(at, _)| at > now) {
                return false;
            }
            steps += 1;
            if grace_first {
                // The grace ended: the session is gone for good.
                if let Some((_, _, session)) = self.graces.pop_first() {
                    self.detached.remove(&session);
                    let ids: Vec<InteractionId> =
                        self.sessions.get(&*session).cloned().unwrap_or_default();
                    for id in ids {
                        out.extend(self.settle(id, SettleCode::SessionRemoved));
                    }
                }
            } else if let Some((_, _, id)) = self.deadlines.pop_first() {
                // Popped first, so even an entry missing from `entries` cannot stall this loop.
                out.extend(self.settle(id, SettleCode::Timeout));
            }
        }
        self.next_deadline().is_some_and(|at| at <= now)
    }

    /// Settles up to `limit` interactions older than the stale threshold, oldest first, and
    /// returns whether more of this sweep remain. A sweep scans once, then hands out chunks
    /// (n log n in all), so the caller can yield to the event loop between them; interactions
    /// that end otherwise meanwhile are skipped.
    pub fn sweep_stale(&mut self, now: u64, limit: usize, out: &mut Vec<Settled<P>>) -> bool {
        let now = self.tick(now);
        if let Some(rates) = &mut self.rates {
            rates.prune(now);
        }
        let threshold = self.config.stale_threshold_ms;
        if threshold == 0 {
            return false;
        }
        if self.stale.is_empty() {
            let stale: Vec<Reverse<(u64, InteractionId)>> = self
                .entries
                .iter()
                .filter(|(_, e)| e.requested_at.saturating_add(threshold) <= now)
                .map(|(id, e)| Reverse((e.seq, *id)))
                .collect();
            self.stale = BinaryHeap::from(stale);
        }
        for _ in 0..limit {
            let Some(Reverse((_, id))) = self.stale.pop() else {
                break;
            };
            out.extend(self.settle(id, SettleCode::Stale));
        }
        !self.stale.is_empty()
    }

    /// The earliest timeout deadline or end of a grace, for arming the one wake-up timer.
    pub fn next_deadline(&self) -> Option<u64> {
        let timeout = self.deadlines.first().map(|&(at, _, _)| at);
        let grace = self.graces.first().map(|(at, _, _)| *at);
        match (timeout, grace) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
