//! What time ends: timeouts and graces in deadline order, and the chunked stale sweep.

use super::{Registry, Settled};
use crate::error::SettleCode;

impl<P> Registry<P> {
    /// Settles up to `limit` interactions whose timeout has passed (and the sessions whose
    /// grace ended), earliest first. Returns whether more are already due, so the caller can
    /// yield and come back.
    pub fn expire(&mut self, now: u64, limit: usize, out: &mut Vec<Settled<P>>) -> bool {
        let due = self.due(now, limit);
        self.end_all(due, out);
        let now = self.clock;
        self.next_deadline().is_some_and(|at| at <= now)
    }

    /// Settles up to `limit` interactions older than the stale threshold, oldest first, and
    /// returns whether more of this sweep remain. A sweep scans once, then hands out chunks
    /// (n log n in all), so the caller can yield to the event loop between them; interactions
    /// that end otherwise meanwhile are skipped.
    pub fn sweep_stale(&mut self, now: u64, limit: usize, out: &mut Vec<Settled<P>>) -> bool {
        let (ids, more) = self.stale_due(now, limit);
        self.end_all(ids.into_iter().map(|id| (id, SettleCode::Stale)), out);
        more
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
