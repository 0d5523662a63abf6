//! The registries of this thread (one Node.js env per thread), addressed by a plain `u32`
//! handle: plain functions taking a number cost a tenth of a class method call (napi notes).

use crate::deferred::Deferred;
use crate::finish::Finisher;
use crate::raw;
use interaction_core::{Config, Registry};
use napi::sys::{self, napi_env};
use napi::{Error, Result, Status};
use std::cell::{Cell, RefCell};

/// What the registry keeps for one pending interaction: its promise's deferred, and the slot
/// where the JS layer keeps its record (which holds `data` and `metadata`). No JS reference per
/// interaction: the JS layer empties the slot when Rust reports the settlement.
pub struct Held {
    pub deferred: Deferred,
    pub slot: u32,
}

pub struct Manager {
    pub registry: Registry<Held>,
    /// The JS function that finishes a settlement in JS (frees the slot, queues the event) and
    /// makes the rejection error in the realm that loaded the package.
    pub finish: sys::napi_ref,
}

thread_local! {
    /// Slot `handle - 1` holds the registry of `handle`. Handles are never reused, so a stale
    /// handle finds an empty slot, never another manager.
    static MANAGERS: RefCell<Vec<Option<Box<Manager>>>> = const { RefCell::new(Vec::new()) };
    static HOOKED: Cell<bool> = const { Cell::new(false) };
}

pub fn insert(env: napi_env, config: Config, finish: sys::napi_ref) -> Result<u32> {
    if !HOOKED.get() {
        // One hook per env, even when the addon is loaded twice into the same thread.
        // SAFETY: `env` is the current call's env; the hook gets it back as its argument, and
        // the hook is removed with the env.
        let status =
            unsafe { sys::napi_add_env_cleanup_hook(env, Some(on_env_teardown), env.cast()) };
        raw::check(status, "add_env_cleanup_hook")?;
        HOOKED.set(true);
    }
    let manager = Box::new(Manager {
        registry: Registry::new(config),
        finish,
    });
    MANAGERS.with_borrow_mut(|table| {
        let handle = u32::try_from(table.len() + 1)
            .map_err(|_| Error::new(Status::GenericFailure, "too many registries"))?;
        table.push(Some(manager));
        Ok(handle)
    })
}

fn reentered() -> Error {
    Error::new(Status::GenericFailure, "interaction registry re-entered")
}

fn find(table: &mut [Option<Box<Manager>>], handle: u32) -> Result<&mut Manager> {
    (handle as usize)
        .checked_sub(1)
        .and_then(|i| table.get_mut(i))
        .and_then(Option::as_deref_mut)
        .ok_or_else(|| {
            Error::new(
                Status::InvalidArg,
                format!("no interaction registry with handle {handle}"),
            )
        })
}

/// Runs `f` on the registry of `handle`; `Err` means `f` did not run. `f` must not call into JS:
/// a listener or getter run from inside could re-enter this table. Callers collect what to
/// finish and do it afterwards.
pub fn with<R>(handle: u32, f: impl FnOnce(&mut Manager) -> R) -> Result<R> {
    with_value(handle, (), |m, ()| f(m)).map_err(|(e, ())| e)
}

/// Like `with`, for a value that `f` consumes: when `f` cannot run, the value comes back.
pub fn with_value<T, R>(
    handle: u32,
    value: T,
    f: impl FnOnce(&mut Manager, T) -> R,
) -> std::result::Result<R, (Error, T)> {
    MANAGERS.with(|cell| {
        let Ok(mut table) = cell.try_borrow_mut() else {
            return Err((reentered(), value));
        };
        match find(&mut table, handle) {
            Ok(m) => Ok(f(m, value)),
            Err(e) => Err((e, value)),
        }
    })
}

pub fn remove(handle: u32) -> Option<Box<Manager>> {
    MANAGERS.with_borrow_mut(|table| {
        let i = (handle as usize).checked_sub(1)?;
        table.get_mut(i).and_then(Option::take)
    })
}

/// Takes every registry of this thread out of the table.
pub fn drain() -> Vec<Manager> {
    MANAGERS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut table) => table
            .iter_mut()
            .filter_map(Option::take)
            .map(|m| *m)
            .collect(),
        Err(_) => Vec::new(),
    })
}

/// At env teardown (a worker terminated or exiting, the process exiting) JS can no longer run:
/// Node has set `can_call_into_js` to false, and `napi_reject_deferred` then returns
/// `napi_pending_exception` before it frees anything. So this settles what N-API still accepts
/// (nothing, on the Node versions measured: see `__test__/teardown.spec.js`) and abandons the
/// rest explicitly, after freeing everything Rust holds: their V8 handles go with the isolate.
/// Settling earlier, at process `exit`, was tried and dropped: a rejection nobody awaits then
/// becomes an unhandled rejection that turns a clean exit into exit code 1.
unsafe extern "C" fn on_env_teardown(arg: *mut std::ffi::c_void) {
    let env: napi_env = arg.cast();
    let drained = drain();
    HOOKED.set(false);
    if drained.is_empty() {
        return;
    }
    // Cleanup hooks run outside any JS call, so no handle scope is open yet.
    let mut scope = std::ptr::null_mut();
    // SAFETY: `env` is the env being torn down, on its own thread; the scope is closed below.
    let opened = unsafe { sys::napi_open_handle_scope(env, &mut scope) } == sys::Status::napi_ok;
    for mut manager in drained {
        // The finish path without a factory (no JS can run): it tries to settle each deferred
        // and, when N-API refuses, gives it up.
        // SAFETY: as above; no registry borrow is held.
        unsafe { Finisher::new(env, None).reject_all(manager.registry.shutdown(), None) };
        // SAFETY: as above; the reference was made by `create` in this env.
        unsafe { raw::drop_ref(env, manager.finish) };
    }
    if opened {
        // SAFETY: the scope opened above, on the same env.
        unsafe { sys::napi_close_handle_scope(env, scope) };
    }
}
