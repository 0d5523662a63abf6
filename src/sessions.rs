//! Sessions: `detach` and `attach` (a browser leaving, maybe only to reload,
//! and coming back), and `list`, the pending interactions of some sessions.

use crate::constants::MAX_NAME;
use crate::convert::{self, millis, now, type_error};
use crate::handles;
use crate::js;
use napi::bindgen_prelude::*;
use napi::sys;
use napi::JsValue;
use napi_derive::napi;

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
    // SAFETY: this call's env and values (the contract at the top of `js.rs`).
    let Some(session) = (unsafe { convert::read_str(env.raw(), session.value().value, MAX_NAME)? })
    else {
        return Ok(false);
    };
    let grace = millis(grace_ms).ok_or_else(|| type_error("graceMs"))?;
    handles::with(handle, |r| {
        r.registry.detach(&session, now(clock), grace);
        true
    })
}

/// Cancels the grace of a detached session; returns whether it was detached.
#[napi(catch_unwind)]
pub fn attach(env: Env, handle: u32, session: Unknown<'_>) -> Result<bool> {
    // SAFETY: this call's env and values (the contract at the top of `js.rs`).
    let Some(session) = (unsafe { convert::read_str(env.raw(), session.value().value, MAX_NAME)? })
    else {
        return Ok(false);
    };
    handles::with(handle, |r| r.registry.attach(&session))
}

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
    // SAFETY: this call's env and values (the contract at the top of `js.rs`).
    unsafe {
        let units = convert::read_units(env, names.value().value)?;
        let mut lengths_value = lengths.value().value;
        let lengths = convert::u32_array(env, &mut lengths_value)?;
        let sessions: Vec<String> = convert::unpack(&units, lengths)
            .take(count as usize)
            .filter(|part| part.len() <= MAX_NAME as usize)
            .filter_map(|part| String::from_utf16(part).ok())
            .collect();
        let filter = match js::type_of(env, kind.value().value)? {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => None,
            _ => match convert::read_str(env, kind.value().value, MAX_NAME)? {
                Some(kind) => Some(kind),
                // A filter that is no (well-formed) string matches no interaction.
                None => return Ok(0),
            },
        };
        let mut target_value = out.value().value;
        let target = convert::u32_array(env, &mut target_value)?;
        handles::with(handle, |r| {
            let found = r
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
