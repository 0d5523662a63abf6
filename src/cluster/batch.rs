//! The writes of one JS turn, as JS hands them over: every field back to back in one UTF-16
//! string, with their lengths. Each write is an op letter, then a fixed number of fields:
//! - `P<r><k><ttl>` (r: require-match `1`/`0`; k: session `s` string, `n` null, `u` undefined;
//!   ttl: ms), then id, the session name (only for `s`), type, the record JSON
//! - `E` id, event name, payload JSON: the interaction ended here
//! - `R` id, ttl ms: touched, restart the record's expiry
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
                "R" => fields.take::<2>().map(|[id, ttl]| Write::Refresh {
                    id,
                    ttl: millis(&ttl),
                }),
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
    let (session_key, session) = match kind {
        's' => {
            let name = fields.next()?;
            (
                if name.is_empty() {
                    "e".to_owned()
                } else {
                    format!("s{name}")
                },
                Some(name),
            )
        }
        'n' => ("n".to_owned(), None),
        _ => ("u".to_owned(), None),
    };
    let [kind, json] = fields.take::<2>()?;
    Some(Write::Publish(Record {
        id,
        session_key,
        session,
        kind,
        require_match,
        json,
        expires: Instant::now() + ttl,
    }))
}

/// Milliseconds given as decimal text; anything unreadable or out of range is one millisecond.
fn millis(text: &str) -> Duration {
    match text.parse::<f64>() {
        Ok(ms) if ms.is_finite() && ms > 0.0 => Duration::from_secs_f64((ms / 1000.0).min(1e9)),
        _ => Duration::from_millis(1),
    }
}
