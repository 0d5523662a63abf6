//! The life of a registry: `create`, `destroy` (the manager was garbage-collected),
//! and the env teardown hook that frees the registries and gives up whatever is still pending
//! when JS can no longer run.

use crate::convert::millis;
use crate::finish::Finisher;
use crate::handles;
use crate::js;
use interaction_core::{Config, RateLimit};
use napi::bindgen_prelude::*;
use napi::sys::{self, napi_env};
use napi::JsValue;
use napi_derive::napi;
use std::cell::Cell;

/// The options of one registry, already checked by the JS layer (`readOptions` in
/// `lib/options.js`).
#[napi(object)]
pub struct RegistryOptions {
    /// Default per-interaction timeout in ms; 0 disables it.
    pub interaction_timeout_ms: f64,
    /// Age in ms past which the stale sweep rejects an interaction; 0 disables the sweep.
    pub stale_threshold_ms: f64,
    /// Pending interactions one session may hold at once.
    pub max_interactions_per_session: u32,
    /// Pending interactions the whole registry may hold at once.
    pub max_pending_total: u32,
    /// When set, an answer must name the interaction's own session.
    pub require_session_match: bool,
    /// Requests per session per `rateLimitWindowMs`; 0 disables rate limits.
    pub rate_limit_max: u32,
    /// The rate-limit window in ms.
    pub rate_limit_window_ms: f64,
    /// Distinct types with a statistics row of their own; later ones share the row `other`.
    pub max_types: u32,
}

/// Converts, does not check: `readOptions` made every value what the field says (the one check),
/// and a value that is not (a direct call of the binding) becomes the nearest one the registry
/// takes, never a panic.
impl From<RegistryOptions> for Config {
    fn from(o: RegistryOptions) -> Self {
        Config {
            interaction_timeout_ms: millis(o.interaction_timeout_ms).unwrap_or(0),
            stale_threshold_ms: millis(o.stale_threshold_ms).unwrap_or(0),
            max_per_session: o.max_interactions_per_session,
            max_pending_total: o.max_pending_total,
            require_session_match: o.require_session_match,
            rate_limit: (o.rate_limit_max > 0).then(|| RateLimit {
                max: o.rate_limit_max,
                window_ms: millis(o.rate_limit_window_ms).unwrap_or(0).max(1),
            }),
            max_types: o.max_types,
            ..Config::default()
        }
    }
}

/// Creates a registry and returns its handle. `errorFactory(code, message, slot, settled,
/// retryAfterMs)` makes every rejection error, so errors belong to the realm that loaded the
/// package (Jest runs tests in another); it must not call back into the registry.
#[napi(catch_unwind)]
pub fn create(env: Env, error_factory: Function<'_>, options: RegistryOptions) -> Result<u32> {
    let config = Config::from(options);
    let env = env.raw();
    hook_teardown(env)?;
    // SAFETY: `env` is this call's env and `error_factory` a function value of this call.
    let factory = unsafe { js::new_ref(env, error_factory.value().value)? };
    handles::insert(config, factory).map_err(|(e, factory)| {
        // SAFETY: this call's env; the reference was made just above and nothing holds it.
        unsafe { js::drop_ref(env, factory) };
        e
    })
}

/// Frees the registry of a manager that was garbage-collected: settles what is still pending
/// with `SHUTDOWN` (nobody can answer it any more). Later calls with this handle throw.
#[napi(catch_unwind)]
pub fn destroy(env: Env, handle: u32) -> Result<()> {
    let env = env.raw();
    if let Some(mut r) = handles::remove(handle) {
        // SAFETY: this call's env; the registry was taken out of the table, so no borrow is held
        // while the factory runs.
        unsafe {
            let mut fin = Finisher::new(env, Some(r.error_factory));
            fin.reject_all(r.registry.shutdown(), None);
            js::drop_ref(env, r.error_factory);
            if let Some(e) = fin.thrown() {
                js::throw(env, e)?;
                return Err(Error::new(Status::PendingException, "factory threw"));
            }
        }
    }
    Ok(())
}

thread_local! {
    static HOOKED: Cell<bool> = const { Cell::new(false) };
}

/// Adds the teardown hook of this thread's env, once: one hook per env, even when the addon is
/// loaded twice into the same thread.
fn hook_teardown(env: napi_env) -> Result<()> {
    if HOOKED.get() {
        return Ok(());
    }
    // SAFETY: `env` is the current call's env; the hook gets it back as its argument, and the
    // hook is removed with the env.
    let status = unsafe { sys::napi_add_env_cleanup_hook(env, Some(on_env_teardown), env.cast()) };
    js::check(status, "add_env_cleanup_hook")?;
    HOOKED.set(true);
    Ok(())
}

/// At env teardown (a worker terminated or exiting, the process exiting) JS can no longer run,
/// so nothing pending can be settled: on Node `napi_reject_deferred` then refuses before it
/// frees anything (`can_call_into_js` is false; measured, it settled none:
/// `__test__/teardown.spec.js`). So this frees everything Rust holds and gives each deferred up
/// exactly once; their V8 handles go with the isolate. It makes no JS value: the error values
/// the finish path made here aborted Deno 2 ("Cannot create a handle without a HandleScope",
/// SIGTRAP, exit 133) in every process that ended by itself with an interaction pending, though
/// a scope had been opened with `napi_open_handle_scope` (Deno's returns without leaving a V8
/// scope open); `__test__/runtimes.spec.js`. `napi_delete_reference` only drops a persistent
/// handle, which needs no scope (measured on Node, Deno and Bun).
/// Settling earlier, at process `exit`, was tried and dropped: a rejection nobody awaits then
/// becomes an unhandled rejection that turns a clean exit into exit code 1.
unsafe extern "C" fn on_env_teardown(arg: *mut std::ffi::c_void) {
    let env: napi_env = arg.cast();
    let drained = handles::drain();
    HOOKED.set(false);
    for mut r in drained {
        for settled in r.registry.shutdown() {
            settled.payload.deferred.abandon();
        }
        // SAFETY: `env` is the env being torn down, on its own thread, and the reference was
        // made by `create` in this env; nothing else holds it once the registry is drained.
        unsafe { js::drop_ref(env, r.error_factory) };
    }
}
