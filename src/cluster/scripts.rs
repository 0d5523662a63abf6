//! The Lua scripts (`lua/*.lua`) and the one way to call them. Every change to shared state is
//! one script, so each is atomic in Redis. A call is `EVALSHA <hash> <n> <KEYS...> <ARGV...>`,
//! its keys and arguments in the order its file's header declares, put together by the
//! function named for it below; a server that lost the scripts (NOSCRIPT, after a restart) gets
//! them again and the call is repeated once.

use super::keys::{Keys, EVENTS_MAXLEN, EVENTS_TTL_MS, INBOX_MAXLEN};
use super::wire::{self, Record};
use napi_derive::napi;
use redis::aio::{ConnectionLike, ConnectionManager};
use redis::{Cmd, ErrorKind, FromRedisValue, Pipeline, RedisError, ServerErrorKind, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Ms since the epoch on this process's clock.
pub fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// How many ids the reaper remembers, and how long (ms): as single-process mode remembers its
/// settlements.
pub(super) fn gone_limits() -> (usize, u64) {
    let c = interaction_core::Config::default();
    (c.history_len, c.history_ms)
}

/// Helpers every script starts with.
const PRELUDE: &str = include_str!("lua/prelude.lua");

#[derive(Clone, Copy)]
pub(super) enum Script {
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
    Hello,
    Beat,
    Leave,
    Trim,
    Preflight,
}

/// The bodies, in `Script` order.
const BODIES: [&str; 15] = [
    include_str!("lua/publish.lua"),
    include_str!("lua/end.lua"),
    include_str!("lua/refresh.lua"),
    include_str!("lua/claim.lua"),
    include_str!("lua/touch.lua"),
    include_str!("lua/remove_session.lua"),
    include_str!("lua/session_state.lua"),
    include_str!("lua/list.lua"),
    include_str!("lua/reap.lua"),
    include_str!("lua/purge.lua"),
    include_str!("lua/hello.lua"),
    include_str!("lua/beat.lua"),
    include_str!("lua/leave.lua"),
    include_str!("lua/trim.lua"),
    include_str!("lua/preflight.lua"),
];

/// What a claim (or a touch, which answers 0, 1 or 2) did, as JS reads it:
/// `native.ClaimOutcome.Routed`.
#[napi]
#[derive(Debug, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// No record: unknown, or not written yet (or already claimed, for a touch).
    Unknown = 0,
    /// Claimed and routed to its owner, which settles it.
    Routed = 1,
    /// Claimed, and the caller owns it: the caller settles it.
    Local = 2,
    /// The record requires another session.
    SessionMismatch = -2,
    /// Its owner is gone: its records are being reaped, or were (then the script also says
    /// when, `{-3, ms since the epoch}`).
    OwnerGone = -3,
    /// Already claimed: its answer is on the way to the owner.
    Decided = -4,
}

impl ClaimOutcome {
    /// The numbers `claim.lua` and `touch.lua` return.
    pub fn from_script(n: i64) -> Self {
        match n {
            1 => ClaimOutcome::Routed,
            2 => ClaimOutcome::Local,
            -2 => ClaimOutcome::SessionMismatch,
            -3 => ClaimOutcome::OwnerGone,
            -4 => ClaimOutcome::Decided,
            _ => ClaimOutcome::Unknown,
        }
    }
}

pub struct Scripts {
    /// (source, SHA1) of each, in `Script` order.
    scripts: Vec<(String, String)>,
}

impl Scripts {
    pub fn new() -> Self {
        Scripts {
            scripts: BODIES
                .iter()
                .map(|body| {
                    let code = format!("{PRELUDE}{body}");
                    let hash = redis::Script::new(&code).get_hash().to_owned();
                    (code, hash)
                })
                .collect(),
        }
    }

    /// `EVALSHA <script> <n> <keys...>`; the caller adds the arguments.
    pub(super) fn call<K: AsRef<str>>(&self, script: Script, keys: &[K]) -> Cmd {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(&self.scripts[script as usize].1).arg(keys.len());
        for key in keys {
            cmd.arg(key.as_ref());
        }
        cmd
    }

    /// Loads every script: at start, and again after a server answered NOSCRIPT (it restarted).
    pub async fn load(&self, conn: &mut impl ConnectionLike) -> Result<(), RedisError> {
        let mut pipe = redis::pipe();
        for (code, _) in &self.scripts {
            pipe.cmd("SCRIPT").arg("LOAD").arg(code).ignore();
        }
        pipe.query_async::<()>(conn).await
    }

    /// Runs one script call, loading the scripts once if the server no longer has them.
    pub async fn invoke<T: FromRedisValue>(
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

    /// Runs a pipeline of script calls whose items may fail one by one (`ignore_errors`), with
    /// the same reload: the scripts are loaded together, so one NOSCRIPT means all are gone.
    /// The items' errors are left in the values for the caller.
    pub async fn invoke_pipeline(
        &self,
        conn: &mut ConnectionManager,
        pipe: &Pipeline,
    ) -> Result<Vec<Value>, RedisError> {
        let values = pipe.query_async::<Vec<Value>>(conn).await?;
        let noscript = values
            .iter()
            .any(|v| matches!(v, Value::ServerError(e) if e.code() == "NOSCRIPT"));
        if !noscript {
            return Ok(values);
        }
        self.load(conn).await?;
        pipe.query_async::<Vec<Value>>(conn).await
    }

    /// `publish.lua`, which answers the record's place in listings. `announce`: also add the
    /// `interaction-request` event (not when it is published again after an outage). `ttl`:
    /// what is left of the record's backstop.
    pub fn publish(
        &self,
        k: &Keys,
        rec: &Record,
        ttl: Duration,
        announce: bool,
        liveness: Duration,
    ) -> Cmd {
        let rec_key = k.rec(&rec.id);
        let mut cmd = match &rec.session {
            Some(s) => self.call(
                Script::Publish,
                &[
                    &rec_key,
                    &k.my_own,
                    &k.owners,
                    &k.events,
                    &k.my_node,
                    &k.ses(s),
                ],
            ),
            None => self.call(
                Script::Publish,
                &[&rec_key, &k.my_own, &k.owners, &k.events, &k.my_node],
            ),
        };
        cmd.arg(&k.me)
            .arg(&rec.id)
            .arg(&rec.session_key)
            .arg(rec.session.as_deref().unwrap_or(""))
            .arg(&rec.kind)
            .arg(if rec.require_match { "1" } else { "0" })
            .arg(ttl.as_millis() as u64)
            .arg(&rec.json)
            .arg(if announce { "1" } else { "0" })
            .arg(EVENTS_MAXLEN)
            .arg(EVENTS_TTL_MS)
            .arg(&k.incarnation)
            .arg(rec.order.map(|o| o.to_string()).unwrap_or_default())
            .arg(liveness.as_millis() as u64);
        cmd
    }

    /// `end.lua`. `session`: the record's, as this owner published it.
    pub fn end(
        &self,
        k: &Keys,
        id: &str,
        session: Option<&str>,
        event: &str,
        payload: &str,
    ) -> Cmd {
        let rec_key = k.rec(id);
        let mut cmd = match session {
            Some(s) => self.call(
                Script::End,
                &[
                    &rec_key,
                    &k.my_own,
                    &k.owners,
                    &k.events,
                    &k.my_node,
                    &k.gone,
                    &k.ses(s),
                ],
            ),
            None => self.call(
                Script::End,
                &[
                    &rec_key, &k.my_own, &k.owners, &k.events, &k.my_node, &k.gone,
                ],
            ),
        };
        cmd.arg(&k.me)
            .arg(id)
            .arg(event)
            .arg(payload)
            .arg(EVENTS_MAXLEN)
            .arg(EVENTS_TTL_MS)
            .arg(&k.incarnation);
        cmd
    }

    /// `refresh.lua`.
    pub fn refresh(&self, k: &Keys, rec: &Record) -> Cmd {
        let rec_key = k.rec(&rec.id);
        let mut cmd = match &rec.session {
            Some(s) => self.call(
                Script::Refresh,
                &[&rec_key, &k.my_own, &k.my_node, &k.ses(s)],
            ),
            None => self.call(Script::Refresh, &[&rec_key, &k.my_own, &k.my_node]),
        };
        cmd.arg(&k.me)
            .arg(rec.ttl.as_millis() as u64)
            .arg(&k.incarnation);
        cmd
    }

    /// `claim.lua` (its answer: `ClaimOutcome::from_script`). `asker`: a session key,
    /// `SESSION_KEY_ANYONE` or `SESSION_KEY_UNCHECKED`; `kind`: the answer's delivery kind.
    pub fn claim(&self, k: &Keys, id: &str, asker: &str, kind: &str, value: &str) -> Cmd {
        let mut cmd = self.call(Script::Claim, &[&k.rec(id), &k.owners, &k.my_own, &k.gone]);
        cmd.arg(&k.prefix)
            .arg(id)
            .arg(asker)
            .arg(kind)
            .arg(value)
            .arg(&k.me)
            .arg(INBOX_MAXLEN)
            .arg(&k.incarnation)
            .arg(wire::SESSION_KEY_UNCHECKED)
            .arg(epoch_ms())
            .arg(gone_limits().1);
        cmd
    }

    /// `touch.lua` (its answer: `ClaimOutcome::from_script`).
    pub fn touch(&self, k: &Keys, id: &str) -> Cmd {
        let mut cmd = self.call(Script::Touch, &[&k.rec(id), &k.gone]);
        cmd.arg(&k.prefix)
            .arg(id)
            .arg(&k.me)
            .arg(wire::TOUCH)
            .arg(INBOX_MAXLEN)
            .arg(&k.incarnation)
            .arg(epoch_ms())
            .arg(gone_limits().1);
        cmd
    }

    /// `remove_session.lua`.
    pub fn remove_session(&self, k: &Keys, session: &str) -> Cmd {
        let mut cmd = self.call(Script::RemoveSession, &[&k.ses(session), &k.owners]);
        cmd.arg(&k.prefix)
            .arg(session)
            .arg(&k.me)
            .arg(wire::REMOVE_SESSION)
            .arg(INBOX_MAXLEN);
        cmd
    }

    /// `session_state.lua`: detach with `Some(grace ms)`, attach with `None`. Answers, for
    /// attach, whether the session was detached.
    pub fn session_state(&self, k: &Keys, session: &str, detach: Option<u64>) -> Cmd {
        let (kind, detaching) = match detach {
            Some(_) => (wire::DETACH, "1"),
            None => (wire::ATTACH, "0"),
        };
        let mut cmd = self.call(Script::SessionState, &[k.detached(session), k.ses(session)]);
        cmd.arg(&k.prefix)
            .arg(session)
            .arg(kind)
            .arg(detaching)
            .arg(detach.unwrap_or(0))
            .arg(&k.me)
            .arg(INBOX_MAXLEN);
        cmd
    }

    /// `list.lua`: answers the records as `publish.lua` keeps them (see `wire::listing`).
    pub fn list(&self, k: &Keys, sessions: &[String]) -> Cmd {
        let keys: Vec<String> = sessions.iter().map(|s| k.ses(s)).collect();
        self.call(Script::List, &keys)
    }

    /// `preflight.lua`: which of the commands the link uses this user may not run.
    pub fn preflight(&self, k: &Keys) -> Cmd {
        let mut cmd = self.call::<&str>(Script::Preflight, &[]);
        cmd.arg(&k.prefix).arg(&k.me);
        cmd
    }

    /// `purge.lua`, for this owner.
    pub fn purge(&self, k: &Keys) -> Cmd {
        let mut cmd = self.call(Script::Purge, &[&k.my_own, &k.owners, &k.my_node]);
        cmd.arg(&k.prefix).arg(&k.me).arg(&k.incarnation);
        cmd
    }
}
