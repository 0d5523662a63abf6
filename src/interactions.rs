//! One interaction at a time, by id: `request` (the hot path), the answers `resolve` and
//! `reject` (an abort too), `touch`, and `settledAs` for answers that come too late. Each takes
//! the registry handle first and the JS clock (`performance.now()`, the only clock: see
//! `Registry`), never calls JS while the registry is borrowed, and hands every settlement to the
//! one finish path (`finish.rs`).

use crate::constants::MAX_NAME;
use crate::convert::{self, millis, now, type_error, StrBuf};
use crate::deferred::Deferred;
use crate::finish::{settle_with, Ending, Finisher};
use crate::handles::{self, Held};
use crate::js::{self, out};
use interaction_core::{AnswerError, Answerer, InteractionId, NewInteraction, SettleCode};
use napi::bindgen_prelude::*;
use napi::JsValue;
use napi_derive::napi;

/// Registers an interaction under `id` (a v4 UUID drawn by the caller from Node's CSPRNG) whose
/// record the JS layer keeps in `slot`, and returns its Promise. A refused request returns
/// `[promise, thrown]` instead: the promise already rejected, and what the error factory threw
/// (undefined when nothing). `session` is a string, null or undefined; `timeoutMs` < 0 takes the
/// registry's default; `maxTotalMs` <= 0 sets no cap.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // the hot path: positional numbers cost less than an object
pub fn request<'a>(
    env: Env,
    handle: u32,
    id: Unknown<'a>,
    slot: u32,
    kind: Unknown<'a>,
    session: Unknown<'a>,
    timeout_ms: f64,
    clock: f64,
    max_total_ms: f64,
) -> Result<Unknown<'a>> {
    let env = env.raw();
    let max_total = (max_total_ms > 0.0).then(|| millis(max_total_ms)).flatten();
    let timeout = (timeout_ms >= 0.0).then(|| millis(timeout_ms)).flatten();
    let (mut id_buf, mut kind_buf, mut session_buf) =
        (StrBuf::default(), StrBuf::default(), StrBuf::default());
    // SAFETY: this call's env and values. Everything that can fail is checked before the
    // promise exists, so no error path can leave a deferred unsettled.
    let (id, kind, owner) = unsafe {
        let id = id_buf
            .read(env, id.value().value, 36)?
            .and_then(|text| InteractionId::parse(text.as_bytes()))
            .ok_or_else(|| type_error("id must be a lowercase v4 UUID"))?;
        let kind = kind_buf
            .read(env, kind.value().value, MAX_NAME)?
            .ok_or_else(|| type_error("type must be a well-formed string"))?;
        let owner =
            convert::owner(env, session.value().value, &mut session_buf)?.ok_or_else(|| {
                type_error("sessionId must be a well-formed string, null or undefined")
            })?;
        (id, kind, owner)
    };
    // SAFETY: this call's env.
    let (deferred, promise) = unsafe { Deferred::new(env)? };
    let req = NewInteraction {
        kind,
        owner,
        timeout_ms: timeout,
        max_total_ms: max_total,
    };
    let held = Held { deferred, slot };
    let made = handles::with_value(handle, held, |r, held| {
        (
            r.registry.request(id, req, now(clock), held),
            r.error_factory,
        )
    });
    let (refused, factory) = match made {
        Ok((Ok(_), _)) => {
            // SAFETY: this call's env and its promise.
            return unsafe { out(env, promise) };
        }
        Ok((Err(refused), factory)) => (refused, factory),
        Err((e, held)) => {
            // The handle is gone and the caller gets `e`, not the promise: resolving it frees the
            // deferred, and unlike a rejection nobody can see it (no unhandled rejection).
            // SAFETY: this call's env; no registry borrow is held.
            unsafe {
                let mut fin = Finisher::new(env, None);
                fin.finish(
                    held.deferred,
                    None,
                    None,
                    Ending::Resolve(js::undefined(env)?),
                );
            }
            return Err(e);
        }
    };
    // SAFETY: this call's env; no registry borrow is held while the factory runs.
    unsafe {
        let ending = Ending::Reject {
            code: refused.error.code(),
            settle_code: None,
            message: js::string(env, &refused.error.to_string()).ok(),
            retry_after_ms: refused.error.retry_after_ms(),
        };
        let mut fin = Finisher::new(env, Some(factory));
        fin.finish(refused.payload.deferred, Some(slot), None, ending);
        let pair = js::array(env, 2)?;
        js::set_element(env, pair, 0, promise)?;
        let thrown = match fin.thrown() {
            Some(e) => e,
            None => js::undefined(env)?,
        };
        js::set_element(env, pair, 1, thrown)?;
        out(env, pair)
    }
}

/// Resolves an interaction with `response` (passed through untouched). Returns the slot of its
/// record on success (the JS layer empties it), or -1 `invalid_or_decided`, -2 `SESSION_MISMATCH`.
/// `asker` is undefined (the argument was not given: anyone may answer), or is compared exactly
/// with the interaction's own `sessionId` (`null` answers only what was requested with `null`).
#[napi(catch_unwind)]
pub fn resolve(
    env: Env,
    handle: u32,
    id: Unknown<'_>,
    response: Unknown<'_>,
    asker: Unknown<'_>,
    clock: f64,
) -> Result<f64> {
    let env = env.raw();
    let (mut asker_buf, mut id_buf) = (StrBuf::default(), StrBuf::default());
    // SAFETY: this call's env and values.
    let (answerer, id) = unsafe {
        let answerer = match js::type_of(env, asker.value().value)? {
            napi::sys::ValueType::napi_undefined => Answerer::Anyone,
            _ => convert::owner(env, asker.value().value, &mut asker_buf)?
                .map_or(Answerer::Stranger, Answerer::As),
        };
        (answerer, id_buf.read(env, id.value().value, 36)?)
    };
    let Some(id) = id else {
        return Ok(answer_code(AnswerError::InvalidOrDecided));
    };
    let settled = handles::with(handle, |r| {
        r.registry.advance(now(clock));
        r.registry.resolve(id.as_bytes(), answerer)
    })?;
    match settled {
        Ok(s) => {
            let slot = s.payload.slot;
            // SAFETY: this call's env and values; no registry borrow is held.
            unsafe {
                let mut fin = Finisher::new(env, None);
                fin.finish(
                    s.payload.deferred,
                    Some(slot),
                    Some(s.id),
                    Ending::Resolve(response.value().value),
                );
                if let Some(e) = fin.thrown() {
                    js::throw(env, e)?;
                    return Err(Error::new(Status::PendingException, "pending exception"));
                }
            }
            Ok(f64::from(slot))
        }
        Err(e) => Ok(answer_code(e)),
    }
}

fn answer_code(e: AnswerError) -> f64 {
    match e {
        AnswerError::InvalidOrDecided => -1.0,
        AnswerError::SessionMismatch => -2.0,
    }
}

/// Rejects one interaction with `message` (code `REJECTED`), or with the abort error when
/// `aborted` is set. Returns the report, or null when the id is unknown or already settled.
#[napi(catch_unwind)]
pub fn reject<'a>(
    env: Env,
    handle: u32,
    id: Unknown<'a>,
    message: Unknown<'a>,
    aborted: bool,
    clock: f64,
) -> Result<Unknown<'a>> {
    let env = env.raw();
    let code = if aborted {
        SettleCode::Aborted
    } else {
        SettleCode::Rejected
    };
    // SAFETY: this call's env and values.
    let id = unsafe { convert::read_str(env, id.value().value, 36)? };
    let reason = (!aborted).then(|| message.value().value);
    let found = id.map(|id| {
        settle_with(env, handle, clock, reason, |registry, out| {
            match registry.reject(id.as_bytes(), code) {
                Ok(s) => {
                    out.push(s);
                    1.0
                }
                Err(_) => 0.0,
            }
        })
    });
    match found {
        Some(report) => report,
        // SAFETY: this call's env.
        None => unsafe { out(env, js::null(env)?) },
    }
}

/// Restarts the timeout of a pending interaction, never past its `maxTotalMs`; returns 0, or
/// -1 when the id is unknown or already settled.
#[napi(catch_unwind)]
pub fn touch(env: Env, handle: u32, id: Unknown<'_>, clock: f64) -> Result<f64> {
    let env = env.raw();
    // SAFETY: this call's env and values (the contract at the top of `js.rs`).
    let Some(id) = (unsafe { convert::read_str(env, id.value().value, 36)? }) else {
        return Ok(-1.0);
    };
    handles::with(handle, |r| {
        r.registry
            .touch(id.as_bytes(), now(clock))
            .map_or(-1.0, |_| 0.0)
    })
}

/// How a recently settled interaction ended, for an answer that came too late.
#[napi(object)]
pub struct Settlement {
    /// Its code, as in `settleCodes()`: `RESOLVED`, `TIMEOUT`, ...
    pub code: String,
    /// When it settled, in ms on the JS clock (`performance.now()`).
    pub settled_at: f64,
}

/// How a recently settled interaction ended, or null when the id is unknown, still pending or
/// no longer remembered.
#[napi(catch_unwind)]
pub fn settled_as(
    env: Env,
    handle: u32,
    id: Unknown<'_>,
    clock: f64,
) -> Result<Option<Settlement>> {
    // SAFETY: this call's env and values (the contract at the top of `js.rs`).
    let Some(id) = (unsafe { convert::read_str(env.raw(), id.value().value, 36)? }) else {
        return Ok(None);
    };
    let found = handles::with(handle, |r| r.registry.settled_as(id.as_bytes(), now(clock)))?;
    Ok(found.map(|(code, at)| Settlement {
        code: code.code().to_owned(),
        settled_at: at as f64,
    }))
}
