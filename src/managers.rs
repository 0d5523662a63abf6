//! The registries of this thread (one Node.js env per thread), addressed by a plain `u32`
//! handle: plain functions taking a number cost a tenth of a class method call (napi notes).

use crate::raw;
use interaction_core::{Config, Registry, Settled};
use napi::sys::{self, napi_env, napi_value};
use napi::{Error, Result, Status};
use std::cell::{Cell, RefCell};

/// What the registry keeps for one pending interaction: its promise, and the slot where the JS
/// layer keeps its record (which holds `data` and `metadata`). No JS reference per interaction:
/// the JS layer empties the slot when Rust reports the settlement. Copy, because a call that
/// fails before the registry takes it must still release it.
#[derive(Clone, Copy)]
pub struct Held {
    pub deferred: sys::napi_deferred,
    pub slot: u32,
}

pub struct Manager {
    pub registry: Registry<Held>,
    /// The JS function that makes rejection errors in the realm that loaded the package.
    pub make_error: sys::napi_ref,
    /// `performance.now()` at creation and the matching instant: both read CLOCK_MONOTONIC, so
    /// Rust can tell the JS layer's time for calls that do not pass it.
    epoch: (std::time::Instant, f64),
}

impl Manager {
    /// Now, in `performance.now()` milliseconds.
    pub fn now(&self) -> f64 {
        self.epoch.1 + self.epoch.0.elapsed().as_secs_f64() * 1000.0
    }

    /// Brings the registry's clock to now, so what the next call settles is stamped correctly.
    pub fn tick(&mut self) {
        let now = self.now();
        self.registry.advance(now.max(0.0) as u64);
    }
}

thread_local! {
    /// Slot `handle - 1` holds the registry of `handle`. Handles are never reused, so a stale
    /// handle finds an empty slot, never another manager.
    static MANAGERS: RefCell<Vec<Option<Box<Manager>>>> = const { RefCell::new(Vec::new()) };
    static HOOKED: Cell<bool> = const { Cell::new(false) };
}

pub fn insert(
    env: napi_env,
    config: Config,
    make_error: sys::napi_ref,
    js_now: f64,
) -> Result<u32> {
    if !HOOKED.get() {
        // One hook per env, even when the addon is loaded twice into the same thread.
        let status =
            unsafe { sys::napi_add_env_cleanup_hook(env, Some(on_env_teardown), env.cast()) };
        raw::check(status, "add_env_cleanup_hook")?;
        HOOKED.set(true);
    }
    let manager = Box::new(Manager {
        registry: Registry::new(config),
        make_error,
        epoch: (std::time::Instant::now(), js_now),
    });
    MANAGERS.with_borrow_mut(|table| {
        let handle = u32::try_from(table.len() + 1)
            .map_err(|_| Error::new(Status::GenericFailure, "too many registries"))?;
        table.push(Some(manager));
        Ok(handle)
    })
}

/// Runs `f` on the registry of `handle`; `Err` means `f` did not run. `f` must not call into JS: a listener or getter run
/// from inside could re-enter this table. Callers collect what to finish and do it afterwards.
pub fn with<R>(handle: u32, f: impl FnOnce(&mut Manager) -> R) -> Result<R> {
    MANAGERS.with(|cell| {
        let mut table = cell
            .try_borrow_mut()
            .map_err(|_| Error::new(Status::GenericFailure, "interaction registry re-entered"))?;
        let slot = (handle as usize)
            .checked_sub(1)
            .and_then(|i| table.get_mut(i));
        let manager = slot.and_then(Option::as_mut).ok_or_else(|| {
            Error::new(
                Status::InvalidArg,
                format!("no interaction registry with handle {handle}"),
            )
        })?;
        Ok(f(manager))
    })
}

pub fn remove(handle: u32) -> Option<Box<Manager>> {
    MANAGERS.with_borrow_mut(|table| {
        let i = (handle as usize).checked_sub(1)?;
        table.get_mut(i).and_then(Option::take)
    })
}

/// Makes the rejection error through the JS factory:
/// `makeError(code, message, slot, settled, retryAfterMs)`.
/// `slot` is -1 when there is none; `settled` is false for a request that was refused, whose
/// slot the JS layer frees without an event.
pub unsafe fn make_error(
    env: napi_env,
    factory: sys::napi_ref,
    code: &str,
    message: napi_value,
    slot: Option<u32>,
    settled: bool,
    retry_after_ms: Option<u64>,
) -> Result<napi_value> {
    let f = raw::ref_value(env, factory)?;
    let code = raw::string(env, code)?;
    let retry = match retry_after_ms {
        Some(ms) => raw::number(env, ms as f64)?,
        None => raw::undefined(env)?,
    };
    call_factory(env, f, code, message, slot, settled, retry)
}

unsafe fn call_factory(
    env: napi_env,
    f: napi_value,
    code: napi_value,
    message: napi_value,
    slot: Option<u32>,
    settled: bool,
    retry: napi_value,
) -> Result<napi_value> {
    let slot = raw::number(env, slot.map_or(-1.0, f64::from))?;
    let mut flag = std::ptr::null_mut();
    raw::check(
        sys::napi_get_boolean(env, settled, &mut flag),
        "get_boolean",
    )?;
    raw::call(env, f, &[code, message, slot, flag, retry])
}

/// Finishes settlements the registry has already made: rejects each promise with an error from
/// the factory, which also frees the record's slot. Every promise is settled even if an earlier
/// one failed.
pub unsafe fn reject_all(
    env: napi_env,
    factory: sys::napi_ref,
    settled: Vec<Settled<Held>>,
    reason: Option<napi_value>,
) -> Result<()> {
    let mut first_error = None;
    // A batch (a removed session, a chunk of timeouts) shares one code: make its strings once.
    let mut strings: Option<(interaction_core::SettleCode, napi_value, napi_value)> = None;
    let f = raw::ref_value(env, factory).ok();
    for s in settled {
        let outcome = (|| {
            let (code, message) = match strings {
                Some((c, code, message)) if c == s.code => (code, message),
                _ => {
                    let code = raw::string(env, s.code.code())?;
                    let message = match reason {
                        Some(m) => m,
                        None => raw::string(env, s.code.message())?,
                    };
                    strings = Some((s.code, code, message));
                    (code, message)
                }
            };
            let f =
                f.ok_or_else(|| Error::new(Status::GenericFailure, "error factory unavailable"))?;
            call_factory(
                env,
                f,
                code,
                message,
                Some(s.payload.slot),
                true,
                raw::undefined(env)?,
            )
        })();
        let value = match outcome {
            Ok(err) => err,
            Err(e) => {
                first_error.get_or_insert(e);
                // The promise must settle even when the factory threw: a plain N-API error.
                plain_error(env, s.code.message()).unwrap_or(std::ptr::null_mut())
            }
        };
        let settled = raw::settle(env, s.payload.deferred, value, false);
        if let Err(e) = settled {
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}

unsafe fn plain_error(env: napi_env, message: &str) -> Result<napi_value> {
    let msg = raw::string(env, message)?;
    let mut out = std::ptr::null_mut();
    raw::check(
        sys::napi_create_error(env, std::ptr::null_mut(), msg, &mut out),
        "create_error",
    )?;
    Ok(out)
}

/// At env teardown (worker terminated, process exiting) JS can no longer run, so every pending
/// promise is settled with a plain error and the factory reference deleted, leaving no handle.
unsafe extern "C" fn on_env_teardown(arg: *mut std::ffi::c_void) {
    let env: napi_env = arg.cast();
    let drained: Vec<Box<Manager>> = MANAGERS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut table) => table.iter_mut().filter_map(Option::take).collect(),
        Err(_) => Vec::new(),
    });
    HOOKED.set(false);
    if drained.is_empty() {
        return;
    }
    // Cleanup hooks run outside any JS call, so no handle scope is open yet.
    let mut scope = std::ptr::null_mut();
    if sys::napi_open_handle_scope(env, &mut scope) != sys::Status::napi_ok {
        return;
    }
    for mut manager in drained {
        for s in manager.registry.shutdown() {
            let value = plain_error(env, s.code.message()).unwrap_or(std::ptr::null_mut());
            let _ = raw::settle(env, s.payload.deferred, value, false);
        }
        raw::drop_ref(env, manager.make_error);
    }
    sys::napi_close_handle_scope(env, scope);
}
