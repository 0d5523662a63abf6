//! Bulk endings one interaction at a time. A caller that runs code between two endings (the
//! binding emits each ending's event before the next) takes the candidates first and then ends
//! them one by one with `end`: what a listener answered meanwhile is skipped, and everything not
//! yet ended is still pending (counted, listed, answerable), as with one timer per interaction.

use super::{Registry, Settled};
use crate::error::SettleCode;
use crate::id::InteractionId;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

impl<P> Registry<P> {
    /// Ends one pending interaction with `code`, unless it is gone or no longer due: a `Timeout`
    /// only once its deadline is not after `now` (a listener may have touched it), a `Stale` only
    /// once it is older than the threshold.
    pub fn end(&mut self, id: InteractionId, code: SettleCode, now: u64) -> Option<Settled<P>> {
        let now = self.tick(now);
        let entry = self.entries.get(&id)?;
        let due = match code {
            SettleCode::Timeout => entry.deadline.is_some_and(|at| at.get() <= now),
            SettleCode::Stale => {
                let threshold = self.config.stale_threshold_ms;
                threshold > 0 && entry.requested_at.saturating_add(threshold) <= now
            }
            _ => true,
        };
        if due {
            self.settle(id, code)
        } else {
            None
        }
    }

    /// What time ends at `now`, in the order one timer each would fire: timeouts (`Timeout`)
    /// and the interactions of sessions whose grace ended (`SessionRemoved`; the grace itself is
    /// over once handed out). About `limit` of them (a grace hands out its whole session).
    pub fn due(&mut self, now: u64, limit: usize) -> Vec<(InteractionId, SettleCode)> {
        let now = self.tick(now);
        let mut timeouts = self
            .deadlines
            .iter()
            .take_while(|(at, _, _)| *at <= now)
            .take(limit)
            .map(|&(at, armed, id)| (at, armed, id))
            .peekable();
        let mut out = Vec::new();
        while out.len() < limit {
            let grace = self
                .graces
                .first()
                .filter(|(at, _, _)| *at <= now)
                .map(|(at, armed, _)| (*at, *armed));
            let timeout = timeouts.peek().map(|&(at, armed, _)| (at, armed));
            let grace_first = match (grace, timeout) {
                (Some(g), Some(t)) => g < t,
                (g, t) => {
                    if g.is_none() && t.is_none() {
                        break;
                    }
                    g.is_some()
                }
            };
            if grace_first {
                if let Some((_, _, session)) = self.graces.pop_first() {
                    self.detached.remove(&session);
                    if let Some(ids) = self.sessions.get(&*session) {
                        out.extend(ids.iter().map(|&id| (id, SettleCode::SessionRemoved)));
                    }
                }
            } else if let Some((_, _, id)) = timeouts.next() {
                out.push((id, SettleCode::Timeout));
            }
        }
        out
    }

    /// The next `limit` interactions of the stale sweep (starting one when none is under way),
    /// oldest first, and whether more of it remain; also forgets passed rate-limit windows.
    pub fn stale_due(&mut self, now: u64, limit: usize) -> (Vec<InteractionId>, bool) {
        let now = self.tick(now);
        if let Some(rates) = &mut self.rates {
            rates.prune(now);
        }
        let threshold = self.config.stale_threshold_ms;
        if threshold == 0 {
            return (Vec::new(), false);
        }
        if self.stale.is_empty() {
            let stale: Vec<Reverse<(u64, InteractionId)>> = self
                .entries
                .iter()
                .filter(|(_, e)| e.requested_at.saturating_add(threshold) <= now)
                .map(|(id, e)| Reverse((e.seq, *id)))
                .collect();
            self.stale = BinaryHeap::from(stale);
        }
        let mut out = Vec::new();
        while out.len() < limit {
            let Some(Reverse((_, id))) = self.stale.pop() else {
                break;
            };
            if self.entries.contains_key(&id) {
                out.push(id);
            }
        }
        (out, !self.stale.is_empty())
    }

    /// The pending interactions of `session`, oldest first, and cancels its grace: what
    /// `removeSession` ends.
    pub fn session_ids(&mut self, session: &str) -> Vec<InteractionId> {
        self.attach(session);
        self.sessions.get(session).cloned().unwrap_or_default()
    }

    /// Refuses all later requests, drops graces and any sweep under way, and returns every
    /// pending interaction, oldest first: what shutdown ends.
    pub fn close(&mut self) -> Vec<InteractionId> {
        self.shut_down = true;
        self.stale.clear();
        self.detached.clear();
        self.graces.clear();
        self.pending_ids().collect()
    }

    /// The payload of a pending interaction.
    pub fn payload(&self, id: &InteractionId) -> Option<&P> {
        self.entries.get(id).map(|e| &e.payload)
    }

    /// Ends each of `ids` with `code` (those still pending and due).
    pub(super) fn end_all(
        &mut self,
        ids: impl IntoIterator<Item = (InteractionId, SettleCode)>,
        out: &mut Vec<Settled<P>>,
    ) {
        let now = self.clock;
        for (id, code) in ids {
            out.extend(self.end(id, code, now));
        }
    }
}
