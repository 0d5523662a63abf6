//! The heartbeat: renews this process's liveness key, keeps its lease (`Link::renewed`) and
//! reaps owners that are not alive, on a connection of its own, so that no replay of kept writes
//! or large pipeline of the writer can delay it past the owner timeout (a live process taken for
//! dead). When the lease runs out (Redis or the network silent for longer than it), JS is told
//! to fence this process.

use super::error::unavailable;
use super::link::Link;
use super::scripts::epoch_ms;
use redis::aio::ConnectionManager;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;

pub async fn run(link: Arc<Link>, conn: ConnectionManager, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(link.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() || link.closing.load(Ordering::Acquire) {
            return;
        }
        if !link.lease_valid() {
            link.lease_lost();
        }
        // Each renewal on its own, not after the previous one's reply: a slow round trip (a
        // loaded machine, a far Redis) then delays the lease by that round trip, not by a
        // heartbeat more per round trip. A renewal is bounded by the connection's response
        // timeout: a silent connection is replaced.
        let (link, mut conn) = (link.clone(), conn.clone());
        tokio::spawn(async move {
            let _beating = link.beats.read().await;
            if link.closing.load(Ordering::Acquire) {
                return;
            }
            beat(&link, &mut conn).await;
            if !link.lease_valid() {
                link.lease_lost();
            }
        });
    }
}

async fn beat(link: &Link, conn: &mut ConnectionManager) {
    let k = &link.keys;
    let mut pipe = redis::pipe();
    pipe.add_command(link.scripts.beat(k, link.owner_timeout));
    pipe.cmd("SMEMBERS").arg(&k.owners);
    let sent = Instant::now();
    let owners = match link.scripts.invoke_pipeline(conn, &pipe).await {
        Ok(values) => match redis::from_redis_value::<(i64, Vec<String>)>(redis::Value::Array(values)) {
            Ok((0, _)) => return link.report(format!(
                "instanceId {:?} was taken by another process (a connect with the same instanceId after this one's liveness key expired): this process's interactions were reaped (OWNER_GONE) and its writes are refused; close it",
                k.me
            )),
            Ok((n, owners)) => {
                link.renewed(sent);
                if n == 2 {
                    link.keys_lost();
                }
                owners
            }
            Err(e) => return link.report(format!("Redis refused the heartbeat (liveness, reaper): {e}")),
        },
        Err(e) => {
            if unavailable(&e) {
                link.set_down(&e.to_string());
            } else {
                link.report(format!("Redis refused the heartbeat (liveness, reaper): {e}"));
            }
            return;
        }
    };
    let now = epoch_ms();
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for owner in owners.iter().filter(|o| **o != k.me) {
        pipe.add_command(link.scripts.reap(k, owner, now));
    }
    if !pipe.is_empty() {
        if let Err(e) = link.scripts.invoke_pipeline(conn, &pipe).await {
            if unavailable(&e) {
                link.set_down(&e.to_string());
            }
        }
    }
}
