//! The scripts of liveness: the heartbeat's renewal (`beat.lua`) and reaper (`reap.lua`), the
//! take of the instance id at connect (`hello.lua`), leaving at close (`leave.lua`) and the
//! reader's trim of its inbox (`trim.lua`); called the way `scripts.rs` calls every script.

use super::keys::{Keys, EVENTS_MAXLEN, EVENTS_TTL_MS};
use super::scripts::{gone_limits, Script, Scripts};
use super::wire;
use redis::{Cmd, FromRedisValue, Value};
use std::time::Duration;

impl Scripts {
    /// `reap.lua`, for another owner. `now`: ms since the epoch.
    pub fn reap(&self, k: &Keys, owner: &str, now: u64) -> Cmd {
        let mut cmd = self.call(
            Script::Reap,
            &[
                &k.node(owner),
                &k.own(owner),
                &k.inbox(owner),
                &k.owners,
                &k.events,
                &k.gone,
            ],
        );
        let (gone_len, gone_ms) = gone_limits();
        cmd.arg(&k.prefix)
            .arg(owner)
            .arg(now)
            .arg(EVENTS_MAXLEN)
            .arg(EVENTS_TTL_MS)
            .arg(wire::SESSION_KEY_NULL)
            .arg(gone_len)
            .arg(gone_ms);
        cmd
    }

    /// `hello.lua`, at connect: takes this process's instance id for its incarnation, unless
    /// another holds it (see `Hello`). `ttl`: the owner timeout; `now`: ms since the epoch.
    pub fn hello(&self, k: &Keys, ttl: Duration, now: u64) -> Cmd {
        let mut cmd = self.call(
            Script::Hello,
            &[
                &k.my_node,
                &k.my_own,
                &k.my_inbox,
                &k.owners,
                &k.events,
                &k.gone,
            ],
        );
        let (gone_len, gone_ms) = gone_limits();
        cmd.arg(&k.prefix)
            .arg(&k.me)
            .arg(&k.incarnation)
            .arg(ttl.as_millis() as u64)
            .arg(now)
            .arg(EVENTS_MAXLEN)
            .arg(EVENTS_TTL_MS)
            .arg(wire::SESSION_KEY_NULL)
            .arg(gone_len)
            .arg(gone_ms);
        cmd
    }

    /// `beat.lua`: renews the liveness key and the inbox; answers 0 once this incarnation was
    /// replaced.
    pub fn beat(&self, k: &Keys, ttl: Duration) -> Cmd {
        let mut cmd = self.call(Script::Beat, &[&k.my_node, &k.my_inbox]);
        cmd.arg(&k.incarnation).arg(ttl.as_millis() as u64);
        cmd
    }

    /// `leave.lua`: removes the liveness key and the inbox, unless another incarnation holds them.
    pub fn leave(&self, k: &Keys) -> Cmd {
        let mut cmd = self.call(Script::Leave, &[&k.my_node, &k.my_inbox]);
        cmd.arg(&k.incarnation);
        cmd
    }

    /// `trim.lua`: drops the inbox entries before `keep` (the first id not read yet).
    pub fn trim(&self, k: &Keys, keep: &str) -> Cmd {
        let mut cmd = self.call(Script::Trim, &[&k.my_node, &k.my_inbox]);
        cmd.arg(&k.incarnation).arg(keep);
        cmd
    }
}

/// What `hello.lua` answered.
#[derive(Debug, PartialEq, Eq)]
pub enum Hello {
    /// The instance id is this incarnation's now.
    Taken,
    /// Another incarnation holds it: its token and when its liveness key expires (ms since the
    /// epoch, by the server's clock; `None`: never).
    Held {
        holder: String,
        expires_at: Option<i64>,
    },
}

impl FromRedisValue for Hello {
    fn from_redis_value(v: Value) -> Result<Self, redis::ParsingError> {
        // The fourth, the key's PTTL, is for a reader of the script's answer (redis-cli).
        let (taken, holder, expires_at, _pttl): (i64, String, i64, i64) =
            FromRedisValue::from_redis_value(v)?;
        Ok(if taken == 1 {
            Hello::Taken
        } else {
            Hello::Held {
                holder,
                expires_at: (expires_at >= 0).then_some(expires_at),
            }
        })
    }
}
