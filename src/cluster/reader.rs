//! The task that reads this process's inbox (answers routed to its interactions) and the shared
//! events stream, on a connection of its own (XREAD BLOCK holds a connection), and hands each
//! batch to JS. It resumes from the last id it saw, so a dropped connection loses nothing. What
//! it has read from the inbox and handed to JS is trimmed (`lua/trim.lua`, up to that last id,
//! in the same round trip as the next XREAD), so the inbox holds only what is unread.

use super::error::unavailable;
use super::link::Link;
use super::wire;
use redis::aio::MultiplexedConnection;
use redis::streams::StreamReadReply;
use redis::{AsyncConnectionConfig, Client, FromRedisValue, RedisError, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Entries per read.
const COUNT: usize = 1024;
/// Pause before reconnecting.
const RETRY: Duration = Duration::from_millis(200);

pub struct Cursor {
    pub inbox: String,
    pub events: String,
}

pub async fn run(link: Arc<Link>, client: Client, mut at: Cursor, mut stop: watch::Receiver<bool>) {
    let inbox = &link.keys.my_inbox;
    let events = &link.keys.events;
    let block = link
        .heartbeat
        .clamp(Duration::from_millis(50), Duration::from_secs(1));
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(block + Duration::from_secs(3)));
    let mut conn: Option<MultiplexedConnection> = None;
    // The first inbox id to keep once the entries read so far are trimmed; None: nothing to trim.
    let mut trim: Option<String> = None;
    let mut reload = false;
    loop {
        if *stop.borrow() {
            return;
        }
        let c = match &mut conn {
            Some(c) => c,
            None => {
                let made = tokio::select! {
                    made = client.get_multiplexed_async_connection_with_config(&config) => made,
                    _ = stop.changed() => return,
                };
                let made = match made {
                    Ok(mut c) => {
                        match name(&mut c, &link.keys.me).await {
                            // The name only shows in CLIENT LIST: refused (the ACL changed since
                            // connect), the reader reads on without it.
                            Err(e) if !unavailable(&e) => {
                                link.report(format!("Redis refused to name the reader's connection (it reads on): {e}"));
                                Ok(c)
                            }
                            named => named.map(|()| c),
                        }
                    }
                    Err(e) => Err(e),
                };
                match made {
                    Ok(c) => conn.insert(c),
                    Err(e) => {
                        // Only an outage is one; a refusal (NOPERM) is an error, told as such.
                        if unavailable(&e) {
                            link.set_down(&e.to_string());
                        } else {
                            link.report(format!("Redis refused the reader's connection: {e}"));
                        }
                        if pause(&mut stop).await {
                            return;
                        }
                        continue;
                    }
                }
            }
        };
        let mut cmd = redis::cmd("XREAD");
        cmd.arg("COUNT")
            .arg(COUNT)
            .arg("BLOCK")
            .arg(block.as_millis() as u64)
            .arg("STREAMS")
            .arg(inbox)
            .arg(events)
            .arg(&at.inbox)
            .arg(&at.events);
        // The trim of what was read before, then the read: one round trip, in this order.
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        let trimming = trim.clone();
        if let Some(keep) = &trimming {
            pipe.add_command(link.scripts.trim(&link.keys, keep));
        }
        pipe.add_command(cmd);
        let read = tokio::select! {
            r = pipe.query_async::<Vec<Value>>(c) => r,
            _ = stop.changed() => return,
        };
        let read = read.and_then(|mut values| {
            let reply = values.pop().unwrap_or(Value::Nil);
            if trimming.is_some() {
                match values.pop() {
                    // Kept for the next round; a server that lost the scripts gets them again.
                    Some(Value::ServerError(e)) if e.code() == "NOSCRIPT" => reload = true,
                    Some(Value::ServerError(e)) => {
                        link.report(format!("Redis inbox trim failed: {e:?}"))
                    }
                    _ => trim = None,
                }
            }
            match reply {
                Value::ServerError(e) => Err(RedisError::from(e)),
                v => Option::<StreamReadReply>::from_redis_value(v).map_err(RedisError::from),
            }
        });
        if std::mem::take(&mut reload) {
            let _ = link.scripts.load(c).await;
        }
        match read {
            Ok(Some(reply)) => {
                if deliver(&link, reply, inbox, &mut at) {
                    trim = next_id(&at.inbox);
                }
            }
            Ok(None) => {}
            Err(e) => {
                if unavailable(&e) {
                    link.set_down(&e.to_string());
                } else {
                    link.report(format!("Redis read failed: {e}"));
                }
                conn = None;
                if pause(&mut stop).await {
                    return;
                }
            }
        }
    }
}

/// Names the connection (`CLIENT LIST` shows which process reads where); spaces are not allowed.
async fn name(c: &mut MultiplexedConnection, me: &str) -> redis::RedisResult<()> {
    let name: String = me
        .chars()
        .map(|ch| if ch.is_ascii_graphic() { ch } else { '_' })
        .collect();
    redis::cmd("CLIENT")
        .arg("SETNAME")
        .arg(format!("interactions-reader-{name}"))
        .query_async(c)
        .await
}

/// Sleeps before a retry; true when the link was closed meanwhile.
async fn pause(stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(RETRY) => false,
        _ = stop.changed() => true,
    }
}

/// The stream id right after `id` (`<ms>-<seq + 1>`): the first to keep when `id` was read.
fn next_id(id: &str) -> Option<String> {
    let (ms, seq) = id.split_once('-')?;
    let seq = seq.parse::<u64>().ok()?.checked_add(1)?;
    Some(format!("{ms}-{seq}"))
}

/// Inbox entries go to JS as they are; events of other processes as `EVENT` deliveries (this
/// process emitted its own already). See `wire.rs`. Whether inbox entries were read.
fn deliver(link: &Link, reply: StreamReadReply, inbox: &str, at: &mut Cursor) -> bool {
    let mut read_inbox = false;
    let mut batch = Vec::new();
    let field = |e: &redis::streams::StreamId, f: &str| e.get::<String>(f).unwrap_or_default();
    for key in reply.keys {
        let from_inbox = key.key == inbox;
        for entry in &key.ids {
            if from_inbox {
                batch.extend([field(entry, "k"), field(entry, "a"), field(entry, "v")]);
            } else if field(entry, "o") != link.keys.me {
                batch.extend([wire::EVENT.to_owned(), field(entry, "n"), field(entry, "v")]);
            }
        }
        if let Some(last) = key.ids.last() {
            if from_inbox {
                read_inbox = true;
                at.inbox = last.id.clone();
            } else {
                at.events = last.id.clone();
            }
        }
    }
    link.tell(batch);
    read_inbox
}
