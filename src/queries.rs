//! The functions that read or adjust the registry without settling anything.

use crate::args::{millis, now, out, type_error, MAX_NAME};
use crate::managers;
use crate::raw;
use interaction_core::{SettleCode, WAIT_BUCKETS_MS};
use napi::bindgen_prelude::*;
use napi::sys;
use napi::JsValue;
use napi_derive::napi;

/// Writes the slots of the pending interactions of the sessions named by `names` into `out` (a
/// Uint32Array), in that order and then request order, of type `kind` when it is a string.
/// `names` is the session ids joined into one string, and the first `count` elements of
/// `lengths` (a Uint32Array) their lengths in UTF-16 units: one string read instead of two N-API
/// calls per session. A name that is not well-formed matches no session. Returns how many there
/// are; when that exceeds `out.length`, nothing is written and the caller retries larger.
#[napi(catch_unwind)]
pub fn list(
    env: Env,
    handle: u32,
    names: Unknown<'_>,
    lengths: Unknown<'_>,
    count: u32,
    kind: Unknown<'_>,
    out: Unknown<'_>,
) -> Result<u32> {
    let env = env.raw();
    // SAFETY: this call's env and values (the contract at the top of `raw.rs`).
    unsafe {
        let units = raw::read_units(env, names.value().value)?;
        let mut lengths_value = lengths.value().value;
        let lengths = raw::u32_array(env, &mut lengths_value)?;
        let mut sessions = Vec::with_capacity(count as usize);
        let mut at = 0usize;
        for &len in lengths.iter().take(count as usize) {
            let end = at.saturating_add(len as usize).min(units.len());
            let part = &units[at..end];
            at = end;
            if part.len() <= MAX_NAME {
                if let Ok(name) = String::from_utf16(part) {
                    sessions.push(name);
                }
            }
        }
        let filter = match raw::type_of(env, kind.value().value)? {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => None,
            _ => match raw::read_str(env, kind.value().value, MAX_NAME)? {
                Some(kind) => Some(kind),
                // A filter that is no (well-formed) string matches no interaction.
                None => return Ok(0),
            },
        };
        let mut target_value = out.value().value;
        let target = raw::u32_array(env, &mut target_value)?;
        managers::with(handle, |m| {
            let found = m
                .registry
                .pending_of(sessions.iter().map(String::as_str), filter.as_deref());
            if found.len() <= target.len() {
                for (slot, (_, held)) in target.iter_mut().zip(&found) {
                    *slot = held.slot;
                }
            }
            found.len() as u32
        })
    }
}

/// Counters as a flat array: `[pendingCount, sessionCount, (type, total, resolved, rejected)...]`.
#[napi(catch_unwind)]
pub fn stats<'a>(env: Env, handle: u32) -> Result<Unknown<'a>> {
    let env = env.raw();
    let (pending, sessions, rows) = managers::with(handle, |m| {
        let r = &m.registry;
        let rows: Vec<(String, [u64; 3])> = r
            .stats()
            .rows()
            .iter()
            .map(|t| (t.name.to_string(), [t.total, t.resolved, t.rejected]))
            .collect();
        (r.pending_count(), r.session_count(), rows)
    })?;
    // SAFETY: this call's env and values (the contract at the top of `raw.rs`).
    unsafe {
        let arr = raw::array(env, 2 + rows.len() * 4)?;
        raw::set_element(env, arr, 0, raw::number(env, pending as f64)?)?;
        raw::set_element(env, arr, 1, raw::number(env, sessions as f64)?)?;
        let mut i = 2;
        for (name, counts) in rows {
            raw::set_element(env, arr, i, raw::string(env, &name)?)?;
            for (k, c) in counts.iter().enumerate() {
                raw::set_element(env, arr, i + 1 + k as u32, raw::number(env, *c as f64)?)?;
            }
            i += 4;
        }
        out(env, arr)
    }
}

/// Number of pending interactions.
#[napi(catch_unwind)]
pub fn pending_count(handle: u32) -> Result<u32> {
    managers::with(handle, |m| m.registry.pending_count() as u32)
}

/// How a recently settled interaction ended: `[code, settledAt]` (`settledAt` in
/// `performance.now()` ms), or null when the id is unknown or no longer remembered.
#[napi(catch_unwind)]
pub fn settled_as<'a>(env: Env, handle: u32, id: Unknown<'a>, clock: f64) -> Result<Unknown<'a>> {
    let env = env.raw();
    // SAFETY: this call's env and values (the contract at the top of `raw.rs`).
    unsafe {
        let Some(id) = raw::read_str(env, id.value().value, 36)? else {
            return out(env, raw::null(env)?);
        };
        let found = managers::with(handle, |m| m.registry.settled_as(id.as_bytes(), now(clock)))?;
        let Some((code, at)) = found else {
            return out(env, raw::null(env)?);
        };
        let arr = raw::array(env, 2)?;
        raw::set_element(env, arr, 0, raw::string(env, code.code())?)?;
        raw::set_element(env, arr, 1, raw::number(env, at as f64)?)?;
        out(env, arr)
    }
}

/// Restarts the timeout of a pending interaction, never past its `maxTotalMs`; returns 0, or
/// -1 when the id is unknown or already settled.
#[napi(catch_unwind)]
pub fn touch(env: Env, handle: u32, id: Unknown<'_>, clock: f64) -> Result<f64> {
    let env = env.raw();
    // SAFETY: this call's env and values (the contract at the top of `raw.rs`).
    let Some(id) = (unsafe { raw::read_str(env, id.value().value, 36)? }) else {
        return Ok(-1.0);
    };
    managers::with(handle, |m| {
        m.registry
            .touch(id.as_bytes(), now(clock))
            .map_or(-1.0, |_| 0.0)
    })
}

/// Keeps `session`'s interactions pending for `graceMs` after its last browser left; they end
/// with `SESSION_REMOVED` unless `attach` comes first. Returns false for a non-string session.
#[napi(catch_unwind)]
pub fn detach(
    env: Env,
    handle: u32,
    session: Unknown<'_>,
    grace_ms: f64,
    clock: f64,
) -> Result<bool> {
    // SAFETY: this call's env and values (the contract at the top of `raw.rs`).
    let Some(session) = (unsafe { raw::read_str(env.raw(), session.value().value, MAX_NAME)? })
    else {
        return Ok(false);
    };
    let grace = millis(grace_ms).ok_or_else(|| type_error("graceMs"))?;
    managers::with(handle, |m| {
        m.registry.detach(&session, now(clock), grace);
        true
    })
}

/// Cancels the grace of a detached session; returns whether it was detached.
#[napi(catch_unwind)]
pub fn attach(env: Env, handle: u32, session: Unknown<'_>) -> Result<bool> {
    // SAFETY: this call's env and values (the contract at the top of `raw.rs`).
    let Some(session) = (unsafe { raw::read_str(env.raw(), session.value().value, MAX_NAME)? })
    else {
        return Ok(false);
    };
    managers::with(handle, |m| m.registry.attach(&session))
}

/// The Prometheus text exposition of the registry's gauges, counters and wait histogram.
#[napi(catch_unwind)]
pub fn metrics(handle: u32, clock: f64) -> Result<String> {
    managers::with(handle, |m| m.registry.metrics(now(clock)))
}

/// Everything `metrics` shows, as numbers for the JS layer to shape (`getMetricsSnapshot`):
/// `[sessions, detached, oldestAgeMs, rateWindows, bucketCount, ...bucketBoundsMs,
/// (type, pending, ...settledByCode, ...bucketCounts, waitSumMs)...]`; settlements by code in
/// the order of the core's `SettleCode::ALL`, bucket counts not cumulative.
#[napi(catch_unwind)]
pub fn snapshot<'a>(env: Env, handle: u32, clock: f64) -> Result<Unknown<'a>> {
    let env = env.raw();
    let (gauges, rows) = managers::with(handle, |m| {
        let gauges = m.registry.gauges(now(clock));
        (gauges, m.registry.stats().rows().to_vec())
    })?;
    let mut numbers: Vec<f64> = vec![
        gauges.sessions as f64,
        gauges.detached as f64,
        gauges.oldest_age_ms as f64,
        gauges.rate_windows as f64,
        WAIT_BUCKETS_MS.len() as f64,
    ];
    numbers.extend(WAIT_BUCKETS_MS.iter().map(|&b| b as f64));
    // SAFETY: this call's env (the contract at the top of `raw.rs`).
    unsafe {
        let per_row = 3 + SettleCode::ALL.len() + WAIT_BUCKETS_MS.len();
        let arr = raw::array(env, numbers.len() + rows.len() * per_row)?;
        let mut i = 0u32;
        for n in numbers {
            raw::set_element(env, arr, i, raw::number(env, n)?)?;
            i += 1;
        }
        for row in rows {
            raw::set_element(env, arr, i, raw::string(env, &row.name)?)?;
            i += 1;
            let values = std::iter::once(row.pending)
                .chain(row.by_code)
                .chain(row.wait_buckets)
                .chain(std::iter::once(row.wait_sum_ms));
            for v in values {
                raw::set_element(env, arr, i, raw::number(env, v as f64)?)?;
                i += 1;
            }
        }
        out(env, arr)
    }
}
