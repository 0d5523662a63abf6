//! The registries of this thread (one Node.js env per thread), addressed by a plain `u32`
//! handle: a plain function taking a number costs a tenth of a class method call
//! (`docs/napi-facts.md`).

use crate::deferred::Deferred;
use interaction_core::{Config, Registry};
use napi::sys;
use napi::{Error, Result, Status};
use std::cell::RefCell;

/// What the registry keeps for one pending interaction: its promise's deferred, and the slot
/// where the JS layer keeps its record (which holds `data` and `metadata`). No JS reference per
/// interaction: the JS layer empties the slot when Rust reports the settlement.
pub struct Held {
    pub deferred: Deferred,
    pub slot: u32,
}

/// One registry and the JS function its rejections are made with.
pub struct NativeRegistry {
    pub registry: Registry<Held>,
    /// The JS error factory, `(code, message, slot, settled, retryAfterMs) => error`: it makes
    /// each rejection error in the realm that loaded the package and only reads (the JS layer
    /// frees slots and queues events itself, once the report is back).
    pub error_factory: sys::napi_ref,
}

thread_local! {
    /// Slot `handle - 1` holds the registry of `handle`. Handles are never reused, so a stale
    /// handle finds an empty slot, never another registry.
    static TABLE: RefCell<Vec<Option<Box<NativeRegistry>>>> = const { RefCell::new(Vec::new()) };
}

/// Adds a registry to the table and returns its handle; `Err` hands `error_factory` back.
pub fn insert(
    config: Config,
    error_factory: sys::napi_ref,
) -> std::result::Result<u32, (Error, sys::napi_ref)> {
    TABLE.with_borrow_mut(|table| {
        let Ok(handle) = u32::try_from(table.len() + 1) else {
            let e = Error::new(Status::GenericFailure, "too many registries");
            return Err((e, error_factory));
        };
        table.push(Some(Box::new(NativeRegistry {
            registry: Registry::new(config),
            error_factory,
        })));
        Ok(handle)
    })
}

fn reentered() -> Error {
    Error::new(Status::GenericFailure, "interaction registry re-entered")
}

fn find(table: &mut [Option<Box<NativeRegistry>>], handle: u32) -> Result<&mut NativeRegistry> {
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
pub fn with<R>(handle: u32, f: impl FnOnce(&mut NativeRegistry) -> R) -> Result<R> {
    with_value(handle, (), |r, ()| f(r)).map_err(|(e, ())| e)
}

/// Like `with`, for a value that `f` consumes: when `f` cannot run, the value comes back.
pub fn with_value<T, R>(
    handle: u32,
    value: T,
    f: impl FnOnce(&mut NativeRegistry, T) -> R,
) -> std::result::Result<R, (Error, T)> {
    TABLE.with(|cell| {
        let Ok(mut table) = cell.try_borrow_mut() else {
            return Err((reentered(), value));
        };
        match find(&mut table, handle) {
            Ok(r) => Ok(f(r, value)),
            Err(e) => Err((e, value)),
        }
    })
}

/// Takes the registry of `handle` out of the table; later calls with `handle` fail.
pub fn remove(handle: u32) -> Option<Box<NativeRegistry>> {
    TABLE.with_borrow_mut(|table| {
        let i = (handle as usize).checked_sub(1)?;
        table.get_mut(i).and_then(Option::take)
    })
}

/// Takes every registry of this thread out of the table.
pub fn drain() -> Vec<NativeRegistry> {
    TABLE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut table) => table
            .iter_mut()
            .filter_map(Option::take)
            .map(|r| *r)
            .collect(),
        Err(_) => Vec::new(),
    })
}
