//! Calling the scripts by hash (EVALSHA), loading them again after a server lost them (a restart),
//! and telling an outage from a bug.

use super::scripts;
use redis::aio::ConnectionManager;
use redis::{Cmd, ErrorKind, RedisError, ServerErrorKind};

#[derive(Clone, Copy)]
pub enum Which {
    Publish,
    End,
    Refresh,
    Claim,
    Touch,
    RemoveSession,
    SessionState,
    List,
    Reap,
    Purge,
}

/// The bodies, in `Which` order.
const BODIES: [&str; 10] = [
    scripts::PUBLISH,
    scripts::END,
    scripts::REFRESH,
    scripts::CLAIM,
    scripts::TOUCH,
    scripts::REMOVE_SESSION,
    scripts::SESSION_STATE,
    scripts::LIST,
    scripts::REAP,
    scripts::PURGE,
];

pub struct Scripts {
    /// (source, SHA1) of each, in `Which` order.
    scripts: Vec<(String, String)>,
}

impl Scripts {
    pub fn new() -> Self {
        Scripts {
            scripts: BODIES
                .iter()
                .map(|body| {
                    let code = scripts::source(body);
                    let hash = redis::Script::new(&code).get_hash().to_owned();
                    (code, hash)
                })
                .collect(),
        }
    }

    /// `EVALSHA <script> 0 <args...>`: the scripts take no KEYS (they build keys from the prefix,
    /// which is fine on one server, not on Redis Cluster).
    pub fn cmd(&self, which: Which) -> Cmd {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(&self.scripts[which as usize].1).arg(0);
        cmd
    }

    /// Loads every script: at start, and again after a server answered NOSCRIPT (it restarted).
    pub async fn load(&self, conn: &mut ConnectionManager) -> Result<(), RedisError> {
        let mut pipe = redis::pipe();
        for (code, _) in &self.scripts {
            pipe.cmd("SCRIPT").arg("LOAD").arg(code).ignore();
        }
        pipe.query_async::<()>(conn).await
    }

    /// Runs one script call, loading the scripts once if the server no longer has them.
    pub async fn run<T: redis::FromRedisValue>(
        &self,
        conn: &mut ConnectionManager,
        cmd: &Cmd,
    ) -> Result<T, RedisError> {
        match cmd.query_async::<T>(conn).await {
            Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                self.load(conn).await?;
                cmd.query_async::<T>(conn).await
            }
            other => other,
        }
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

/// The message a JS caller sees: its first word is the code the JS layer puts on the error.
pub fn describe(e: &RedisError) -> String {
    if unavailable(e) {
        format!("REDIS_UNAVAILABLE: {e}")
    } else {
        format!("REDIS_ERROR: {e}")
    }
}
