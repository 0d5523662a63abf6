//! What crosses between JS (`lib/cluster.js`) and the link, both ways.
//!
//! JS to the link, one call per JS turn: the turn's writes, every field back to back in one
//! UTF-16 string, with their lengths. Each write is an op letter, then a fixed number of fields:
//! - `P<r><k><ttl>` (r: require-match `1`/`0`; k: the session's kind, `SESSION_KEY_NAMED`,
//!   `SESSION_KEY_NULL` or `SESSION_KEY_UNDEFINED`; ttl: ms), then id, the session name (only
//!   for a named one), type, `"data":..,"metadata":..` (JSON members, maybe none), requestedAt.
//!   The record's JSON is put together here, off the JS thread.
//! - `E` id, event name, payload JSON: the interaction ended here
//! - `R` id: touched, restart the record's expiry
//! - `S` session: remove the session on every process
//! - `D` session, grace ms: detach the session on every process
//! - `A` process, ticket, result JSON: acknowledge a routed answer to the process that gave it
//!
//! The link to JS: batches of deliveries, flat triples `[kind, a, v, kind, a, v, ...]`:
//! - `[REPLY, call, value]`: a call's answer; a failed call's kind is its `ClusterError` code
//!   (`[code, call, message]`).
//! - `[STATE, UP | DOWN | ERROR | FENCE, detail]`: the link's state changed (FENCE: its lease ran out), or a failure that is not
//!   an outage, for the host's logger.
//! - `[EVENT, name, payload JSON]`: another process's event.
//! - from the inbox, for this process's interactions and sessions: `[kind, id, value]` with the
//!   answer's kind as JS gave it to `claim`, `[TOUCH, id, ""]`, `[REMOVE_SESSION, session, ""]`,
//!   `[DETACH | ATTACH, session, grace ms]`; a routed answer's value starts with
//!   `<answerer>:<ticket>:` (instance ids hold no `:`), so the owner can acknowledge it.
//! - `[ACK, ticket, result JSON]`: the owner's acknowledgement of an answer this process routed.

use super::error::ClusterError;
use crate::convert::{unpack, Unpacked};
use napi::bindgen_prelude::Utf16String;
use napi_derive::napi;
use std::time::{Duration, Instant};

/// Who may answer an interaction (a record's session key, compared by the claim): this letter,
/// then the session's name, for a string session. Also the kind of a publish write.
#[napi]
pub const SESSION_KEY_NAMED: &str = "s";
/// The session key of the empty string as session.
#[napi]
pub const SESSION_KEY_EMPTY: &str = "e";
/// The session key of a `null` session; also the kind of a publish write.
#[napi]
pub const SESSION_KEY_NULL: &str = "n";
/// The session key of an interaction requested without a session; also the kind of a publish
/// write.
#[napi]
pub const SESSION_KEY_UNDEFINED: &str = "u";
/// The asker key of an answer given without a session: anyone may give it, unless the record
/// requires a session match.
#[napi]
pub const SESSION_KEY_ANYONE: &str = "";
/// The asker key of an answer from a session that is neither a string nor null: no record has it.
#[napi]
pub const SESSION_KEY_NONE: &str = "x";
/// The asker key of a reject: no session check, as single-process mode's `rejectInteraction`
/// (with `requireSessionMatch` too).
#[napi]
pub const SESSION_KEY_UNCHECKED: &str = "*";

pub const REPLY: &str = "reply";
pub const STATE: &str = "state";
pub const EVENT: &str = "event";
pub const TOUCH: &str = "touch";
pub const REMOVE_SESSION: &str = "removeSession";
pub const DETACH: &str = "detach";
pub const ATTACH: &str = "attach";
pub const ACK: &str = "ack";
/// The details of a `STATE` delivery.
pub const UP: &str = "up";
pub const DOWN: &str = "down";
pub const ERROR: &str = "error";
/// The lease ran out: JS ends this process's interactions OWNER_GONE (`lib/cluster.js`).
pub const FENCE: &str = "fence";

pub fn reply(call: u32, value: String) -> Vec<String> {
    vec![REPLY.to_owned(), call.to_string(), value]
}

pub fn failure(call: u32, e: &ClusterError) -> Vec<String> {
    vec![e.code().to_owned(), call.to_string(), e.to_string()]
}

pub fn state(what: &str, detail: String) -> Vec<String> {
    vec![STATE.to_owned(), what.to_owned(), detail]
}

#[derive(Clone)]
pub struct Record {
    pub id: String,
    /// Who may answer: one of the `SESSION_KEY_*`, with the name after `SESSION_KEY_NAMED`.
    pub session_key: String,
    pub session: Option<String>,
    pub kind: String,
    pub require_match: bool,
    pub json: String,
    /// How long the record outlives a request or a touch: its timeout plus the owner timeout.
    pub ttl: Duration,
    pub expires: Instant,
    /// Its place in listings, on Redis's clock (µs), once Redis gave it one (`publish.lua`).
    pub order: Option<u64>,
}

/// A listing for JS: the records as `list.lua` answers them (`<place> <JSON>`, see
/// `publish.lua`), as one JSON array in the order of their places, which are one clock's
/// (Redis's), whatever the clocks of their owners. A record without a place comes last.
pub fn listing(records: Vec<String>) -> String {
    let mut placed: Vec<(u64, &str)> = records
        .iter()
        .map(|r| match r.split_once(' ') {
            Some((place, json)) => match place.parse() {
                Ok(place) => (place, json),
                Err(_) => (u64::MAX, r.as_str()),
            },
            None => (u64::MAX, r.as_str()),
        })
        .collect();
    placed.sort_by_key(|(place, _)| *place);
    let mut out = String::with_capacity(2 + records.iter().map(|r| r.len() + 1).sum::<usize>());
    out.push('[');
    for (i, (_, json)) in placed.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(json);
    }
    out.push(']');
    out
}

/// One write, decoded from a batch.
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
    /// The owner's answer to a routed answer, for the answerer's inbox.
    Ack {
        to: String,
        ticket: String,
        result: String,
    },
}

/// The writes of one JS turn, as JS hands them over.
pub struct Batch {
    pub text: Utf16String,
    pub lengths: Vec<u32>,
}

impl Batch {
    /// Decodes the writes. A write holding a string that is not well-formed UTF-16 (a lone
    /// surrogate) is refused, never converted: a lossy conversion would turn one session into
    /// another. A malformed tail (a bug in the JS layer) is reported, not guessed at.
    pub fn decode(&self) -> (Vec<Write>, Option<String>) {
        let mut fields = Fields {
            parts: unpack(&self.text, &self.lengths),
            refused: false,
        };
        let mut out = Vec::new();
        let mut refused = 0;
        let mut malformed = None;
        while let Some(op) = fields.next() {
            let write = match op.as_str() {
                head if head.starts_with('P') => publish(head, &mut fields),
                "E" => {
                    fields
                        .take::<3>()
                        .map(|[id, event, payload]| Write::End { id, event, payload })
                }
                "R" => fields.take::<1>().map(|[id]| Write::Refresh { id }),
                "S" => fields
                    .take::<1>()
                    .map(|[session]| Write::RemoveSession(session)),
                "A" => {
                    fields
                        .take::<3>()
                        .map(|[to, ticket, result]| Write::Ack { to, ticket, result })
                }
                "D" => fields.take::<2>().map(|[session, grace]| Write::Detach {
                    session,
                    grace_ms: millis(&grace).as_millis() as u64,
                }),
                _ => None,
            };
            match write {
                Some(_) if std::mem::take(&mut fields.refused) => refused += 1,
                Some(w) => out.push(w),
                None => {
                    malformed = Some(format!("malformed write batch at op {op:?}"));
                    break;
                }
            }
        }
        if refused > 0 {
            let why = format!("refused {refused} write(s) holding a string that is not well-formed UTF-16 (a lone surrogate), never converted");
            malformed = Some(match malformed {
                Some(m) => format!("{why}; {m}"),
                None => why,
            });
        }
        (out, malformed)
    }
}

/// A string from JS, exactly: `None` for one that is not well-formed UTF-16.
pub fn exact(units: &[u16]) -> Option<String> {
    String::from_utf16(units).ok()
}

struct Fields<'a> {
    parts: Unpacked<'a>,
    /// A field of the write being read was not well-formed.
    refused: bool,
}

impl Fields<'_> {
    fn next(&mut self) -> Option<String> {
        let units = self.parts.next()?;
        Some(exact(units).unwrap_or_else(|| {
            self.refused = true;
            String::new()
        }))
    }

    fn take<const N: usize>(&mut self) -> Option<[String; N]> {
        let mut out: [String; N] = std::array::from_fn(|_| String::new());
        for slot in out.iter_mut() {
            *slot = self.next()?;
        }
        Some(out)
    }
}

/// `P<r><k><ttl>`: see the module's comment.
fn publish(head: &str, fields: &mut Fields<'_>) -> Option<Write> {
    let require_match = head.get(1..2)? == "1";
    let kind = head.get(2..3)?;
    let ttl = millis(head.get(3..)?);
    let id = fields.next()?;
    let name = if kind == SESSION_KEY_NAMED {
        Some(fields.next()?)
    } else {
        None
    };
    let [kind_of, members, requested_at] = fields.take::<3>()?;
    let mut json = String::with_capacity(64 + id.len() + kind_of.len() + members.len());
    json.push_str("{\"id\":");
    json_string(&id, &mut json);
    json.push_str(",\"type\":");
    json_string(&kind_of, &mut json);
    match &name {
        Some(n) => {
            json.push_str(",\"sessionId\":");
            json_string(n, &mut json);
        }
        None if kind == SESSION_KEY_NULL => json.push_str(",\"sessionId\":null"),
        None => {}
    }
    if !members.is_empty() {
        json.push(',');
        json.push_str(&members);
    }
    json.push_str(",\"requestedAt\":");
    // A number from Date.now(); anything else would break the JSON, so it is checked.
    if requested_at.parse::<f64>().is_ok_and(f64::is_finite) {
        json.push_str(&requested_at);
    } else {
        json.push_str("null");
    }
    json.push('}');
    let session_key = match &name {
        Some(n) if n.is_empty() => SESSION_KEY_EMPTY.to_owned(),
        Some(n) => format!("{SESSION_KEY_NAMED}{n}"),
        None if kind == SESSION_KEY_NULL => SESSION_KEY_NULL.to_owned(),
        None => SESSION_KEY_UNDEFINED.to_owned(),
    };
    Some(Write::Publish(Record {
        id,
        session_key,
        session: name,
        kind: kind_of,
        require_match,
        json,
        ttl,
        expires: Instant::now() + ttl,
        order: None,
    }))
}

/// Appends `s` as a JSON string.
fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Milliseconds given as decimal text; anything unreadable or out of range is one millisecond.
fn millis(text: &str) -> Duration {
    match text.parse::<f64>() {
        Ok(ms) if ms.is_finite() && ms > 0.0 => Duration::from_secs_f64((ms / 1000.0).min(1e9)),
        _ => Duration::from_millis(1),
    }
}
