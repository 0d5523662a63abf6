//! The consistency check of every index against the entries, run by the tests after each step.

use super::Registry;
use std::num::NonZeroU64;

impl<P> Registry<P> {
    /// Checks that every index agrees with the entries; for tests.
    pub fn check_invariants(&self) -> Result<(), String> {
        let timed = self
            .entries
            .values()
            .filter(|e| e.deadline.is_some())
            .count();
        if timed != self.deadlines.len() {
            return Err(format!(
                "{} deadlines for {timed} timed entries",
                self.deadlines.len()
            ));
        }
        for (at, armed, id) in &self.deadlines {
            let e = self
                .entries
                .get(id)
                .ok_or("deadline names a missing entry")?;
            if e.deadline.map(NonZeroU64::get) != Some(*at) || e.armed() != *armed {
                return Err("deadline index disagrees with entry".into());
            }
        }
        let mut indexed = 0;
        for (session, ids) in &self.sessions {
            if ids.is_empty() {
                return Err(format!("empty session entry {session}"));
            }
            let mut last = None;
            for id in ids {
                let e = self
                    .entries
                    .get(id)
                    .ok_or("session names a missing entry")?;
                if e.session.as_deref() != Some(&**session) {
                    return Err("session index disagrees with entry".into());
                }
                if last.is_some_and(|seq| seq >= e.seq) {
                    return Err(format!("session {session} is not in request order"));
                }
                last = Some(e.seq);
                indexed += 1;
            }
        }
        let with_session = self
            .entries
            .values()
            .filter(|e| e.session.is_some())
            .count();
        if indexed != with_session {
            return Err(format!(
                "{indexed} indexed, {with_session} entries with a session"
            ));
        }
        Ok(())
    }
}
