//! Admitting a request (shutdown, rate limit, per-session and total limits) and registering it
//! in every index.

use super::{Entry, NewInteraction, Refused, Registry};
use crate::error::RequestError;
use crate::id::InteractionId;
use std::num::NonZeroU64;

impl<P> Registry<P> {
    /// Registers an interaction under an id the caller drew (a v4 UUID from a CSPRNG, such as
    /// Node's `crypto.randomUUID`); an id that is already pending is refused.
    pub fn request(
        &mut self,
        id: InteractionId,
        req: NewInteraction<'_>,
        now: u64,
        payload: P,
    ) -> Result<InteractionId, Refused<P>> {
        if let Err(error) = self.admit(&req, now) {
            return Err(Refused { error, payload });
        }
        if self.entries.contains_key(&id) {
            return Err(Refused {
                error: RequestError::DuplicateId,
                payload,
            });
        }
        self.insert(id, req, now, payload);
        Ok(id)
    }

    fn insert(&mut self, id: InteractionId, req: NewInteraction<'_>, now: u64, payload: P) {
        let now = self.tick(now);
        let seq = self.next_seq;
        self.next_seq += 1;
        let kind = self.stats.intern(req.kind);
        self.stats.requested(kind);
        let session = req.owner.session().map(|s| self.session_key(s));
        if let Some(key) = &session {
            self.sessions.entry(key.clone()).or_default().push(id);
        }
        if let Some(rates) = &mut self.rates {
            rates.record(session.clone(), now);
        }
        let timeout = req.timeout_ms.unwrap_or(self.config.interaction_timeout_ms);
        let cap = req
            .max_total_ms
            .and_then(|total| NonZeroU64::new(now.saturating_add(total).max(1)));
        let deadline = Self::deadline_of(now, timeout, cap);
        if let Some(at) = deadline {
            self.deadlines.insert((at.get(), seq, id));
        }
        self.entries.insert(
            id,
            Entry {
                seq,
                rearmed: 0,
                kind,
                unnamed: req.owner.unnamed(),
                session,
                requested_at: now,
                deadline,
                timeout,
                cap,
                payload,
            },
        );
    }

    fn admit(&mut self, req: &NewInteraction<'_>, now: u64) -> Result<(), RequestError> {
        if self.shut_down {
            return Err(RequestError::ShutDown);
        }
        let now = self.tick(now);
        let session = req.owner.session();
        if let Some(rates) = &mut self.rates {
            rates.prune(now);
            if let Err(retry_after_ms) = rates.check(session, now) {
                return Err(RequestError::RateLimited {
                    subject: session.map_or_else(
                        || "requests without a session".to_owned(),
                        |s| format!("session {s}"),
                    ),
                    retry_after_ms,
                });
            }
        }
        if let Some(session) = session {
            let held = self.sessions.get(session).map_or(0, Vec::len);
            if held >= self.config.max_per_session as usize {
                return Err(RequestError::TooManyForSession(session.to_owned()));
            }
        }
        if self.entries.len() >= self.config.max_pending_total as usize {
            return Err(RequestError::TooManyTotal(self.config.max_pending_total));
        }
        Ok(())
    }
}
