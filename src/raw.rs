//! Thin checked wrappers over the raw N-API calls the hot paths need. napi-rs's own deferred
//! keeps the event loop alive and settles a turn late (see the napi notes), so promises are made
//! and settled here directly, on the JS thread (see `deferred.rs`).
//!
//! # Safety
//!
//! Every `unsafe fn` here has the same contract, which each one's `# Safety` section refers to:
//! `env` is the env of a native call (or cleanup hook) running now on its own JS thread, and every
//! `napi_value` passed in was obtained in that call and belongs to a handle scope still open.
//! N-API checks the rest (types, pending exceptions) and answers with a status, which is checked.

use napi::sys::{self, napi_env, napi_value};
use napi::{Error, Result, Status};
use std::ptr;

pub fn check(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(
            Status::from(status),
            format!("N-API {what} failed"),
        ))
    }
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn new_ref(env: napi_env, value: napi_value) -> Result<sys::napi_ref> {
    let mut r = ptr::null_mut();
    check(
        sys::napi_create_reference(env, value, 1, &mut r),
        "create_reference",
    )?;
    Ok(r)
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn ref_value(env: napi_env, r: sys::napi_ref) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(
        sys::napi_get_reference_value(env, r, &mut v),
        "get_reference_value",
    )?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn drop_ref(env: napi_env, r: sys::napi_ref) {
    // Failing here can only mean the env is already gone, and with it the reference.
    let _ = sys::napi_delete_reference(env, r);
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn undefined(env: napi_env) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(sys::napi_get_undefined(env, &mut v), "get_undefined")?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn null(env: napi_env) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(sys::napi_get_null(env, &mut v), "get_null")?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn type_of(env: napi_env, value: napi_value) -> Result<sys::napi_valuetype> {
    let mut t = 0;
    check(sys::napi_typeof(env, value, &mut t), "typeof")?;
    Ok(t)
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn string(env: napi_env, text: &str) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(
        sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut v),
        "create_string_utf8",
    )?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn number(env: napi_env, n: f64) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(sys::napi_create_double(env, n, &mut v), "create_double")?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn array(env: napi_env, len: usize) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(
        sys::napi_create_array_with_length(env, len, &mut v),
        "create_array",
    )?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn set_element(env: napi_env, arr: napi_value, i: u32, value: napi_value) -> Result<()> {
    check(sys::napi_set_element(env, arr, i, value), "set_element")
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn call(env: napi_env, f: napi_value, args: &[napi_value]) -> Result<napi_value> {
    let mut out = ptr::null_mut();
    let recv = undefined(env)?;
    check(
        sys::napi_call_function(env, recv, f, args.len(), args.as_ptr(), &mut out),
        "call_function",
    )?;
    Ok(out)
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
    /// The module's contract (see the top of `raw.rs`).
    pub unsafe fn read(
        &mut self,
        env: napi_env,
        value: napi_value,
        max: usize,
    ) -> Result<Option<&str>> {
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
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn read_str(env: napi_env, value: napi_value, max: usize) -> Result<Option<String>> {
    let mut buf = StrBuf::default();
    Ok(buf.read(env, value, max)?.map(str::to_owned))
}

/// The elements of a Uint32Array, to write into without a call per element. The slice borrows
/// the handle to the array exclusively, so it cannot outlive it, nor be taken twice.
///
/// # Safety
/// The module's contract (see the top of `raw.rs`); nothing else (no JS) touches the array's
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

/// Takes the pending JS exception, if there is one, so that N-API accepts calls again.
///
/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn take_exception(env: napi_env) -> Option<napi_value> {
    let mut pending = false;
    if sys::napi_is_exception_pending(env, &mut pending) != sys::Status::napi_ok || !pending {
        return None;
    }
    let mut v = ptr::null_mut();
    let status = sys::napi_get_and_clear_last_exception(env, &mut v);
    (status == sys::Status::napi_ok && !v.is_null()).then_some(v)
}

/// Throws `value` as the pending exception of the current call.
///
/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn throw(env: napi_env, value: napi_value) -> Result<()> {
    check(sys::napi_throw(env, value), "throw")
}

/// # Safety
/// The module's contract (see the top of `raw.rs`).
pub unsafe fn boolean(env: napi_env, b: bool) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(sys::napi_get_boolean(env, b, &mut v), "get_boolean")?;
    Ok(v)
}

/// Defines `name` as an own, writable, configurable, non-enumerable data property (like the
/// properties `Error` defines): defining runs no setter, where assigning could.
///
/// # Safety
/// The module's contract (see the top of `raw.rs`); `object` is an object.
pub unsafe fn define_value(
    env: napi_env,
    object: napi_value,
    name: &std::ffi::CStr,
    value: napi_value,
) -> Result<()> {
    let property = sys::napi_property_descriptor {
        utf8name: name.as_ptr(),
        name: ptr::null_mut(),
        method: None,
        getter: None,
        setter: None,
        value,
        attributes: sys::PropertyAttributes::writable | sys::PropertyAttributes::configurable,
        data: ptr::null_mut(),
    };
    check(
        sys::napi_define_properties(env, object, 1, &property),
        "define_properties",
    )
}

/// A whole JS string as UTF-16 units (empty for a value that is no string).
///
/// # Safety
/// The module's contract (see the top of `raw.rs`).
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
