//! Argument conversions shared by the exported functions. Arguments come straight from users and
//! the network, so each is read by hand and checked, never trusted.

use crate::raw::{self, StrBuf};
use interaction_core::Owner;
use napi::bindgen_prelude::*;
use napi::sys::{self, napi_env, napi_value};

/// Longest session id or type accepted, in UTF-16 units; longer ones are refused, not copied.
pub const MAX_NAME: usize = 16_384;

/// Milliseconds on the JS clock (`performance.now()`), as the registry's integer clock.
pub fn millis(ms: f64) -> Option<u64> {
    (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
}

/// The JS clock: a value that is no time at all reads as 0, which the registry's monotonic
/// clock ignores (it never steps back).
pub fn now(ms: f64) -> u64 {
    millis(ms).unwrap_or(0)
}

pub fn type_error(message: &str) -> Error {
    Error::new(Status::InvalidArg, message.to_owned())
}

/// # Safety
/// The contract at the top of `raw.rs`.
pub unsafe fn out<'a>(env: napi_env, value: napi_value) -> Result<Unknown<'a>> {
    // SAFETY: the caller's contract.
    unsafe { Unknown::from_napi_value(env, value) }
}

/// Reads a `sessionId` as given: a string (`''` included), `null` or `undefined`; `Ok(None)` for
/// anything else (a number, an object, a malformed string), which names no session at all.
///
/// # Safety
/// The contract at the top of `raw.rs`.
pub unsafe fn owner<'b>(
    env: napi_env,
    value: napi_value,
    buf: &'b mut StrBuf,
) -> Result<Option<Owner<'b>>> {
    // SAFETY: the caller's contract.
    let kind = unsafe { raw::type_of(env, value)? };
    Ok(match kind {
        sys::ValueType::napi_null => Some(Owner::Null),
        sys::ValueType::napi_undefined => Some(Owner::Undefined),
        // SAFETY: the caller's contract.
        sys::ValueType::napi_string => match unsafe { buf.read(env, value, MAX_NAME)? } {
            Some("") => Some(Owner::Empty),
            Some(s) => Some(Owner::Session(s)),
            None => None,
        },
        _ => None,
    })
}
