//! A promise's deferred as a value that is consumed by settling it: settling twice does not
//! compile (it is neither `Copy` nor `Clone`), and one dropped unsettled is counted (`lost`), so
//! the probes build's tests can prove that no path forgets one.

use crate::js;
use napi::sys::{self, napi_env, napi_value};
use napi::Result;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU64, Ordering};

static LOST: AtomicU64 = AtomicU64::new(0);
static ABANDONED: AtomicU64 = AtomicU64::new(0);

/// Deferreds dropped without being settled or abandoned (a bug), and abandoned at teardown.
#[cfg(feature = "probes")]
pub fn counts() -> (u64, u64) {
    (
        LOST.load(Ordering::Relaxed),
        ABANDONED.load(Ordering::Relaxed),
    )
}

/// The resolving half of a promise made by `napi_create_promise`.
#[must_use = "a deferred must be settled, or its promise hangs and N-API leaks its handle"]
pub struct Deferred(NonNull<sys::napi_deferred__>);

/// N-API refused to settle; the deferred is handed back, still unsettled and still owned.
pub struct Refused {
    pub deferred: Deferred,
}

impl Deferred {
    /// Makes a promise and its deferred.
    ///
    /// # Safety
    /// The contract at the top of `js.rs`.
    pub unsafe fn new(env: napi_env) -> Result<(Deferred, napi_value)> {
        let mut deferred = ptr::null_mut();
        let mut promise = ptr::null_mut();
        js::check(
            // SAFETY: the caller's contract; both out-pointers are valid locals.
            unsafe { sys::napi_create_promise(env, &mut deferred, &mut promise) },
            "create_promise",
        )?;
        let deferred = NonNull::new(deferred).ok_or_else(|| {
            napi::Error::new(napi::Status::GenericFailure, "N-API made a null deferred")
        })?;
        Ok((Deferred(deferred), promise))
    }

    /// Resolves (`ok`) or rejects the promise with `value`; N-API frees the deferred then. When
    /// N-API refuses instead (an exception is pending, or JS can no longer run), it has freed
    /// nothing, so the deferred comes back to be settled again once the cause is cleared.
    ///
    /// # Safety
    /// The contract at the top of `js.rs`.
    pub unsafe fn settle(
        self,
        env: napi_env,
        value: napi_value,
        ok: bool,
    ) -> std::result::Result<(), Refused> {
        let raw = self.0.as_ptr();
        // SAFETY: the caller's contract; `raw` came from `napi_create_promise` and, since `self`
        // is consumed here and never copied, has not been settled before.
        let status = unsafe {
            if ok {
                sys::napi_resolve_deferred(env, raw, value)
            } else {
                sys::napi_reject_deferred(env, raw, value)
            }
        };
        if status == sys::Status::napi_ok {
            std::mem::forget(self);
            Ok(())
        } else {
            Err(Refused { deferred: self })
        }
    }

    /// Gives up a deferred that cannot be settled: at env teardown JS can no longer run (Node's
    /// `napi_reject_deferred` then refuses before it frees anything), and when N-API refuses a
    /// second time after the pending exception was taken. Its V8 handle is released with the
    /// isolate; N-API has no call that frees it otherwise.
    pub fn abandon(self) {
        ABANDONED.fetch_add(1, Ordering::Relaxed);
        std::mem::forget(self);
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        LOST.fetch_add(1, Ordering::Relaxed);
    }
}
