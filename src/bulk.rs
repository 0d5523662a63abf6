//! Bulk endings (timeouts and ended graces, the stale sweep, `removeSession`, shutdown, fencing)
//! one interaction at a time: a picker hands the JS layer the slots of what is to end, and JS
//! ends each with `end` and emits its event before the next, so every listener sees what is not
//! yet ended still pending, as with one timer per interaction (the pure-JS manager). No JS runs
//! between picking and the first `end`; what a listener ends meanwhile `end` skips.

use crate::constants::MAX_NAME;
use crate::convert::{self, now};
use crate::finish::settle_with;
use crate::handles::{self, Held};
use crate::js::{self, out};
use interaction_core::{InteractionId, Registry, SettleCode};
use napi::bindgen_prelude::*;
use napi::JsValue;
use napi_derive::napi;

/// Ends one pending interaction with the settle code of index `code` (`settleCodes()`), unless
/// it is gone, or not due (a `TIMEOUT` whose deadline a listener moved, a `STALE` that is not),
/// or the code is an answer's. Returns the report, or null when nothing ended.
#[napi(catch_unwind)]
pub fn end<'a>(
    env: Env,
    handle: u32,
    id: Unknown<'a>,
    code: u32,
    clock: f64,
) -> Result<Unknown<'a>> {
    let env = env.raw();
    let code = SettleCode::ALL
        .get(code as usize)
        .copied()
        .filter(|c| !matches!(c, SettleCode::Resolved | SettleCode::Rejected));
    // SAFETY: this call's env and values.
    let id = unsafe { convert::read_str(env, id.value().value, 36)? }
        .and_then(|text| InteractionId::parse(text.as_bytes()));
    let (Some(id), Some(code)) = (id, code) else {
        // SAFETY: this call's env.
        return unsafe { out(env, js::null(env)?) };
    };
    let report = settle_with(env, handle, clock, None, |registry, out| {
        out.extend(registry.end(id, code, now(clock)));
        out.len() as f64
    })?;
    Ok(report)
}

/// The slots of `ids`, with the index of each one's code after it when `codes` is given.
fn slots_of(
    registry: &Registry<Held>,
    ids: impl IntoIterator<Item = (InteractionId, SettleCode)>,
    with_codes: bool,
) -> Vec<u32> {
    let mut out = Vec::new();
    for (id, code) in ids {
        if let Some(held) = registry.payload(&id) {
            out.push(held.slot);
            if with_codes {
                out.push(code.index() as u32);
            }
        }
    }
    out
}

/// What time ends at `clock`, about `limit` of it: `[slot, code, slot, code, ...]` in the order
/// one timer each would fire (timeouts, and the interactions of sessions whose grace ended).
#[napi(catch_unwind)]
pub fn due(handle: u32, clock: f64, limit: u32) -> Result<Vec<u32>> {
    handles::with(handle, |r| {
        let due = r.registry.due(now(clock), limit as usize);
        slots_of(&r.registry, due, true)
    })
}

/// The earliest timeout deadline or end of a grace (ms on the JS clock), or -1.
#[napi(catch_unwind)]
pub fn next_deadline(handle: u32) -> Result<f64> {
    handles::with(handle, |r| {
        r.registry.next_deadline().map_or(-1.0, |at| at as f64)
    })
}

/// The next `limit` slots of the stale sweep (starting one when none is under way), then 1 when
/// more remain or 0: `[slot, ..., more]`.
#[napi(catch_unwind)]
pub fn stale_due(handle: u32, clock: f64, limit: u32) -> Result<Vec<u32>> {
    handles::with(handle, |r| {
        let (ids, more) = r.registry.stale_due(now(clock), limit as usize);
        let mut out = slots_of(
            &r.registry,
            ids.into_iter().map(|id| (id, SettleCode::Stale)),
            false,
        );
        out.push(u32::from(more));
        out
    })
}

/// The slots of `session`'s pending interactions, oldest first, and cancels its grace: what
/// `removeSession` ends. A session that is not a well-formed string has none.
#[napi(catch_unwind)]
pub fn session_slots(env: Env, handle: u32, session: Unknown<'_>) -> Result<Vec<u32>> {
    // SAFETY: this call's env and values (the contract at the top of `js.rs`).
    let session = unsafe { convert::read_str(env.raw(), session.value().value, MAX_NAME)? };
    let Some(session) = session else {
        return Ok(Vec::new());
    };
    handles::with(handle, |r| {
        let ids = r.registry.session_ids(&session);
        slots_of(
            &r.registry,
            ids.into_iter().map(|id| (id, SettleCode::SessionRemoved)),
            false,
        )
    })
}

/// Refuses later requests (shutdown) when `close` is set, and returns the slots of every
/// pending interaction, oldest first: what shutdown, or fencing, ends.
#[napi(catch_unwind)]
pub fn pending_slots(handle: u32, close: bool) -> Result<Vec<u32>> {
    handles::with(handle, |r| {
        let ids: Vec<InteractionId> = if close {
            r.registry.close()
        } else {
            r.registry.pending_ids().collect()
        };
        slots_of(
            &r.registry,
            ids.into_iter().map(|id| (id, SettleCode::Shutdown)),
            false,
        )
    })
}
