//! Codes, messages, limits and defaults, each defined once (here or in the core) and read by the
//! JS layer from the binding instead of written out again there.

use interaction_core::{Config, SettleCode, DEFAULT_CLEANUP_INTERVAL_MS};
use napi_derive::napi;

/// Longest `type` or `sessionId` accepted, in UTF-16 units; longer ones are refused, not copied.
#[napi]
pub const MAX_NAME: u32 = 16_384;

/// How long `detachSession` keeps a session's interactions pending when it is given no
/// `graceMs`, in ms.
#[napi]
pub const DEFAULT_GRACE_MS: u32 = interaction_core::DEFAULT_GRACE_MS;

/// One way an interaction ends.
#[napi(object)]
pub struct SettleCodeText {
    /// What JS sees as `err.code` of the rejection, and as the `code` label of the metrics.
    pub code: String,
    /// The message of the rejection error: `''` for `RESOLVED` (an answer rejects nothing);
    /// a `REJECTED` error carries the caller's reason instead, when one is given.
    pub message: String,
}

/// Every way an interaction ends, in the core's `SettleCode` order: the binding's reports name
/// codes by their index in this list.
#[napi(catch_unwind)]
pub fn settle_codes() -> Vec<SettleCodeText> {
    SettleCode::ALL
        .iter()
        .map(|c| SettleCodeText {
            code: c.code().to_owned(),
            message: c.message().to_owned(),
        })
        .collect()
}

/// The options a manager has when it is given none (`DEFAULTS` of the package).
#[napi(object)]
pub struct Defaults {
    /// Per-interaction timeout in ms.
    pub interaction_timeout_ms: f64,
    /// Age in ms past which the stale sweep rejects an interaction.
    pub stale_threshold_ms: f64,
    /// How often the stale sweep runs, in ms.
    pub cleanup_interval_ms: f64,
    /// Pending interactions one session may hold at once.
    pub max_interactions_per_session: u32,
    /// Pending interactions the whole manager may hold at once.
    pub max_pending_total: u32,
    /// Whether an answer must name the interaction's own session.
    pub require_session_match: bool,
    /// Distinct types with a statistics row of their own.
    pub max_types: u32,
}

/// The defaults of a manager's options, from the core's `Config::default()`.
#[napi(catch_unwind)]
pub fn defaults() -> Defaults {
    let c = Config::default();
    Defaults {
        interaction_timeout_ms: c.interaction_timeout_ms as f64,
        stale_threshold_ms: c.stale_threshold_ms as f64,
        cleanup_interval_ms: f64::from(DEFAULT_CLEANUP_INTERVAL_MS),
        max_interactions_per_session: c.max_per_session,
        max_pending_total: c.max_pending_total,
        require_session_match: c.require_session_match,
        max_types: c.max_types,
    }
}
