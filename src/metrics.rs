//! What the registry reports: `pendingCount`, `stats` (for `getStatistics`), `metrics` (the
//! Prometheus text) and `snapshot` (for `getMetricsSnapshot`). Reading settles nothing.

use crate::convert::now;
use crate::handles;
use crate::js::{self, out};
use interaction_core::{SettleCode, WAIT_BUCKETS_MS};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Number of pending interactions.
#[napi(catch_unwind)]
pub fn pending_count(handle: u32) -> Result<u32> {
    handles::with(handle, |r| r.registry.pending_count() as u32)
}

/// Counters as a flat array: `[pendingCount, sessionCount, (type, total, resolved, rejected)...]`.
#[napi(catch_unwind)]
pub fn stats<'a>(env: Env, handle: u32) -> Result<Unknown<'a>> {
    let env = env.raw();
    let (pending, sessions, rows) = handles::with(handle, |r| {
        let r = &r.registry;
        let rows: Vec<(String, [u64; 3])> = r
            .stats()
            .rows()
            .iter()
            .map(|t| (t.name.to_string(), [t.total, t.resolved, t.rejected]))
            .collect();
        (r.pending_count(), r.session_count(), rows)
    })?;
    // SAFETY: this call's env and values (the contract at the top of `js.rs`).
    unsafe {
        let arr = js::array(env, 2 + rows.len() * 4)?;
        js::set_element(env, arr, 0, js::number(env, pending as f64)?)?;
        js::set_element(env, arr, 1, js::number(env, sessions as f64)?)?;
        let mut i = 2;
        for (name, counts) in rows {
            js::set_element(env, arr, i, js::string(env, &name)?)?;
            for (k, c) in counts.iter().enumerate() {
                js::set_element(env, arr, i + 1 + k as u32, js::number(env, *c as f64)?)?;
            }
            i += 4;
        }
        out(env, arr)
    }
}

/// The Prometheus text exposition of the registry's gauges, counters and wait histogram.
#[napi(catch_unwind)]
pub fn metrics(handle: u32, clock: f64) -> Result<String> {
    handles::with(handle, |r| r.registry.metrics(now(clock)))
}

/// Everything `metrics` shows, as numbers for the JS layer to shape (`getMetricsSnapshot`):
/// `[sessions, detached, oldestAgeMs, rateWindows, bucketCount, ...bucketBoundsMs,
/// (type, pending, ...settledByCode, ...bucketCounts, waitSumMs)...]`; settlements by code in
/// the order of the core's `SettleCode::ALL`, bucket counts not cumulative.
#[napi(catch_unwind)]
pub fn snapshot<'a>(env: Env, handle: u32, clock: f64) -> Result<Unknown<'a>> {
    let env = env.raw();
    let (gauges, rows) = handles::with(handle, |r| {
        let gauges = r.registry.gauges(now(clock));
        (gauges, r.registry.stats().rows().to_vec())
    })?;
    let mut numbers: Vec<f64> = vec![
        gauges.sessions as f64,
        gauges.detached as f64,
        gauges.oldest_age_ms as f64,
        gauges.rate_windows as f64,
        WAIT_BUCKETS_MS.len() as f64,
    ];
    numbers.extend(WAIT_BUCKETS_MS.iter().map(|&b| b as f64));
    // SAFETY: this call's env (the contract at the top of `js.rs`).
    unsafe {
        let per_row = 3 + SettleCode::ALL.len() + WAIT_BUCKETS_MS.len();
        let arr = js::array(env, numbers.len() + rows.len() * per_row)?;
        let mut i = 0u32;
        for n in numbers {
            js::set_element(env, arr, i, js::number(env, n)?)?;
            i += 1;
        }
        for row in rows {
            js::set_element(env, arr, i, js::string(env, &row.name)?)?;
            i += 1;
            let values = std::iter::once(row.pending)
                .chain(row.by_code)
                .chain(row.wait_buckets)
                .chain(std::iter::once(row.wait_sum_ms));
            for v in values {
                js::set_element(env, arr, i, js::number(env, v as f64)?)?;
                i += 1;
            }
        }
        out(env, arr)
    }
}
