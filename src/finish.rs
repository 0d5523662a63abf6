//! The one way a promise leaves the binding. Every ending (an answer, a refusal, a rejection, a
//! removed session, a timeout, the stale sweep, shutdown, process exit) settles its deferred
//! here, exactly once, whatever JS does meanwhile:
//!
//! - the rejection error is made by the JS factory, so it belongs to the realm that loaded the
//!   package; when the factory throws (frozen intrinsics, a stack at its limit, a hostile
//!   prototype), its exception is taken off the env, so N-API accepts the next calls, and the
//!   promise is rejected with a fallback error made by N-API, whose `cause` is that exception;
//! - each settlement is reported back to JS as `(slot, code)`, so the JS layer frees the slot and
//!   queues the event after the call, even for the settlements whose error had to fall back;
//! - the first exception is handed back to JS, which rethrows it once every event is emitted.
//!
//! `settle_with` is the frame of every call that settles in bulk: run the registry, end the
//! borrow, then finish here.

use crate::convert::now;
use crate::deferred::Deferred;
use crate::handles::{self, Held};
use crate::js;
use interaction_core::{InteractionId, Registry, SettleCode, Settled};
use napi::bindgen_prelude::Unknown;
use napi::sys::{self, napi_env, napi_value};
use napi::Result;

/// How one interaction ends.
pub enum Ending {
    Resolve(napi_value),
    /// `code` is what JS sees as `err.code`; `message` is the caller's reason (a `Rejected`
    /// settlement, a refusal's text), else the error carries `settle_code`'s message.
    /// `settle_code` is `None` for a refused request: no interaction existed, so nothing is
    /// reported, no event follows and the error has no `interactionId`.
    Reject {
        code: &'static str,
        settle_code: Option<SettleCode>,
        message: Option<napi_value>,
        retry_after_ms: Option<u64>,
    },
}

pub struct Finisher {
    env: napi_env,
    /// The JS error factory (`handles::NativeRegistry::error_factory`); none when JS cannot
    /// run, and every error then falls back.
    factory: Option<napi_value>,
    report: Vec<(u32, u32)>,
    thrown: Option<napi_value>,
    /// A batch shares one code: its strings are made once.
    strings: Option<(&'static str, napi_value, napi_value)>,
}

impl Finisher {
    /// # Safety
    /// The contract at the top of `js.rs`; `factory` (if any) is a function of this env.
    pub unsafe fn new(env: napi_env, factory: Option<sys::napi_ref>) -> Self {
        // SAFETY: the caller's contract; a reference that no longer resolves gives no factory,
        // and every error then falls back.
        let factory = factory.and_then(|r| unsafe { js::ref_value(env, r) }.ok());
        Self {
            env,
            factory,
            report: Vec::new(),
            thrown: None,
            strings: None,
        }
    }

    /// Settles `deferred` as `ending` says, exactly once; `slot` and `id` name the record of a
    /// registered interaction (none for a refused request).
    ///
    /// # Safety
    /// The contract at the top of `js.rs`; no registry borrow is held (the factory is JS).
    pub unsafe fn finish(
        &mut self,
        deferred: Deferred,
        slot: Option<u32>,
        id: Option<InteractionId>,
        ending: Ending,
    ) {
        let (value, ok, code) = match ending {
            Ending::Resolve(value) => (value, true, Some(SettleCode::Resolved)),
            Ending::Reject {
                code,
                settle_code,
                message,
                retry_after_ms,
            } => {
                let text = settle_code.map_or(code, |c| c.message());
                // SAFETY: the caller's contract.
                let error =
                    unsafe { self.make_error(code, text, message, slot, id, retry_after_ms) };
                (error, false, settle_code)
            }
        };
        // SAFETY: the caller's contract.
        let refused = match unsafe { deferred.settle(self.env, value, ok) } {
            Ok(()) => None,
            Err(refused) => Some(refused.deferred),
        };
        if let Some(deferred) = refused {
            // An exception left pending by JS run before this call refuses every N-API call:
            // take it (it is reported like a factory's) and settle again.
            // SAFETY: the caller's contract.
            if let Some(e) = unsafe { js::take_exception(self.env) } {
                self.thrown.get_or_insert(e);
            }
            // SAFETY: the caller's contract.
            if let Err(again) = unsafe { deferred.settle(self.env, value, ok) } {
                again.deferred.abandon();
            }
        }
        if let (Some(slot), Some(code)) = (slot, code) {
            if id.is_some() {
                self.report.push((slot, code.index() as u32));
            }
        }
    }

    /// Finishes interactions the registry has settled (all but answers are rejections):
    /// `reason` is the message of `Rejected` ones, the rest carry their code's legacy message.
    ///
    /// # Safety
    /// As `finish`.
    pub unsafe fn reject_all(&mut self, settled: Vec<Settled<Held>>, reason: Option<napi_value>) {
        for s in settled {
            let ending = Ending::Reject {
                code: s.code.code(),
                settle_code: Some(s.code),
                message: if s.code == SettleCode::Rejected {
                    reason
                } else {
                    None
                },
                retry_after_ms: None,
            };
            // SAFETY: the caller's contract.
            unsafe { self.finish(s.payload.deferred, Some(s.payload.slot), Some(s.id), ending) };
        }
    }

    unsafe fn make_error(
        &mut self,
        code: &'static str,
        text: &'static str,
        message: Option<napi_value>,
        slot: Option<u32>,
        id: Option<InteractionId>,
        retry_after_ms: Option<u64>,
    ) -> napi_value {
        let env = self.env;
        // SAFETY: (whole block) the contract of `finish`.
        let made = unsafe {
            (|| -> Result<napi_value> {
                let f = self
                    .factory
                    .ok_or_else(|| napi::Error::new(napi::Status::GenericFailure, "no factory"))?;
                let (code_v, message_v) = match self.strings {
                    Some((c, code_v, message_v)) if c == code && message.is_none() => {
                        (code_v, message_v)
                    }
                    _ => {
                        let code_v = js::string(env, code)?;
                        let message_v = match message {
                            Some(m) => m,
                            None => js::string(env, text)?,
                        };
                        if message.is_none() {
                            self.strings = Some((code, code_v, message_v));
                        }
                        (code_v, message_v)
                    }
                };
                let slot_v = js::number(env, slot.map_or(-1.0, f64::from))?;
                let settled = js::boolean(env, id.is_some())?;
                let retry = match retry_after_ms {
                    Some(ms) => js::number(env, ms as f64)?,
                    None => js::undefined(env)?,
                };
                js::call(env, f, &[code_v, message_v, slot_v, settled, retry])
            })()
        };
        if let Ok(error) = made {
            return error;
        }
        // SAFETY: the contract of `finish`.
        let cause = unsafe { js::take_exception(env) };
        if let Some(e) = cause {
            self.thrown.get_or_insert(e);
        }
        // SAFETY: the contract of `finish`.
        unsafe { fallback_error(env, code, text, message, id, cause) }
    }

    /// Hands the settlements to JS: `[thrown, extra, slot, code, slot, code, ...]`, where
    /// `thrown` is the first exception JS threw during the call (undefined when none) and `extra`
    /// is the call's own result.
    ///
    /// # Safety
    /// The contract at the top of `js.rs`.
    pub unsafe fn report(self, extra: napi_value) -> Result<napi_value> {
        let env = self.env;
        // SAFETY: (whole block) the caller's contract.
        unsafe {
            let arr = js::array(env, 2 + self.report.len() * 2)?;
            let thrown = match self.thrown {
                Some(e) => e,
                None => js::undefined(env)?,
            };
            js::set_element(env, arr, 0, thrown)?;
            js::set_element(env, arr, 1, extra)?;
            let mut i = 2;
            for (slot, code) in self.report {
                js::set_element(env, arr, i, js::number(env, f64::from(slot))?)?;
                js::set_element(env, arr, i + 1, js::number(env, f64::from(code))?)?;
                i += 2;
            }
            Ok(arr)
        }
    }

    /// The first exception JS threw during the call, if any.
    pub fn thrown(&self) -> Option<napi_value> {
        self.thrown
    }
}

/// The error a promise is rejected with when the factory could not make one: made by N-API,
/// with `code`, `interactionId` and `cause` defined as own properties (no setter runs).
unsafe fn fallback_error(
    env: napi_env,
    code: &str,
    text: &str,
    message: Option<napi_value>,
    id: Option<InteractionId>,
    cause: Option<napi_value>,
) -> napi_value {
    // SAFETY: (whole block) the contract of `finish`.
    unsafe {
        let made = (|| -> Result<napi_value> {
            let code_v = js::string(env, code)?;
            let message_v = match message {
                Some(m) if js::type_of(env, m)? == sys::ValueType::napi_string => m,
                _ => js::string(env, text)?,
            };
            let mut error = std::ptr::null_mut();
            js::check(
                sys::napi_create_error(env, code_v, message_v, &mut error),
                "create_error",
            )?;
            if let Some(id) = id {
                let text = id.to_string();
                js::define_value(env, error, c"interactionId", js::string(env, &text)?)?;
            }
            if let Some(cause) = cause {
                js::define_value(env, error, c"cause", cause)?;
            }
            Ok(error)
        })();
        match made {
            Ok(error) => error,
            // Even N-API could not make an error: reject with undefined rather than not at all.
            Err(_) => {
                let _ = js::take_exception(env);
                js::undefined(env).unwrap_or(std::ptr::null_mut())
            }
        }
    }
}

/// Runs `f` on the registry of `handle` at `clock`, then finishes every interaction it settled
/// and returns the report (`Finisher::report`) with `f`'s result as its second element.
/// `reason` is the message of `Rejected` settlements. `f` only collects: no JS runs while the
/// registry is borrowed, and nothing it settled is left unfinished.
pub fn settle_with<'a>(
    env: napi_env,
    handle: u32,
    clock: f64,
    reason: Option<napi_value>,
    f: impl FnOnce(&mut Registry<Held>, &mut Vec<Settled<Held>>) -> f64,
) -> Result<Unknown<'a>> {
    let (result, settled, factory) = handles::with(handle, |r| {
        r.registry.advance(now(clock));
        let mut settled = Vec::new();
        let result = f(&mut r.registry, &mut settled);
        (result, settled, r.error_factory)
    })?;
    // SAFETY: this call's env; the registry borrow ended above.
    unsafe {
        let mut fin = Finisher::new(env, Some(factory));
        fin.reject_all(settled, reason);
        let extra = js::number(env, result)?;
        js::out(env, fin.report(extra)?)
    }
}
