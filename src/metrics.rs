//! What the registry reports: `pendingCount`, `stats` (for `getStatistics`), `metrics` (the
//! Prometheus text) and `snapshot` (for `getMetricsSnapshot`). Reading settles nothing. The cold
//! paths return typed objects; the JS layer shapes them into the public outputs.

use crate::convert::now;
use crate::handles;
use interaction_core::{SettleCode, StatsTable, WAIT_BUCKETS_MS};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Number of pending interactions.
#[napi(catch_unwind)]
pub fn pending_count(handle: u32) -> Result<u32> {
    handles::with(handle, |r| r.registry.pending_count() as u32)
}

/// The counters of `getStatistics()`.
#[napi(object)]
pub struct Stats {
    /// Pending interactions.
    pub pending_count: u32,
    /// Sessions with at least one pending interaction.
    pub session_count: u32,
    /// One row per type, in the order types were first requested; types past `maxTypes` share
    /// the row `other`.
    pub types: Vec<TypeCounts>,
}

/// The counters of one type.
#[napi(object)]
pub struct TypeCounts {
    /// The type as requested: any string, `__proto__` included.
    #[napi(js_name = "type")]
    pub kind: String,
    /// Interactions requested.
    pub total: f64,
    /// Interactions resolved.
    pub resolved: f64,
    /// Interactions rejected in any way but shutdown.
    pub rejected: f64,
}

/// The counters: pending interactions, sessions, and per type what was requested and how it
/// ended.
#[napi(catch_unwind)]
pub fn stats(handle: u32) -> Result<Stats> {
    handles::with(handle, |r| {
        let r = &r.registry;
        Stats {
            pending_count: r.pending_count() as u32,
            session_count: r.session_count() as u32,
            types: r
                .stats()
                .rows()
                .iter()
                .map(|t| TypeCounts {
                    kind: t.name.to_string(),
                    total: t.total as f64,
                    resolved: t.resolved as f64,
                    rejected: t.rejected as f64,
                })
                .collect(),
        }
    })
}

/// The Prometheus text exposition of the registry's gauges, counters and wait histogram.
#[napi(catch_unwind)]
pub fn metrics(handle: u32, clock: f64) -> Result<String> {
    handles::with(handle, |r| r.registry.metrics(now(clock)))
}

/// Everything `metrics` shows, for `getMetricsSnapshot()`.
#[napi(object)]
pub struct Snapshot {
    /// Sessions with at least one pending interaction.
    pub sessions: u32,
    /// Sessions in their grace period (detached, not yet removed).
    pub detached_sessions: u32,
    /// How long the oldest pending interaction has waited, in ms; 0 when none is pending.
    pub oldest_pending_age_ms: f64,
    /// Sessions whose rate-limit window is in memory.
    pub rate_limit_windows: u32,
    /// One row per type, in the order of `stats`.
    pub types: Vec<TypeSnapshot>,
}

/// What `metrics` shows of one type.
#[napi(object)]
pub struct TypeSnapshot {
    /// The type as requested: any string, `__proto__` included.
    #[napi(js_name = "type")]
    pub kind: String,
    /// Interactions of this type pending now.
    pub pending: f64,
    /// Settlements by code, shutdown included: one entry per code, in `settleCodes()` order.
    pub settled: Vec<CodeCount>,
    /// The wait histogram's bounded buckets, cumulative: how many settled interactions waited at
    /// most `leMs` (the unbounded bucket is `waitCount`).
    pub wait_buckets: Vec<WaitBucket>,
    /// Settled interactions, all codes: the histogram's count.
    pub wait_count: f64,
    /// The waits of settled interactions added up, in ms.
    pub wait_sum_ms: f64,
}

/// How many interactions ended with one code.
#[napi(object)]
pub struct CodeCount {
    /// The code, as in `settleCodes()`.
    pub code: String,
    /// Settlements with it.
    pub count: f64,
}

/// One bounded bucket of the wait histogram.
#[napi(object)]
pub struct WaitBucket {
    /// The bucket's upper bound, in ms.
    pub le_ms: f64,
    /// Settled interactions that waited at most `leMs` (cumulative).
    pub count: f64,
}

/// Everything `metrics` shows, as typed rows for the JS layer to shape (`getMetricsSnapshot`).
#[napi(catch_unwind)]
pub fn snapshot(handle: u32, clock: f64) -> Result<Snapshot> {
    handles::with(handle, |r| {
        let gauges = r.registry.gauges(now(clock));
        let types = r.registry.stats().rows().iter().map(|row| {
            let mut cumulative = 0;
            TypeSnapshot {
                kind: row.name.to_string(),
                pending: row.pending as f64,
                settled: SettleCode::ALL
                    .iter()
                    .map(|c| CodeCount {
                        code: c.code().to_owned(),
                        count: row.by_code[c.index()] as f64,
                    })
                    .collect(),
                wait_buckets: WAIT_BUCKETS_MS
                    .iter()
                    .zip(row.wait_buckets)
                    .map(|(&le, n)| {
                        cumulative += n;
                        WaitBucket {
                            le_ms: le as f64,
                            count: cumulative as f64,
                        }
                    })
                    .collect(),
                wait_count: StatsTable::settled_count(row) as f64,
                wait_sum_ms: row.wait_sum_ms as f64,
            }
        });
        Snapshot {
            sessions: gauges.sessions as u32,
            detached_sessions: gauges.detached as u32,
            oldest_pending_age_ms: gauges.oldest_age_ms as f64,
            rate_limit_windows: gauges.rate_windows as u32,
            types: types.collect(),
        }
    })
}
