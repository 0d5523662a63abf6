//! Thin checked wrappers over the raw N-API calls the binding makes: value makers, references,
//! calls, exceptions. napi-rs's own deferred keeps the event loop alive and settles a turn late
//! (`docs/napi-facts.md`), so promises are made and settled directly, on the JS thread (see
//! `deferred.rs`); reading arguments is `convert.rs`.
//!
//! # Safety
//!
//! Every `unsafe fn` here and in the files that build on it has the same contract, which each
//! one's `# Safety` section refers to: `env` is the env of a native call (or cleanup hook) running
//! now on its own JS thread, and every `napi_value` passed in was obtained in that call and
//! belongs to a handle scope still open. N-API checks the rest (types, pending exceptions) and
//! answers with a status, which is checked.

use napi::bindgen_prelude::{FromNapiValue, Unknown};
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
/// The module's contract (see the top of `js.rs`).
pub unsafe fn new_ref(env: napi_env, value: napi_value) -> Result<sys::napi_ref> {
    let mut r = ptr::null_mut();
    check(
        sys::napi_create_reference(env, value, 1, &mut r),
        "create_reference",
    )?;
    Ok(r)
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn ref_value(env: napi_env, r: sys::napi_ref) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(
        sys::napi_get_reference_value(env, r, &mut v),
        "get_reference_value",
    )?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn drop_ref(env: napi_env, r: sys::napi_ref) {
    // Failing here can only mean the env is already gone, and with it the reference.
    let _ = sys::napi_delete_reference(env, r);
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn undefined(env: napi_env) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(sys::napi_get_undefined(env, &mut v), "get_undefined")?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn null(env: napi_env) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(sys::napi_get_null(env, &mut v), "get_null")?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn type_of(env: napi_env, value: napi_value) -> Result<sys::napi_valuetype> {
    let mut t = 0;
    check(sys::napi_typeof(env, value, &mut t), "typeof")?;
    Ok(t)
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn string(env: napi_env, text: &str) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(
        sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut v),
        "create_string_utf8",
    )?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn number(env: napi_env, n: f64) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(sys::napi_create_double(env, n, &mut v), "create_double")?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn array(env: napi_env, len: usize) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(
        sys::napi_create_array_with_length(env, len, &mut v),
        "create_array",
    )?;
    Ok(v)
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn set_element(env: napi_env, arr: napi_value, i: u32, value: napi_value) -> Result<()> {
    check(sys::napi_set_element(env, arr, i, value), "set_element")
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn call(env: napi_env, f: napi_value, args: &[napi_value]) -> Result<napi_value> {
    let mut out = ptr::null_mut();
    let recv = undefined(env)?;
    check(
        sys::napi_call_function(env, recv, f, args.len(), args.as_ptr(), &mut out),
        "call_function",
    )?;
    Ok(out)
}

/// Takes the pending JS exception, if there is one, so that N-API accepts calls again.
///
/// # Safety
/// The module's contract (see the top of `js.rs`).
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
/// The module's contract (see the top of `js.rs`).
pub unsafe fn throw(env: napi_env, value: napi_value) -> Result<()> {
    check(sys::napi_throw(env, value), "throw")
}

/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn boolean(env: napi_env, b: bool) -> Result<napi_value> {
    let mut v = ptr::null_mut();
    check(sys::napi_get_boolean(env, b, &mut v), "get_boolean")?;
    Ok(v)
}

/// Defines `name` as an own, writable, configurable, non-enumerable data property (like the
/// properties `Error` defines): defining runs no setter, where assigning could.
///
/// # Safety
/// The module's contract (see the top of `js.rs`); `object` is an object.
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

/// A value made in this call, as the return type of a `#[napi]` function.
///
/// # Safety
/// The module's contract (see the top of `js.rs`).
pub unsafe fn out<'a>(env: napi_env, value: napi_value) -> Result<Unknown<'a>> {
    // SAFETY: the module's contract.
    unsafe { Unknown::from_napi_value(env, value) }
}
