//! The functions the JS layer calls. Each takes the registry handle first, converts its
//! arguments by hand (they come straight from users and the network), and never calls JS while
//! the registry is borrowed.

use crate::managers::{self, Held};
use crate::raw::{self, StrBuf};
use interaction_core::{
    AnswerError, Answerer, Config, InteractionId, NewInteraction, RateLimit, SettleCode, Settled,
};
use napi::bindgen_prelude::*;
use napi::sys::{self, napi_env, napi_value};
use napi::JsValue;
use napi_derive::napi;

/// Longest session id or type accepted, in UTF-16 units; longer ones are refused, not copied.
const MAX_NAME: usize = 16_384;

fn out<'a>(env: napi_env, value: napi_value) -> Result<Unknown<'a>> {
    unsafe { Unknown::from_napi_value(env, value) }
}

fn millis(ms: f64) -> Option<u64> {
    (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
}

fn type_error(message: &str) -> Error {
    Error::new(Status::InvalidArg, message.to_owned())
}

/// Creates a registry and returns its handle. `makeError(code, message, slot, settled,
/// retryAfterMs)` makes every rejection, so errors belong to the realm that loaded the package
/// (Jest runs tests in another). `now` is `performance.now()`; `rateMax` 0 disables rate limits.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn create(
    env: Env,
    make_error: Function<'_>,
    interaction_timeout_ms: f64,
    stale_threshold_ms: f64,
    max_interactions_per_session: u32,
    max_pending_total: u32,
    require_session_match: bool,
    now: f64,
    rate_max: u32,
    rate_window_ms: f64,
) -> Result<u32> {
    let config = Config {
        interaction_timeout_ms: millis(interaction_timeout_ms)
            .ok_or_else(|| type_error("interactionTimeoutMs"))?,
        stale_threshold_ms: millis(stale_threshold_ms)
            .ok_or_else(|| type_error("staleThresholdMs"))?,
        max_per_session: max_interactions_per_session,
        max_pending_total,
        require_session_match,
        rate_limit: (rate_max > 0).then(|| RateLimit {
            max: rate_max,
            window_ms: millis(rate_window_ms).unwrap_or(0).max(1),
        }),
        ..Config::default()
    };
    let factory = unsafe { raw::new_ref(env.raw(), make_error.value().value)? };
    managers::insert(env.raw(), config, factory, now)
}

/// Registers an interaction under `id` (a v4 UUID drawn by the caller from Node's CSPRNG) whose
/// record the JS layer keeps in `slot`; returns its Promise, already rejected when refused (the
/// factory is then called with `settled = false`). `session` is a string or null; `timeoutMs`
/// < 0 takes the registry's default.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn request<'a>(
    env: Env,
    handle: u32,
    id: Unknown<'a>,
    slot: u32,
    kind: Unknown<'a>,
    session: Unknown<'a>,
    timeout_ms: f64,
    now: f64,
    max_total_ms: f64,
) -> Result<Unknown<'a>> {
    let env = env.raw();
    let max_total = if max_total_ms <= 0.0 {
        None
    } else {
        millis(max_total_ms)
    };
    let timeout = if timeout_ms < 0.0 {
        None
    } else {
        millis(timeout_ms)
    };
    unsafe {
        // Everything that can fail is checked before the promise exists, so no error path can
        // leave a deferred unsettled.
        let (mut id_buf, mut kind_buf, mut session_buf) =
            (StrBuf::default(), StrBuf::default(), StrBuf::default());
        let id = id_buf
            .read(env, id.value().value, 36)?
            .and_then(|text| InteractionId::parse(text.as_bytes()))
            .ok_or_else(|| type_error("id must be a lowercase v4 UUID"))?;
        let kind = kind_buf
            .read(env, kind.value().value, MAX_NAME)?
            .ok_or_else(|| type_error("type must be a well-formed string"))?;
        let session = match session_buf.read(env, session.value().value, MAX_NAME)? {
            Some(s) => Some(s),
            None if raw::type_of(env, session.value().value)? == sys::ValueType::napi_string => {
                return Err(type_error("sessionId must be a well-formed string"));
            }
            None => None,
        };
        let (deferred, promise) = raw::create_promise(env)?;
        let held = Held { deferred, slot };
        let req = NewInteraction {
            kind,
            session,
            timeout_ms: timeout,
            max_total_ms: max_total,
        };
        let now = millis(now).unwrap_or(0);
        let made = managers::with(handle, |m| {
            (m.registry.request_with_id(id, req, now, held), m.make_error)
        });
        let (made, factory) = match made {
            Ok(made) => made,
            Err(e) => {
                // The handle is gone: nothing holds `held`, so settle it here.
                raw::settle(env, deferred, raw::undefined(env)?, true)?;
                return Err(e);
            }
        };
        if let Err(refused) = made {
            let message = raw::string(env, &refused.error.to_string())?;
            let err = managers::make_error(
                env,
                factory,
                refused.error.code(),
                message,
                Some(slot),
                false,
                refused.error.retry_after_ms(),
            );
            let value = match &err {
                Ok(e) => *e,
                Err(_) => raw::undefined(env)?,
            };
            raw::settle(env, refused.payload.deferred, value, false)?;
            err?;
        }
        out(env, promise)
    }
}

/// Resolves an interaction with `response` (passed through untouched). Returns the slot of its
/// record on success (the JS layer empties it), or -1 `invalid_or_decided`, -2 `SESSION_MISMATCH`.
/// `asker` is undefined (anyone may answer), or the answering session.
#[napi(catch_unwind)]
pub fn resolve(
    env: Env,
    handle: u32,
    id: Unknown<'_>,
    response: Unknown<'_>,
    asker: Unknown<'_>,
) -> Result<f64> {
    let env = env.raw();
    unsafe {
        // Undefined: anyone may answer. A string: that session. Anything else owns nothing.
        let mut asker_buf = StrBuf::default();
        let answerer = if raw::type_of(env, asker.value().value)? == sys::ValueType::napi_undefined
        {
            Answerer::Anyone
        } else {
            asker_buf
                .read(env, asker.value().value, MAX_NAME)?
                .map_or(Answerer::Stranger, Answerer::Session)
        };
        let mut id_buf = StrBuf::default();
        let settled = match id_buf.read(env, id.value().value, 36)? {
            Some(id) => managers::with(handle, |m| {
                m.tick();
                m.registry.resolve(id.as_bytes(), answerer)
            })?,
            None => Err(AnswerError::InvalidOrDecided),
        };
        match settled {
            Ok(s) => {
                raw::settle(env, s.payload.deferred, response.value().value, true)?;
                Ok(f64::from(s.payload.slot))
            }
            Err(e) => Ok(answer_code(e)),
        }
    }
}

fn answer_code(e: AnswerError) -> f64 {
    match e {
        AnswerError::InvalidOrDecided => -1.0,
        AnswerError::SessionMismatch => -2.0,
    }
}

/// Rejects one interaction with `message` (code `REJECTED`), or with the abort error when
/// `aborted` is set. Returns 0 on success, 1 when the id is unknown or already settled.
#[napi(catch_unwind)]
pub fn reject(
    env: Env,
    handle: u32,
    id: Unknown<'_>,
    message: Unknown<'_>,
    aborted: bool,
) -> Result<u32> {
    let env = env.raw();
    let code = if aborted {
        SettleCode::Aborted
    } else {
        SettleCode::Rejected
    };
    let Some(id) = (unsafe { raw::read_str(env, id.value().value, 36)? }) else {
        return Ok(1);
    };
    let reason = (!aborted).then(|| message.value().value);
    let found = settle_with(env, handle, reason, |m, out| {
        m.tick();
        m.registry.reject(id.as_bytes(), code).map(|s| out.push(s))
    })?;
    Ok(if found.is_ok() { 0 } else { 1 })
}

/// Runs `f` on the registry, then finishes every interaction it settled (rejects its promise
/// through the JS factory, frees its slot). The one way settlements leave the binding: `f` only
/// collects, so no JS runs while the registry is borrowed, and nothing settled is left unfinished.
fn settle_with<R>(
    env: napi_env,
    handle: u32,
    reason: Option<napi_value>,
    f: impl FnOnce(&mut managers::Manager, &mut Vec<Settled<Held>>) -> R,
) -> Result<R> {
    let (result, settled, factory) = managers::with(handle, |m| {
        let mut settled = Vec::new();
        let result = f(m, &mut settled);
        (result, settled, m.make_error)
    })?;
    unsafe { managers::reject_all(env, factory, settled, reason)? };
    Ok(result)
}

/// Rejects every pending interaction of `session` with `SESSION_REMOVED`; returns how many.
#[napi(catch_unwind)]
pub fn remove_session(env: Env, handle: u32, session: Unknown<'_>) -> Result<u32> {
    let env = env.raw();
    let Some(session) = (unsafe { raw::read_str(env, session.value().value, MAX_NAME)? }) else {
        return Ok(0);
    };
    settle_with(env, handle, None, |m, out| {
        m.tick();
        out.extend(m.registry.remove_session(&session));
        out.len() as u32
    })
}

/// Settles at most `limit` timed-out interactions. Returns the next deadline (ms on the caller's
/// clock; one not after `now` means more are already due), or -1 when none is set.
#[napi(catch_unwind)]
pub fn expire(env: Env, handle: u32, now: f64, limit: u32) -> Result<f64> {
    let now = millis(now).unwrap_or(0);
    let next = settle_with(env.raw(), handle, None, |m, out| {
        if m.registry.expire(now, limit as usize, out) {
            Some(now)
        } else {
            m.registry.next_deadline()
        }
    })?;
    Ok(next.map_or(-1.0, |at| at as f64))
}

/// Settles at most `limit` interactions past the stale threshold, and forgets the rate-limit
/// windows of quiet sessions; returns whether more are stale.
#[napi(catch_unwind)]
pub fn sweep_stale(env: Env, handle: u32, now: f64, limit: u32) -> Result<bool> {
    let now = millis(now).unwrap_or(0);
    settle_with(env.raw(), handle, None, |m, out| {
        m.registry.prune_rates(now);
        m.registry.sweep_stale(now, limit as usize, out)
    })
}

/// Refuses later requests and rejects every pending interaction with `SHUTDOWN`; idempotent.
#[napi(catch_unwind)]
pub fn shutdown(env: Env, handle: u32) -> Result<u32> {
    settle_with(env.raw(), handle, None, |m, out| {
        m.tick();
        out.extend(m.registry.shutdown());
        out.len() as u32
    })
}

/// Shuts the registry down and frees it; later calls with this handle throw.
#[napi(catch_unwind)]
pub fn destroy(env: Env, handle: u32) -> Result<()> {
    shutdown(env, handle)?;
    if let Some(m) = managers::remove(handle) {
        unsafe { raw::drop_ref(env.raw(), m.make_error) };
    }
    Ok(())
}

/// Writes the slots of the pending interactions of `sessions` (an array; other values list
/// nothing) into `out` (a Uint32Array), in that order and then request order, of type `kind`
/// when it is a string. Returns how many there are; when that exceeds `out.length`, nothing is
/// written and the caller retries with a larger array.
#[napi(catch_unwind)]
pub fn list(
    env: Env,
    handle: u32,
    sessions: Unknown<'_>,
    kind: Unknown<'_>,
    out: Unknown<'_>,
) -> Result<u32> {
    let env = env.raw();
    unsafe {
        let mut names = Vec::new();
        if let Some(len) = raw::array_len(env, sessions.value().value)? {
            let mut buf = StrBuf::default();
            for i in 0..len {
                let item = raw::element(env, sessions.value().value, i)?;
                if let Some(name) = buf.read(env, item, MAX_NAME)? {
                    names.push(name.to_owned());
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
        let target = raw::u32_array(env, out.value().value)?;
        managers::with(handle, |m| {
            let found = m
                .registry
                .pending_of(names.iter().map(String::as_str), filter.as_deref());
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
pub fn settled_as<'a>(env: Env, handle: u32, id: Unknown<'a>) -> Result<Unknown<'a>> {
    let env = env.raw();
    unsafe {
        let Some(id) = raw::read_str(env, id.value().value, 36)? else {
            return out(env, raw::null(env)?);
        };
        let found = managers::with(handle, |m| {
            let now = m.now().max(0.0) as u64;
            m.registry.settled_as(id.as_bytes(), now)
        })?;
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
pub fn touch(env: Env, handle: u32, id: Unknown<'_>) -> Result<f64> {
    let env = env.raw();
    let Some(id) = (unsafe { raw::read_str(env, id.value().value, 36)? }) else {
        return Ok(-1.0);
    };
    managers::with(handle, |m| {
        let now = m.now().max(0.0) as u64;
        m.registry.touch(id.as_bytes(), now).map_or(-1.0, |_| 0.0)
    })
}

/// Keeps `session`'s interactions pending for `graceMs` after its last browser left; they end
/// with `SESSION_REMOVED` unless `attach` comes first. Returns false for a non-string session.
#[napi(catch_unwind)]
pub fn detach(env: Env, handle: u32, session: Unknown<'_>, grace_ms: f64) -> Result<bool> {
    let Some(session) = (unsafe { raw::read_str(env.raw(), session.value().value, MAX_NAME)? })
    else {
        return Ok(false);
    };
    let grace = millis(grace_ms).ok_or_else(|| type_error("graceMs"))?;
    managers::with(handle, |m| {
        let now = m.now().max(0.0) as u64;
        m.registry.detach(&session, now, grace);
        true
    })
}

/// Cancels the grace of a detached session; returns whether it was detached.
#[napi(catch_unwind)]
pub fn attach(env: Env, handle: u32, session: Unknown<'_>) -> Result<bool> {
    let Some(session) = (unsafe { raw::read_str(env.raw(), session.value().value, MAX_NAME)? })
    else {
        return Ok(false);
    };
    managers::with(handle, |m| m.registry.attach(&session))
}

/// The Prometheus text exposition of the registry's gauges, counters and wait histogram.
#[napi(catch_unwind)]
pub fn metrics(handle: u32) -> Result<String> {
    managers::with(handle, |m| {
        let now = m.now().max(0.0) as u64;
        m.registry.metrics(now)
    })
}
