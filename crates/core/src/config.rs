//! Limits and durations of one registry, and their defaults, which the binding exports for the
//! JS options (`defaults()`). Zero disables a duration.

/// How long a detached session's interactions stay pending when `detachSession` names no
/// `graceMs`, in ms.
pub const DEFAULT_GRACE_MS: u32 = 30_000;

/// How often the JS layer runs the stale sweep when `cleanupIntervalMs` is not given, in ms. The
/// registry has no timer of its own; the default lives here beside the others.
pub const DEFAULT_CLEANUP_INTERVAL_MS: u32 = 300_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Default per-interaction timeout in ms; 0 disables it.
    pub interaction_timeout_ms: u64,
    /// Age in ms past which the periodic sweep rejects an interaction; 0 disables it.
    pub stale_threshold_ms: u64,
    /// Pending interactions one session may hold at once.
    pub max_per_session: u32,
    /// Pending interactions the whole registry may hold at once.
    pub max_pending_total: u32,
    /// When set, an answer must name the interaction's own session.
    pub require_session_match: bool,
    /// Settled ids remembered for late answers: at most this many...
    pub history_len: usize,
    /// ...and for at most this long (ms).
    pub history_ms: u64,
    /// At most `max` requests per session in any `window_ms`; `None` disables.
    pub rate_limit: Option<RateLimit>,
    /// Distinct types with a statistics row of their own; later ones share the row `other`.
    pub max_types: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            interaction_timeout_ms: 300_000,
            stale_threshold_ms: 600_000,
            max_per_session: 100,
            max_pending_total: 10_000,
            require_session_match: false,
            history_len: 10_000,
            history_ms: 600_000,
            rate_limit: None,
            max_types: 256,
        }
    }
}
