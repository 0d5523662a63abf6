//! Telling an outage from a bug, and the message a JS caller sees.

use redis::{ErrorKind, RedisError, ServerErrorKind};

/// Whether an error means "Redis is not reachable now" (retry later) rather than a bug.
pub fn unavailable(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || matches!(
            e.kind(),
            ErrorKind::AuthenticationFailed
                | ErrorKind::Server(ServerErrorKind::BusyLoading)
                | ErrorKind::Server(ServerErrorKind::NoScript)
                | ErrorKind::Server(ServerErrorKind::MasterDown)
                | ErrorKind::Server(ServerErrorKind::TryAgain)
        )
}

/// The message a JS caller sees: its first word is the code the JS layer puts on the error.
pub fn describe(e: &RedisError) -> String {
    if unavailable(e) {
        format!("REDIS_UNAVAILABLE: {e}")
    } else {
        format!("REDIS_ERROR: {e}")
    }
}
