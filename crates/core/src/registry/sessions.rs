//! Sessions: removing one, detaching and attaching its browsers, and listing its interactions.

use super::{Registry, Settled};
use crate::error::SettleCode;
use crate::id::InteractionId;

impl<P> Registry<P> {
    /// Rejects every pending interaction of `session`, oldest first.
    pub fn remove_session(&mut self, session: &str) -> Vec<Settled<P>> {
        let ids = self.session_ids(session);
        let mut out = Vec::new();
        self.end_all(
            ids.into_iter().map(|id| (id, SettleCode::SessionRemoved)),
            &mut out,
        );
        out
    }

    /// The session's browsers are gone, maybe only for a reload: its interactions stay pending
    /// for `grace_ms`, then end with `SessionRemoved` unless `attach` comes first. Detaching
    /// again restarts the grace.
    pub fn detach(&mut self, session: &str, now: u64, grace_ms: u64) {
        let now = self.tick(now);
        self.attach(session);
        let key = self.session_key(session);
        let until = now.saturating_add(grace_ms);
        let armed = self.next_seq;
        self.next_seq += 1;
        self.detached.insert(key.clone(), (until, armed));
        self.graces.insert((until, armed, key));
    }

    /// A browser of the session is back: cancels its grace. Returns whether it was detached.
    pub fn attach(&mut self, session: &str) -> bool {
        match self.detached.remove_entry(session) {
            Some((key, (until, armed))) => {
                self.graces.remove(&(until, armed, key));
                true
            }
            None => false,
        }
    }

    /// Sessions in their grace period.
    pub fn detached_count(&self) -> usize {
        self.detached.len()
    }

    /// Pending interactions of `sessions` (in that order, then request order), filtered by kind.
    pub fn pending_of<'s>(
        &self,
        sessions: impl IntoIterator<Item = &'s str>,
        kind: Option<&str>,
    ) -> Vec<(InteractionId, &P)> {
        let wanted = match kind {
            Some(k) => match self.stats.lookup(k) {
                Some(row) => Some(row),
                None => return Vec::new(),
            },
            None => None,
        };
        let mut out = Vec::new();
        for session in sessions {
            let Some(ids) = self.sessions.get(session) else {
                continue;
            };
            for id in ids {
                if let Some(e) = self.entries.get(id) {
                    if wanted.is_none_or(|row| row == e.kind) {
                        out.push((*id, &e.payload));
                    }
                }
            }
        }
        out
    }
}
