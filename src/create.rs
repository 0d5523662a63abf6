//! Making and freeing registries.

use crate::args::{millis, type_error};
use crate::finish::Finisher;
use crate::managers;
use crate::raw;
use interaction_core::{Config, RateLimit};
use napi::bindgen_prelude::*;
use napi::JsValue;
use napi_derive::napi;

/// The options of one registry, already checked by the JS layer (`readOptions` in `index.js`).
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

/// Creates a registry and returns its handle. `finish(code, message, slot, settled,
/// retryAfterMs)` makes every rejection error, so errors belong to the realm that loaded the
/// package (Jest runs tests in another); it must not call back into the registry.
#[napi(catch_unwind)]
pub fn create(env: Env, finish: Function<'_>, options: RegistryOptions) -> Result<u32> {
    let config = Config {
        interaction_timeout_ms: millis(options.interaction_timeout_ms)
            .ok_or_else(|| type_error("interactionTimeoutMs"))?,
        stale_threshold_ms: millis(options.stale_threshold_ms)
            .ok_or_else(|| type_error("staleThresholdMs"))?,
        max_per_session: options.max_interactions_per_session,
        max_pending_total: options.max_pending_total,
        require_session_match: options.require_session_match,
        rate_limit: (options.rate_limit_max > 0).then(|| RateLimit {
            max: options.rate_limit_max,
            window_ms: millis(options.rate_limit_window_ms).unwrap_or(0).max(1),
        }),
        max_types: options.max_types,
        ..Config::default()
    };
    // SAFETY: `env` is this call's env and `finish` a function value of this call.
    let factory = unsafe { raw::new_ref(env.raw(), finish.value().value)? };
    managers::insert(env.raw(), config, factory)
}

/// Frees the registry of a manager that was garbage-collected: settles what is still pending
/// with `SHUTDOWN` (nobody can answer it any more). Later calls with this handle throw.
#[napi(catch_unwind)]
pub fn destroy(env: Env, handle: u32) -> Result<()> {
    let env = env.raw();
    if let Some(mut m) = managers::remove(handle) {
        // SAFETY: this call's env; the manager was taken out of the table, so no borrow is held
        // while the factory runs.
        unsafe {
            let mut fin = Finisher::new(env, Some(m.finish));
            fin.reject_all(m.registry.shutdown(), None);
            raw::drop_ref(env, m.finish);
            if let Some(e) = fin.thrown() {
                raw::throw(env, e)?;
                return Err(Error::new(Status::PendingException, "factory threw"));
            }
        }
    }
    Ok(())
}
