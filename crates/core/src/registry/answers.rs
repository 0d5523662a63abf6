//! Answers by id (resolve, reject, abort), touches, and how a recently settled one ended.

use super::{Answerer, Registry, Settled};
use crate::error::{AnswerError, SettleCode};
use crate::id::InteractionId;
use std::num::NonZeroU64;

impl<P> Registry<P> {
    /// Answers an interaction. With `require_session_match`, an anonymous answer is refused.
    pub fn resolve(
        &mut self,
        id: &[u8],
        answerer: Answerer<'_>,
    ) -> Result<Settled<P>, AnswerError> {
        let id = self.known(id)?;
        let allowed = match (answerer, self.entries.get(&id)) {
            (_, None) => false,
            (Answerer::Anyone, _) => !self.config.require_session_match,
            (Answerer::As(asker), Some(e)) => match (&e.session, asker.session()) {
                (Some(own), Some(asker)) => **own == *asker,
                (None, None) => e.unnamed == asker.unnamed(),
                _ => false,
            },
            (Answerer::Stranger, _) => false,
        };
        if !allowed {
            return Err(AnswerError::SessionMismatch);
        }
        self.settle(id, SettleCode::Resolved)
            .ok_or(AnswerError::InvalidOrDecided)
    }

    /// Rejects one interaction by id with `Rejected` or `Aborted`.
    pub fn reject(&mut self, id: &[u8], code: SettleCode) -> Result<Settled<P>, AnswerError> {
        let id = self.known(id)?;
        self.settle(id, code).ok_or(AnswerError::InvalidOrDecided)
    }

    /// Restarts the timeout of a pending interaction (the user opened the dialog, is typing),
    /// never past its `max_total_ms` cap. Returns the new deadline, if it has one.
    pub fn touch(&mut self, id: &[u8], now: u64) -> Result<Option<u64>, AnswerError> {
        let id = self.known(id)?;
        let now = self.tick(now);
        let Some(e) = self.entries.get_mut(&id) else {
            return Err(AnswerError::InvalidOrDecided);
        };
        let next = Self::deadline_of(now, e.timeout, e.cap);
        // A deadline that moves comes after those set before it in the same millisecond, as a
        // restarted timer would; one that stays (at the cap) keeps its place.
        if next != e.deadline {
            if let Some(at) = e.deadline {
                self.deadlines.remove(&(at.get(), e.armed(), id));
            }
            e.rearmed = u16::try_from(self.next_seq - e.seq).unwrap_or(u16::MAX);
            self.next_seq += 1;
            if let Some(at) = next {
                self.deadlines.insert((at.get(), e.armed(), id));
            }
            e.deadline = next;
        }
        Ok(next.map(NonZeroU64::get))
    }

    /// How and when (on the registry's clock) a recently settled interaction ended.
    pub fn settled_as(&mut self, id: &[u8], now: u64) -> Option<(SettleCode, u64)> {
        self.tick(now);
        self.forget_old();
        InteractionId::parse(id).and_then(|id| self.settled.get(&id).copied())
    }

    /// How many settled ids are remembered; bounded by the history limits.
    pub fn remembered(&self) -> usize {
        self.history.len()
    }
}
