//! Errors and settlement codes, each with the stable string that JavaScript sees as `err.code`.

use thiserror::Error;

/// How an interaction ended. Every pending interaction ends in exactly one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettleCode {
    Resolved,
    Rejected,
    SessionRemoved,
    Timeout,
    Aborted,
    Stale,
    Shutdown,
    /// Cluster mode: the owner process is gone, or (its own ending) could no longer prove it is
    /// alive and fenced itself, as the others end its interactions.
    OwnerGone,
}

impl SettleCode {
    pub const ALL: [SettleCode; 8] = [
        SettleCode::Resolved,
        SettleCode::Rejected,
        SettleCode::SessionRemoved,
        SettleCode::Timeout,
        SettleCode::Aborted,
        SettleCode::Stale,
        SettleCode::Shutdown,
        SettleCode::OwnerGone,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SettleCode::Resolved => "RESOLVED",
            SettleCode::Rejected => "REJECTED",
            SettleCode::SessionRemoved => "SESSION_REMOVED",
            SettleCode::Timeout => "TIMEOUT",
            SettleCode::Aborted => "ABORTED",
            SettleCode::Stale => "STALE",
            SettleCode::Shutdown => "SHUTDOWN",
            SettleCode::OwnerGone => "OWNER_GONE",
        }
    }

    /// The legacy message of the rejection; `Rejected` carries the caller's reason instead, and
    /// `Resolved` has none (an answer rejects nothing).
    pub fn message(self) -> &'static str {
        match self {
            SettleCode::Resolved => "",
            SettleCode::Rejected => "Interaction rejected",
            SettleCode::SessionRemoved => "Session removed",
            SettleCode::Timeout => "Interaction timed out",
            SettleCode::Aborted => "Interaction aborted",
            SettleCode::Stale => "Stale interaction cleaned up",
            SettleCode::Shutdown => "InteractionManager shutting down",
            SettleCode::OwnerGone => "Owner process gone",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Why a request was refused before it was registered.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("Too many pending interactions for session {0}")]
    TooManyForSession(String),
    #[error("Too many pending interactions (limit {0})")]
    TooManyTotal(u32),
    #[error("InteractionManager has been shut down")]
    ShutDown,
    #[error("an interaction with this id is already pending")]
    DuplicateId,
    /// `subject` is `session <id>`, or `requests without a session` for the shared bucket.
    #[error("Rate limit exceeded for {subject}; retry after {retry_after_ms} ms")]
    RateLimited {
        subject: String,
        retry_after_ms: u64,
    },
}

impl RequestError {
    /// For `RateLimited`: how long until the session may request again.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            RequestError::RateLimited { retry_after_ms, .. } => Some(*retry_after_ms),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            RequestError::TooManyForSession(_) | RequestError::TooManyTotal(_) => {
                "TOO_MANY_PENDING"
            }
            RequestError::ShutDown => "SHUTDOWN",
            RequestError::DuplicateId => "DUPLICATE_ID",
            RequestError::RateLimited { .. } => "RATE_LIMITED",
        }
    }
}

/// Why an answer (resolve, reject, abort) changed nothing.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum AnswerError {
    /// Unknown id, malformed id, or an interaction that is already settled.
    #[error("invalid_or_decided")]
    InvalidOrDecided,
    /// The answering session is not the one the interaction belongs to.
    #[error("SESSION_MISMATCH")]
    SessionMismatch,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_index_order_and_only_resolved_has_no_message() {
        for (i, code) in SettleCode::ALL.iter().enumerate() {
            assert_eq!(code.index(), i);
            assert_eq!(code.message().is_empty(), *code == SettleCode::Resolved);
        }
    }
}
