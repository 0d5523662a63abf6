//! What the registry reports about itself: the gauges, the Prometheus text, and the sizes of
//! what callers can make grow.

use super::Registry;
use crate::metrics::{self, Gauges};

impl<P> Registry<P> {
    /// The registry-wide gauges at `now` (the per-type rows are `stats().rows()`).
    pub fn gauges(&mut self, now: u64) -> Gauges {
        let now = self.tick(now);
        if let Some(rates) = &mut self.rates {
            rates.prune(now);
        }
        let oldest = self.entries.values().map(|e| e.requested_at).min();
        Gauges {
            sessions: self.sessions.len(),
            detached: self.detached.len(),
            oldest_age_ms: oldest.map_or(0, |at| now.saturating_sub(at)),
            rate_windows: self.rate_windows().0,
        }
    }

    /// The Prometheus text exposition of the registry at `now`.
    pub fn metrics(&mut self, now: u64) -> String {
        let gauges = self.gauges(now);
        metrics::render(self.stats.rows(), &gauges)
    }

    /// Sessions with a rate-limit window in memory, and requests counted in windows.
    pub fn rate_windows(&self) -> (usize, usize) {
        self.rates
            .as_ref()
            .map_or((0, 0), |r| (r.windows(), r.requests()))
    }

    /// Type names held by the statistics; bounded by `max_types` plus the distinct types pending.
    pub fn type_names(&self) -> usize {
        self.stats.names_held()
    }
}
