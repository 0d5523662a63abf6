//! Arguments read from JS: strings as strict UTF-16 (with a reusable buffer for the hot paths),
//! `sessionId`s as the registry's owners, Uint32Arrays, and milliseconds on the JS clock.
//! Arguments come straight from users and the network, so each is read by hand and checked,
//! never trusted.

use crate::constants::MAX_NAME;
use crate::js::{self, check};
use interaction_core::Owner;
use napi::sys::{self, napi_env, napi_value};
use napi::{Error, Result, Status};
use std::ptr;

/// Milliseconds on the JS clock (`performance.now()`), as the registry's integer clock.
pub fn millis(ms: f64) -> Option<u64> {
    (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
}

/// The JS clock: a value that is no time at all reads as 0, which the registry's monotonic
/// clock ignores (it never steps back).
pub fn now(ms: f64) -> u64 {
    millis(ms).unwrap_or(0)
}

/// The strings of a packed argument (`lib/pack.js`: one string and their lengths), in order, as
/// UTF-16 slices. It ends at the first length that runs past the text (a caller that is not the
/// JS layer), never panics.
pub struct Unpacked<'a> {
    units: &'a [u16],
    lengths: std::slice::Iter<'a, u32>,
    pos: usize,
}

impl<'a> Iterator for Unpacked<'a> {
    type Item = &'a [u16];

    fn next(&mut self) -> Option<&'a [u16]> {
        let len = *self.lengths.next()? as usize;
        let end = self.pos.checked_add(len)?;
        let part = self.units.get(self.pos..end)?;
        self.pos = end;
        Some(part)
    }
}

pub fn unpack<'a>(units: &'a [u16], lengths: &'a [u32]) -> Unpacked<'a> {
    Unpacked {
        units,
        lengths: lengths.iter(),
        pos: 0,
    }
}

pub fn type_error(message: &str) -> Error {
    Error::new(Status::InvalidArg, message.to_owned())
}

/// Reads a `sessionId` as given: a string (`''` included), `null` or `undefined`; `Ok(None)` for
/// anything else (a number, an object, a malformed string), which names no session at all.
///
/// # Safety
/// The contract at the top of `js.rs`.
pub unsafe fn owner<'b>(
    env: napi_env,
    value: napi_value,
    buf: &'b mut StrBuf,
) -> Result<Option<Owner<'b>>> {
    // SAFETY: the caller's contract.
    let kind = unsafe { js::type_of(env, value)? };
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

/// Strings up to this many UTF-16 units are read and decoded without touching the heap.
const STACK_UNITS: usize = 64;

/// Scratch space for reading one JS string; reused across calls on the hot paths.
pub struct StrBuf {
    bytes: [u8; STACK_UNITS * 3],
    heap: String,
}

impl Default for StrBuf {
    fn default() -> Self {
        Self {
            bytes: [0; STACK_UNITS * 3],
            heap: String::new(),
        }
    }
}

impl StrBuf {
    /// Reads a JS string as strict UTF-16: `Ok(None)` when `value` is no string, is longer than
    /// `max` UTF-16 units (not copied at all), or holds a lone surrogate. A lossy conversion
    /// would map distinct strings to one key, and session keys decide who may answer.
    ///
    /// # Safety
    /// The module's contract (see the top of `js.rs`).
    pub unsafe fn read(
        &mut self,
        env: napi_env,
        value: napi_value,
        max: u32,
    ) -> Result<Option<&str>> {
        let max = max as usize;
        // One N-API call in the common case: read straight into the stack buffer. It answers
        // `string_expected` for a non-string, and a full buffer means the string may be longer.
        let mut stack = [0u16; STACK_UNITS + 1];
        let mut written = 0;
        let status = sys::napi_get_value_string_utf16(
            env,
            value,
            stack.as_mut_ptr(),
            stack.len(),
            &mut written,
        );
        if status == sys::Status::napi_string_expected {
            return Ok(None);
        }
        check(status, "get_value_string_utf16")?;
        let mut heap_units = Vec::new();
        let units: &[u16] = if written < STACK_UNITS {
            &stack[..]
        } else {
            let mut len = 0;
            check(
                sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut len),
                "string length",
            )?;
            if len > max {
                return Ok(None);
            }
            heap_units.resize(len + 1, 0);
            check(
                sys::napi_get_value_string_utf16(
                    env,
                    value,
                    heap_units.as_mut_ptr(),
                    heap_units.len(),
                    &mut written,
                ),
                "get_value_string_utf16",
            )?;
            &heap_units[..]
        };
        if written > max {
            return Ok(None);
        }
        let units = &units[..written];
        if written < STACK_UNITS {
            let mut at = 0;
            for c in char::decode_utf16(units.iter().copied()) {
                let Ok(c) = c else { return Ok(None) };
                at += c.encode_utf8(&mut self.bytes[at..]).len();
            }
            // Only whole chars were encoded, so the bytes are UTF-8.
            Ok(std::str::from_utf8(&self.bytes[..at]).ok())
        } else {
            self.heap.clear();
            for c in char::decode_utf16(units.iter().copied()) {
                let Ok(c) = c else { return Ok(None) };
                self.heap.push(c);
            }
            Ok(Some(&self.heap))
        }
    }
}

/// Like `StrBuf::read`, into a fresh `String`, for the paths that are not hot.
///
/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn read_str(env: napi_env, value: napi_value, max: u32) -> Result<Option<String>> {
    let mut buf = StrBuf::default();
    Ok(buf.read(env, value, max)?.map(str::to_owned))
}

/// The elements of a Uint32Array, to write into without a call per element. The slice borrows
/// the handle to the array exclusively, so it cannot outlive it, nor be taken twice.
///
/// # Safety
/// The module's contract (see the top of `js.rs`); nothing else (no JS) touches the array's
/// buffer while the slice lives.
pub unsafe fn u32_array(env: napi_env, value: &mut napi_value) -> Result<&mut [u32]> {
    let value = *value;
    let mut is_typed = false;
    check(
        sys::napi_is_typedarray(env, value, &mut is_typed),
        "is_typedarray",
    )?;
    if !is_typed {
        return Err(Error::new(
            Status::InvalidArg,
            "expected a Uint32Array".to_owned(),
        ));
    }
    let mut kind = 0;
    let mut len = 0;
    let mut data = ptr::null_mut();
    check(
        sys::napi_get_typedarray_info(
            env,
            value,
            &mut kind,
            &mut len,
            &mut data,
            ptr::null_mut(),
            ptr::null_mut(),
        ),
        "get_typedarray_info",
    )?;
    if kind != sys::TypedarrayType::uint32_array {
        return Err(Error::new(
            Status::InvalidArg,
            "expected a Uint32Array".to_owned(),
        ));
    }
    if len == 0 || data.is_null() {
        return Ok(&mut []);
    }
    // SAFETY: N-API reported a Uint32Array of `len` elements at `data`; the caller keeps the
    // array alive for the borrow of `value` and runs no JS meanwhile.
    Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<u32>(), len) })
}

/// A whole JS string as UTF-16 units (empty for a value that is no string).
///
/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn read_units(env: napi_env, value: napi_value) -> Result<Vec<u16>> {
    let mut len = 0;
    let status = sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut len);
    if status == sys::Status::napi_string_expected {
        return Ok(Vec::new());
    }
    check(status, "string length")?;
    let mut units = vec![0u16; len + 1];
    let mut written = 0;
    check(
        sys::napi_get_value_string_utf16(env, value, units.as_mut_ptr(), units.len(), &mut written),
        "get_value_string_utf16",
    )?;
    units.truncate(written);
    Ok(units)
}
