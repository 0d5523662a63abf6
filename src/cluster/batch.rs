//! The writes of one JS turn, as JS hands them over: every field back to back in one UTF-16
//! string, with their lengths. Each write is an op letter, then a fixed number of fields:
//! - `P<r><k><ttl>` (r: require-match `1`/`0`; k: session `s` string, `n` null, `u` undefined;
//!   ttl: ms), then id, the session name (only for `s`), type, `"data":..,"metadata":..` (JSON
//!   members, maybe none), requestedAt. The record's JSON is put together here, off the JS thread.
//! - `E` id, event name, payload JSON: the interaction ended here
//! - `R` id: touched, restart the record's expiry
//! - `S` session: remove the session on every process
//! - `D` session, grace ms: detach the session on every process

use super::writer::{Record, Write};
use napi::bindgen_prelude::Utf16String;
use std::time::{Duration, Instant};

pub struct Batch {
    pub text: Utf16String,
    pub lengths: Vec<u32>,
}

impl Batch {
    /// Decodes the writes; a malformed tail (a bug in the JS layer) is reported, not guessed at.
    pub fn decode(&self) -> (Vec<Write>, Option<String>) {
        let mut fields = Fields {
            text: &self.text,
            lengths: &self.lengths,
            at: 0,
            pos: 0,
        };
        let mut out = Vec::new();
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
                "D" => fields.take::<2>().map(|[session, grace]| Write::Detach {
                    session,
                    grace_ms: millis(&grace).as_millis() as u64,
                }),
                _ => None,
            };
            match write {
                Some(w) => out.push(w),
                None => return (out, Some(format!("malformed write batch at op {op:?}"))),
            }
        }
        (out, None)
    }
}

struct Fields<'a> {
    text: &'a [u16],
    lengths: &'a [u32],
    at: usize,
    pos: usize,
}

impl Fields<'_> {
    fn next(&mut self) -> Option<String> {
        let len = *self.lengths.get(self.at)? as usize;
        let end = self.pos.checked_add(len)?;
        let field = self.text.get(self.pos..end)?;
        self.at += 1;
        self.pos = end;
        Some(String::from_utf16_lossy(field))
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
    let mut flags = head.chars().skip(1);
    let require_match = flags.next()? == '1';
    let kind = flags.next()?;
    let ttl = millis(head.get(3..)?);
    let id = fields.next()?;
    let name = if kind == 's' {
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
    match (&name, kind) {
        (Some(n), _) => {
            json.push_str(",\"sessionId\":");
            json_string(n, &mut json);
        }
        (None, 'n') => json.push_str(",\"sessionId\":null"),
        _ => {}
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
    let session_key = match (&name, kind) {
        (Some(n), _) if n.is_empty() => "e".to_owned(),
        (Some(n), _) => format!("s{n}"),
        (None, 'n') => "n".to_owned(),
        _ => "u".to_owned(),
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
