//! Why a cluster call failed, with the stable code JS puts on its error (`err.code`). The code
//! travels on its own: as the kind of a failed call's delivery (`wire::failure`), or as the
//! code of the error a `RedisLink` method throws. The message never carries it.

use redis::{ErrorKind, RedisError, ServerErrorKind};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ClusterError {
    /// Redis could not be reached, or did not answer in time: trying again later may work.
    #[error("{0}")]
    Unavailable(String),
    /// Redis answered with an error: a script or command was refused (a bug, or keys of another
    /// kind under the prefix).
    #[error("{0}")]
    Refused(String),
    /// The link was closed, or never started: there is no connection to ask.
    #[error("the cluster link is closed")]
    Closed,
    #[error("the cluster link was already started")]
    AlreadyStarted,
    /// The call's task panicked.
    #[error("the cluster call failed: {0}")]
    Crashed(String),
    /// Cluster mode's threads could not start; for the caller, Redis is out of reach.
    #[error("{0}")]
    Runtime(String),
    /// At connect: another live process holds this instance id (its liveness key was renewed
    /// while this connect waited). The message names the id and why.
    #[error("{0}")]
    InstanceIdInUse(String),
    /// A string argument that is not well-formed UTF-16 (a bug in the JS layer, which never
    /// sends one): refused, because a lossy conversion would turn one session into another.
    #[error("the {0} is not well-formed UTF-16 (a lone surrogate): refused, never converted")]
    NotWellFormed(&'static str),
}

impl ClusterError {
    pub fn code(&self) -> &'static str {
        match self {
            ClusterError::Unavailable(_) | ClusterError::Closed | ClusterError::Runtime(_) => {
                "REDIS_UNAVAILABLE"
            }
            ClusterError::Refused(_)
            | ClusterError::AlreadyStarted
            | ClusterError::Crashed(_)
            | ClusterError::NotWellFormed(_) => "REDIS_ERROR",
            ClusterError::InstanceIdInUse(_) => "INSTANCE_ID_IN_USE",
        }
    }
}

impl From<RedisError> for ClusterError {
    fn from(e: RedisError) -> Self {
        if unavailable(&e) {
            ClusterError::Unavailable(e.to_string())
        } else {
            ClusterError::Refused(e.to_string())
        }
    }
}

/// The error a `RedisLink` method throws: `err.code` is the code, `err.message` the message.
impl From<ClusterError> for napi::Error<&'static str> {
    fn from(e: ClusterError) -> Self {
        napi::Error::new(e.code(), e)
    }
}

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
