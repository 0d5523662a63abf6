//! The one task that writes this process's shared state, in the order JS asked: records,
//! endings, events, session-wide requests; plus the heartbeat and the reaper. During an outage
//! it keeps the writes (bounded) and, once Redis answers again, replays them, then republishes
//! every live record (a restarted server has lost them).

use super::batch::Batch;
use super::lua::{unavailable, Which};
use super::shared::{Shared, EVENTS_MAXLEN, EVENTS_TTL_MS, INBOX_MAXLEN};
use redis::aio::ConnectionManager;
use redis::{Cmd, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

/// Writes per pipeline.
const BATCH: usize = 512;
/// Writes kept during an outage; beyond it the oldest are dropped (the republish after the
/// outage still restores every live record; only events of that time are lost).
const BACKLOG: usize = 200_000;
/// How long `close()` keeps trying to write what is left.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Record {
    pub id: String,
    /// Who may answer: `s<name>`, `e` (empty string), `n` (null) or `u` (undefined).
    pub session_key: String,
    pub session: Option<String>,
    pub kind: String,
    pub require_match: bool,
    pub json: String,
    /// How long the record outlives a request or a touch: its timeout plus the owner timeout.
    pub ttl: Duration,
    pub expires: Instant,
}

/// One write, decoded from a batch (batch.rs).
pub enum Write {
    Publish(Record),
    End {
        id: String,
        event: String,
        payload: String,
    },
    Refresh {
        id: String,
    },
    RemoveSession(String),
    Detach {
        session: String,
        grace_ms: u64,
    },
}

pub enum Op {
    Batch(Batch),
    Close(oneshot::Sender<()>),
}

struct Writer {
    shared: Arc<Shared>,
    conn: ConnectionManager,
    live: HashMap<String, Arc<Record>>,
    /// Writes not yet acknowledged by Redis.
    backlog: VecDeque<Cmd>,
    /// Writes dropped from the backlog during this outage (told to the host's logger after it).
    dropped: u64,
}

pub async fn run(
    shared: Arc<Shared>,
    conn: ConnectionManager,
    mut rx: mpsc::UnboundedReceiver<Op>,
) {
    let mut w = Writer {
        shared,
        conn,
        live: HashMap::new(),
        backlog: VecDeque::new(),
        dropped: 0,
    };
    let mut tick = tokio::time::interval(w.shared.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let mut closing = None;
        tokio::select! {
            op = rx.recv() => match op {
                // Every sender is gone: the JS object was collected without close().
                None => return,
                Some(op) => {
                    closing = w.accept(op);
                    while closing.is_none() {
                        match rx.try_recv() {
                            Ok(op) => closing = w.accept(op),
                            Err(_) => break,
                        }
                    }
                }
            },
            _ = tick.tick() => w.beat().await,
        }
        if w.shared.is_up() {
            w.flush().await;
        }
        if let Some(done) = closing {
            w.close().await;
            let _ = done.send(());
            return;
        }
    }
}

impl Writer {
    fn accept(&mut self, op: Op) -> Option<oneshot::Sender<()>> {
        match op {
            Op::Close(done) => Some(done),
            Op::Batch(batch) => {
                let (writes, malformed) = batch.decode();
                for w in writes {
                    self.queue(w);
                }
                if let Some(what) = malformed {
                    self.shared.report(what);
                }
                None
            }
        }
    }

    fn queue(&mut self, write: Write) {
        let cmd = match write {
            Write::Publish(rec) => {
                let cmd = self.publish(&rec, true);
                self.live.insert(rec.id.clone(), Arc::new(rec));
                cmd
            }
            Write::End { id, event, payload } => {
                self.live.remove(&id);
                let mut cmd = self.script(Which::End);
                cmd.arg(&id)
                    .arg(event)
                    .arg(payload)
                    .arg(EVENTS_MAXLEN)
                    .arg(EVENTS_TTL_MS);
                cmd
            }
            Write::Refresh { id } => {
                let Some(rec) = self.live.get_mut(&id) else {
                    return;
                };
                let ttl = rec.ttl;
                Arc::make_mut(rec).expires = Instant::now() + ttl;
                let mut cmd = self.script(Which::Refresh);
                cmd.arg(&id).arg(ttl.as_millis() as u64);
                cmd
            }
            Write::RemoveSession(session) => {
                let mut cmd = self.shared.scripts.cmd(Which::RemoveSession);
                cmd.arg(&self.shared.prefix)
                    .arg(session)
                    .arg(&self.shared.me)
                    .arg(INBOX_MAXLEN);
                cmd
            }
            Write::Detach { session, grace_ms } => {
                let mut cmd = self.shared.scripts.cmd(Which::SessionState);
                cmd.arg(&self.shared.prefix)
                    .arg(session)
                    .arg("detach")
                    .arg(grace_ms)
                    .arg(&self.shared.me)
                    .arg(INBOX_MAXLEN);
                cmd
            }
        };
        if self.backlog.len() >= BACKLOG {
            self.backlog.pop_front();
            self.dropped += 1;
        }
        self.backlog.push_back(cmd);
    }

    /// A script call that starts with the prefix and this owner.
    fn script(&self, which: Which) -> Cmd {
        let mut cmd = self.shared.scripts.cmd(which);
        cmd.arg(&self.shared.prefix).arg(&self.shared.me);
        cmd
    }

    fn publish(&self, rec: &Record, announce: bool) -> Cmd {
        // The backstop: never less than a second, whatever time an outage took.
        let ttl = rec
            .expires
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(1));
        let mut cmd = self.script(Which::Publish);
        cmd.arg(&rec.id)
            .arg(&rec.session_key)
            .arg(rec.session.as_deref().unwrap_or(""))
            .arg(if rec.session.is_some() { "1" } else { "0" })
            .arg(&rec.kind)
            .arg(if rec.require_match { "1" } else { "0" })
            .arg(ttl.as_millis() as u64)
            .arg(&rec.json)
            .arg(if announce { "1" } else { "0" })
            .arg(EVENTS_MAXLEN)
            .arg(EVENTS_TTL_MS);
        cmd
    }

    /// Writes the backlog in pipelines. Stops at an outage, keeping what is not written.
    async fn flush(&mut self) {
        while !self.backlog.is_empty() {
            let n = self.backlog.len().min(BATCH);
            let mut pipe = redis::pipe();
            pipe.ignore_errors();
            for cmd in self.backlog.iter().take(n) {
                pipe.add_command(cmd.clone());
            }
            match self.run_pipe(&pipe).await {
                Ok(()) => {
                    self.backlog.drain(..n);
                }
                Err(()) => return,
            }
        }
    }

    /// Runs a pipeline whose items may fail one by one: reloads the scripts once if the server
    /// lost them, reports script errors (bugs) and marks the link down on an outage.
    async fn run_pipe(&mut self, pipe: &redis::Pipeline) -> Result<(), ()> {
        for attempt in 0..2 {
            let values = match pipe.query_async::<Vec<Value>>(&mut self.conn).await {
                Ok(v) => v,
                Err(e) => {
                    if unavailable(&e) {
                        self.shared.set_down(&e.to_string());
                    } else {
                        self.shared.report(format!("Redis write failed: {e}"));
                    }
                    return Err(());
                }
            };
            let noscript = values
                .iter()
                .any(|v| matches!(v, Value::ServerError(e) if e.code() == "NOSCRIPT"));
            if noscript && attempt == 0 {
                if let Err(e) = self.shared.scripts.load(&mut self.conn).await {
                    self.shared.set_down(&e.to_string());
                    return Err(());
                }
                continue;
            }
            for v in &values {
                if let Value::ServerError(e) = v {
                    self.shared.report(format!("Redis script failed: {e:?}"));
                }
            }
            return Ok(());
        }
        Ok(())
    }

    /// Every heartbeat: keep this process alive in Redis and reap owners that are not; during
    /// an outage, try to come back.
    async fn beat(&mut self) {
        if !self.shared.is_up() {
            self.resync().await;
            return;
        }
        let ttl = self.shared.owner_timeout.as_millis() as u64;
        let mut pipe = redis::pipe();
        pipe.cmd("SET")
            .arg(self.shared.node_key())
            .arg(1)
            .arg("PX")
            .arg(ttl)
            .ignore();
        pipe.cmd("PEXPIRE")
            .arg(self.shared.inbox_key())
            .arg(ttl)
            .ignore();
        pipe.cmd("SMEMBERS").arg(self.shared.key("owners"));
        let owners = match pipe.query_async::<(Vec<String>,)>(&mut self.conn).await {
            Ok((owners,)) => owners,
            Err(e) => {
                if unavailable(&e) {
                    self.shared.set_down(&e.to_string());
                }
                return;
            }
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        for owner in owners.iter().filter(|o| **o != self.shared.me) {
            let mut cmd = self.shared.scripts.cmd(Which::Reap);
            cmd.arg(&self.shared.prefix)
                .arg(owner)
                .arg(now)
                .arg(EVENTS_MAXLEN)
                .arg(EVENTS_TTL_MS);
            pipe.add_command(cmd);
        }
        if !pipe.is_empty() {
            let _ = self.run_pipe(&pipe).await;
        }
    }

    /// After an outage: scripts, liveness, the kept writes, then every live record again.
    async fn resync(&mut self) {
        if self.shared.scripts.load(&mut self.conn).await.is_err() {
            return;
        }
        let ttl = self.shared.owner_timeout.as_millis() as u64;
        let alive = redis::cmd("SET")
            .arg(self.shared.node_key())
            .arg(1)
            .arg("PX")
            .arg(ttl)
            .query_async::<()>(&mut self.conn)
            .await;
        if alive.is_err() {
            return;
        }
        // Flush runs only while up; mark up for it, and down again if it fails.
        let mut purge = self.shared.scripts.cmd(Which::Purge);
        purge.arg(&self.shared.prefix).arg(&self.shared.me);
        let mut again: VecDeque<Cmd> = VecDeque::with_capacity(self.live.len() + 1);
        again.push_back(purge);
        for rec in self.live.values() {
            again.push_back(self.publish(rec, false));
        }
        self.backlog.extend(again);
        self.shared.set_up();
        if self.dropped > 0 {
            self.shared.report(format!(
                "the outage outlasted the write backlog: {} writes (their events) were dropped; every live record was republished",
                self.dropped
            ));
            self.dropped = 0;
        }
        self.flush().await;
    }

    /// Writes what is left (the SHUTDOWN endings queued just before), then removes the liveness
    /// keys. During an outage it gives up after CLOSE_WAIT: the others then reap the records.
    async fn close(&mut self) {
        let _ = tokio::time::timeout(CLOSE_WAIT, async {
            if !self.shared.is_up() {
                self.resync().await;
            }
            self.flush().await;
            let mut pipe = redis::pipe();
            pipe.cmd("DEL")
                .arg(self.shared.node_key())
                .arg(self.shared.inbox_key())
                .ignore();
            pipe.query_async::<()>(&mut self.conn).await
        })
        .await;
    }
}
