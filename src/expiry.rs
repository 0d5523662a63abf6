//! What time ends, in chunks the JS layer spreads over event-loop turns: `expire` (timeouts and
//! ended graces) and `sweepStale` (the stale sweep).

use crate::convert::now;
use crate::finish::settle_with;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Settles at most `limit` timed-out interactions (and ended graces). The report's extra is the
/// next deadline (ms on the JS clock; one not after `clock` means more are already due), or -1.
#[napi(catch_unwind)]
pub fn expire<'a>(env: Env, handle: u32, clock: f64, limit: u32) -> Result<Unknown<'a>> {
    let env = env.raw();
    let now = now(clock);
    settle_with(env, handle, clock, None, |registry, out| {
        let next = if registry.expire(now, limit as usize, out) {
            Some(now)
        } else {
            registry.next_deadline()
        };
        next.map_or(-1.0, |at| at as f64)
    })
}

/// Settles the next `limit` interactions of the stale sweep (starting one when none is under
/// way) and forgets passed rate-limit windows; the report's extra is 1 when more remain.
#[napi(catch_unwind)]
pub fn sweep_stale<'a>(env: Env, handle: u32, clock: f64, limit: u32) -> Result<Unknown<'a>> {
    let env = env.raw();
    let now = now(clock);
    settle_with(env, handle, clock, None, |registry, out| {
        f64::from(u8::from(registry.sweep_stale(now, limit as usize, out)))
    })
}
