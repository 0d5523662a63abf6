//! The one task that writes this process's shared state, in the order JS asked: records,
//! endings, events, session-wide requests (the heartbeat and the reaper are `heartbeat.rs`'s). During an outage
//! it keeps the writes (bounded) and, once Redis answers again, replays them, then republishes
//! every live record (a restarted server has lost them).

use super::error::unavailable;
use super::keys::INBOX_MAXLEN;
use super::link::Link;
use super::wire::{self, Batch, Record, Write};
use redis::aio::ConnectionManager;
use redis::{Cmd, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Writes per pipeline.
const BATCH: usize = 512;
/// Writes kept during an outage; beyond it the oldest are dropped (the republish after the
/// outage still restores every live record; only events of that time are lost).
const BACKLOG: usize = 200_000;
/// How long `close()` keeps trying to write what is left.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// A write, and the id of the record it publishes (whose place in listings Redis answers).
struct Queued {
    cmd: Cmd,
    publishes: Option<String>,
}

pub enum Op {
    Batch(Batch),
    Close(oneshot::Sender<()>),
}

struct Writer {
    link: Arc<Link>,
    conn: ConnectionManager,
    live: HashMap<String, Arc<Record>>,
    /// Writes not yet acknowledged by Redis.
    backlog: VecDeque<Queued>,
    /// Writes dropped from the backlog during this outage (told to the host's logger after it).
    dropped: u64,
}

pub async fn run(link: Arc<Link>, conn: ConnectionManager, mut rx: mpsc::UnboundedReceiver<Op>) {
    let mut w = Writer {
        link,
        conn,
        live: HashMap::new(),
        backlog: VecDeque::new(),
        dropped: 0,
    };
    let mut tick = tokio::time::interval(w.link.heartbeat);
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
        if w.link.is_up() {
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
                    self.link.report(what);
                }
                None
            }
        }
    }

    fn queue(&mut self, write: Write) {
        let (k, scripts) = (&self.link.keys, &self.link.scripts);
        let mut publishes = None;
        let cmd = match write {
            Write::Publish(rec) => {
                let cmd = self.publish(&rec, true);
                publishes = Some(rec.id.clone());
                self.live.insert(rec.id.clone(), Arc::new(rec));
                cmd
            }
            Write::End { id, event, payload } => {
                let rec = self.live.remove(&id);
                let session = rec.as_ref().and_then(|r| r.session.as_deref());
                scripts.end(k, &id, session, &event, &payload)
            }
            Write::Refresh { id } => {
                let Some(rec) = self.live.get_mut(&id) else {
                    return;
                };
                let ttl = rec.ttl;
                Arc::make_mut(rec).expires = Instant::now() + ttl;
                scripts.refresh(k, rec)
            }
            Write::RemoveSession(session) => scripts.remove_session(k, &session),
            Write::Detach { session, grace_ms } => {
                scripts.session_state(k, &session, Some(grace_ms))
            }
            // A plain XADD: the answerer's inbox is all it touches, and a late or replayed one is
            // ignored there (its ticket is no longer awaited).
            Write::Ack { to, ticket, result } => {
                let mut cmd = redis::cmd("XADD");
                cmd.arg(k.inbox(&to))
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(INBOX_MAXLEN)
                    .arg("*")
                    .arg("k")
                    .arg(wire::ACK)
                    .arg("a")
                    .arg(ticket)
                    .arg("v")
                    .arg(result);
                cmd
            }
        };
        if self.backlog.len() >= BACKLOG {
            self.backlog.pop_front();
            self.dropped += 1;
        }
        self.backlog.push_back(Queued { cmd, publishes });
    }

    /// `announce`: a new record (not one published again after an outage).
    fn publish(&self, rec: &Record, announce: bool) -> Cmd {
        // The backstop: never less than a second, whatever time an outage took.
        let ttl = rec
            .expires
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(1));
        self.link
            .scripts
            .publish(&self.link.keys, rec, ttl, announce, self.link.owner_timeout)
    }

    /// Writes the backlog in pipelines. Stops at an outage, keeping what is not written.
    async fn flush(&mut self) {
        while !self.backlog.is_empty() {
            let n = self.backlog.len().min(BATCH);
            let mut pipe = redis::pipe();
            pipe.ignore_errors();
            for q in self.backlog.iter().take(n) {
                pipe.add_command(q.cmd.clone());
            }
            match self.run_pipe(&pipe).await {
                Ok(values) => {
                    for (q, v) in self.backlog.drain(..n).zip(values) {
                        if placed(&mut self.live, q.publishes, &v) {
                            self.link.keys_lost();
                        }
                    }
                }
                Err(()) => return,
            }
        }
    }

    /// Runs a pipeline whose items may fail one by one: reports script errors (bugs) and marks
    /// the link down on an outage. Answers the items' replies.
    async fn run_pipe(&mut self, pipe: &redis::Pipeline) -> Result<Vec<Value>, ()> {
        let link = &self.link;
        match link.scripts.invoke_pipeline(&mut self.conn, pipe).await {
            Ok(values) => {
                for v in &values {
                    if let Value::ServerError(e) = v {
                        link.report(format!("Redis script failed: {e:?}"));
                    }
                }
                Ok(values)
            }
            Err(e) => {
                if unavailable(&e) {
                    link.set_down(&e.to_string());
                } else {
                    link.report(format!("Redis write failed: {e}"));
                }
                Err(())
            }
        }
    }

    /// Every heartbeat: during an outage, try to come back (the heartbeat task keeps the
    /// liveness key and reaps, on its own connection).
    /// Likewise when Redis lost this process's keys while up (FLUSHALL, eviction): the heartbeat
    /// or a publish found the liveness key gone, so the records may be gone too.
    async fn beat(&mut self) {
        if !self.link.is_up() || self.link.take_keys_lost() {
            self.resync().await;
        }
    }

    /// After an outage: scripts, liveness, the kept writes, then every live record again.
    async fn resync(&mut self) {
        if self.link.scripts.load(&mut self.conn).await.is_err() {
            return;
        }
        let beat = self
            .link
            .scripts
            .beat(&self.link.keys, self.link.owner_timeout);
        match self.link.scripts.invoke::<i64>(&mut self.conn, &beat).await {
            Err(_) => return,
            // Replaced meanwhile: the writes below are refused by the scripts.
            Ok(0) => self.replaced(),
            Ok(_) => {}
        }
        // Flush runs only while up; mark up for it, and down again if it fails.
        let purge = self.link.scripts.purge(&self.link.keys);
        let mut again: VecDeque<Queued> = VecDeque::with_capacity(self.live.len() + 1);
        again.push_back(Queued {
            cmd: purge,
            publishes: None,
        });
        for rec in self.live.values() {
            again.push_back(Queued {
                cmd: self.publish(rec, false),
                publishes: Some(rec.id.clone()),
            });
        }
        self.backlog.extend(again);
        self.link.set_up();
        if self.dropped > 0 {
            self.link.report(format!(
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
            if !self.link.is_up() {
                self.resync().await;
            }
            self.flush().await;
            // No renewal may land after the liveness key is removed.
            self.link.closing.store(true, Ordering::Release);
            let _beats = self.link.beats.write().await;
            let leave = self.link.scripts.leave(&self.link.keys);
            self.link
                .scripts
                .invoke::<i64>(&mut self.conn, &leave)
                .await
        })
        .await;
    }

    /// Another connect with this instance id took it (this process was stalled past its owner
    /// timeout): its records were reaped, and the scripts refuse its writes from now on.
    fn replaced(&self) {
        self.link.report(format!(
            "instanceId {:?} was taken by another process (a connect with the same instanceId after this one's liveness key expired): this process's interactions were reaped (OWNER_GONE) and its writes are refused; close it",
            self.link.keys.me
        ));
    }
}

/// Keeps the place Redis gave a published record (`publish.lua`'s answer), so that the record
/// keeps it when it is published again after an outage. Returns whether the answer says the
/// owner's liveness key was gone (`{place, 'lost'}`).
fn placed(
    live: &mut HashMap<String, Arc<Record>>,
    publishes: Option<String>,
    answer: &Value,
) -> bool {
    let Some(id) = publishes else { return false };
    let (answer, lost) = match answer {
        Value::Array(items) if items.len() == 2 => (&items[0], true),
        other => (other, false),
    };
    let order = match answer {
        Value::BulkString(b) => std::str::from_utf8(b).ok().and_then(|t| t.parse().ok()),
        // 0: another incarnation holds the id, nothing was published.
        Value::Int(n) if *n > 0 => u64::try_from(*n).ok(),
        _ => None,
    };
    if let (Some(order), Some(rec)) = (order, live.get_mut(&id)) {
        Arc::make_mut(rec).order = Some(order);
    }
    lost
}
