//! The registry of pending interactions: one map by id, a session index
//! and a deadline index, all kept consistent by the single `settle` path.

use crate::config::Config;
use crate::error::{AnswerError, RequestError, SettleCode};
use crate::id::InteractionId;
use crate::rates::Rates;
use crate::stats::StatsTable;
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, VecDeque};
use std::num::NonZeroU64;
use std::rc::Rc;

/// The `sessionId` a request gave, exactly: only a non-empty name is a session (indexed, listed,
/// removable), but an answer is compared with what was given, so `null` is not `''`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Owner<'a> {
    Session(&'a str),
    #[default]
    Null,
    Empty,
    Undefined,
}

impl<'a> Owner<'a> {
    /// The indexed session name, if any.
    pub fn session(self) -> Option<&'a str> {
        match self {
            Owner::Session(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    /// `Session("")` is `Empty`, so one value has one spelling.
    fn unnamed(self) -> Unnamed {
        match self {
            Owner::Session(_) | Owner::Empty => Unnamed::Empty,
            Owner::Null => Unnamed::Null,
            Owner::Undefined => Unnamed::Undefined,
        }
    }
}

/// Which falsy `sessionId` a session-less interaction was requested with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unnamed {
    Null,
    Empty,
    Undefined,
}

/// What a request asks for; `timeout_ms: None` takes the registry's default, `Some(0)` disables.
/// `max_total_ms` caps the wait however often the interaction is touched.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewInteraction<'a> {
    pub kind: &'a str,
    pub owner: Owner<'a>,
    pub timeout_ms: Option<u64>,
    pub max_total_ms: Option<u64>,
}

/// Who answers: `Anyone` when the caller gave no third argument at all; `As(owner)` is compared
/// exactly with the interaction's own `sessionId`; `Stranger` (a number, an object) owns nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answerer<'a> {
    Anyone,
    As(Owner<'a>),
    Stranger,
}

/// A refused request hands the payload back so its owner can dispose of it.
#[derive(Debug)]
pub struct Refused<P> {
    pub error: RequestError,
    pub payload: P,
}

/// An interaction that has just left the registry, with everything its owner needs to finish it.
#[derive(Debug)]
pub struct Settled<P> {
    pub id: InteractionId,
    pub session: Option<Rc<str>>,
    pub code: SettleCode,
    pub payload: P,
}

impl<P> Entry<P> {
    /// The deadline index's tie-break: when the timeout was last (re)started.
    fn armed(&self) -> u64 {
        self.seq + u64::from(self.rearmed)
    }
}

#[derive(Debug)]
struct Entry<P> {
    /// Request order.
    seq: u64,
    /// How much later than `seq` (on the same counter) its timeout was last restarted, so that
    /// deadlines in the same millisecond fire in the order they were set, as one timer each
    /// would. Two bytes that fit beside `kind` (a `u64` cost 10 B of rss per interaction);
    /// saturating, so after 65535 later requests a restart only keeps its place among equals.
    rearmed: u16,
    kind: u32,
    /// Meaningful only when `session` is `None`; fits in `kind`'s padding.
    unnamed: Unnamed,
    session: Option<Rc<str>>,
    requested_at: u64,
    /// At least `timeout` (> 0) ms after the clock's start, so never zero: the niche halves it.
    deadline: Option<NonZeroU64>,
    /// The timeout a touch restarts (0: none), and the latest deadline any touch may set.
    timeout: u64,
    cap: Option<NonZeroU64>,
    payload: P,
}

/// Pending interactions and their indexes. Time is one caller-supplied monotonic millisecond
/// clock (the binding passes `performance.now()` from JS on every call); the registry never reads
/// a clock of its own. Request order is kept only where it is hot: per session (listing) and per
/// deadline (expiry); the stale sweep and shutdown, which run rarely, sort what they find.
pub struct Registry<P> {
    config: Config,
    next_seq: u64,
    clock: u64,
    /// Ids are 122 random bits: a keyed hash would buy nothing against collisions.
    entries: FxHashMap<InteractionId, Entry<P>>,
    /// Per session, its ids in request order: inserting is a push; removal
    /// shifts at most `max_per_session` (default 100) entries.
    sessions: HashMap<Rc<str>, Vec<InteractionId>>,
    deadlines: BTreeSet<(u64, u64, InteractionId)>,
    stats: StatsTable,
    shut_down: bool,
    /// Recently settled ids, oldest first, bounded by `history_len` and `history_ms`.
    history: VecDeque<(InteractionId, SettleCode, u64)>,
    settled: FxHashMap<InteractionId, (SettleCode, u64)>,
    rates: Option<Rates>,
    /// The sweep in progress: what it found stale, as a min-heap on request order, so that
    /// starting a sweep costs one scan and a heapify (O(n)), and each chunk pops its share
    /// (O(chunk log n)): no event-loop turn pays for sorting everything.
    stale: BinaryHeap<Reverse<(u64, InteractionId)>>,
    /// Detached sessions and the end of their grace, both ways; graces that end in the same
    /// millisecond end in the order they were set (the middle number), as one timer each would.
    detached: HashMap<Rc<str>, (u64, u64)>,
    graces: BTreeSet<(u64, u64, Rc<str>)>,
}

impl<P> Registry<P> {
    pub fn new(config: Config) -> Self {
        Self {
            rates: config.rate_limit.map(Rates::new),
            stats: StatsTable::new(config.max_types),
            config,
            next_seq: 0,
            clock: 0,
            entries: FxHashMap::default(),
            sessions: HashMap::new(),
            deadlines: BTreeSet::new(),
            shut_down: false,
            history: VecDeque::new(),
            settled: FxHashMap::default(),
            stale: BinaryHeap::new(),
            detached: HashMap::new(),
            graces: BTreeSet::new(),
        }
    }

    pub fn pending_count(&self) -> usize {
        self.entries.len()
    }

    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    pub fn stats(&self) -> &StatsTable {
        &self.stats
    }

    /// A wall clock may step back; deadlines and ages must not.
    fn tick(&mut self, now: u64) -> u64 {
        self.clock = self.clock.max(now);
        self.clock
    }

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

    /// The deadline of a (re)started timeout: `timeout` from now, never past the cap.
    fn deadline_of(now: u64, timeout: u64, cap: Option<NonZeroU64>) -> Option<NonZeroU64> {
        let timed = NonZeroU64::new(if timeout > 0 {
            now.saturating_add(timeout)
        } else {
            0
        });
        match (timed, cap) {
            (Some(t), Some(c)) => Some(t.min(c)),
            (t, c) => t.or(c),
        }
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

    /// Reuses the key already in the session index so a session's name is stored once.
    fn session_key(&self, session: &str) -> Rc<str> {
        match self.sessions.get_key_value(session) {
            Some((key, _)) => key.clone(),
            None => Rc::from(session),
        }
    }

    /// The one way out of the registry: every path (answer, reject, abort, session removal,
    /// timeout, stale sweep, shutdown) ends here, so indexes and counts cannot drift apart.
    fn settle(&mut self, id: InteractionId, code: SettleCode) -> Option<Settled<P>> {
        let entry = self.entries.remove(&id)?;
        if let Some(at) = entry.deadline {
            self.deadlines.remove(&(at.get(), entry.armed(), id));
        }
        if let Some(key) = &entry.session {
            if let Some(ids) = self.sessions.get_mut(&**key) {
                if let Some(at) = ids.iter().position(|&x| x == id) {
                    ids.remove(at);
                }
                if ids.is_empty() {
                    self.sessions.remove(&**key);
                }
            }
        }
        let waited = self.clock.saturating_sub(entry.requested_at);
        self.stats.settled(entry.kind, code, waited);
        self.remember(id, code);
        Some(Settled {
            id,
            session: entry.session,
            code,
            payload: entry.payload,
        })
    }

    fn known(&self, id: &[u8]) -> Result<InteractionId, AnswerError> {
        InteractionId::parse(id)
            .filter(|id| self.entries.contains_key(id))
            .ok_or(AnswerError::InvalidOrDecided)
    }

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

    /// Rejects every pending interaction of `session`, oldest first.
    pub fn remove_session(&mut self, session: &str) -> Vec<Settled<P>> {
        self.attach(session);
        let ids: Vec<InteractionId> = match self.sessions.get(session) {
            Some(ids) => ids.clone(),
            None => return Vec::new(),
        };
        ids.into_iter()
            .filter_map(|id| self.settle(id, SettleCode::SessionRemoved))
            .collect()
    }

    /// Settles up to `limit` interactions whose timeout has passed, earliest first.
    /// Returns whether more are already due, so the caller can yield and come back.
    pub fn expire(&mut self, now: u64, limit: usize, out: &mut Vec<Settled<P>>) -> bool {
        let now = self.tick(now);
        // Timeouts and ended graces in the order of their deadlines, and of when they were set
        // for equal ones, as one timer each would fire them, however late this call comes.
        let mut steps = 0;
        while steps < limit {
            let grace = self.graces.first().map(|(at, armed, _)| (*at, *armed));
            let timeout = self.deadlines.first().map(|&(at, armed, _)| (at, armed));
            let grace_first = match (grace, timeout) {
                (Some(g), Some(t)) => g < t,
                (g, t) => g.is_some() && t.is_none(),
            };
            let next = if grace_first { grace } else { timeout };
            if next.is_none_or(|(at, _)| at > now) {
                return false;
            }
            steps += 1;
            if grace_first {
                // The grace ended: the session is gone for good.
                if let Some((_, _, session)) = self.graces.pop_first() {
                    self.detached.remove(&session);
                    let ids: Vec<InteractionId> =
                        self.sessions.get(&*session).cloned().unwrap_or_default();
                    for id in ids {
                        out.extend(self.settle(id, SettleCode::SessionRemoved));
                    }
                }
            } else if let Some((_, _, id)) = self.deadlines.pop_first() {
                // Popped first, so even an entry missing from `entries` cannot stall this loop.
                out.extend(self.settle(id, SettleCode::Timeout));
            }
        }
        self.next_deadline().is_some_and(|at| at <= now)
    }

    /// Settles up to `limit` interactions older than the stale threshold, oldest first, and
    /// returns whether more of this sweep remain. A sweep scans once, then hands out chunks
    /// (n log n in all), so the caller can yield to the event loop between them; interactions
    /// that end otherwise meanwhile are skipped.
    pub fn sweep_stale(&mut self, now: u64, limit: usize, out: &mut Vec<Settled<P>>) -> bool {
        let now = self.tick(now);
        if let Some(rates) = &mut self.rates {
            rates.prune(now);
        }
        let threshold = self.config.stale_threshold_ms;
        if threshold == 0 {
            return false;
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
        for _ in 0..limit {
            let Some(Reverse((_, id))) = self.stale.pop() else {
                break;
            };
            out.extend(self.settle(id, SettleCode::Stale));
        }
        !self.stale.is_empty()
    }

    /// The earliest timeout deadline or end of a grace, for arming the one wake-up timer.
    pub fn next_deadline(&self) -> Option<u64> {
        let timeout = self.deadlines.first().map(|&(at, _, _)| at);
        let grace = self.graces.first().map(|(at, _, _)| *at);
        match (timeout, grace) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
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

    /// Refuses all later requests and settles every pending interaction, oldest first.
    pub fn shutdown(&mut self) -> Vec<Settled<P>> {
        self.shut_down = true;
        self.stale.clear();
        self.detached.clear();
        self.graces.clear();
        let ids: Vec<InteractionId> = self.pending_ids().collect();
        ids.into_iter()
            .filter_map(|id| self.settle(id, SettleCode::Shutdown))
            .collect()
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

    /// Ids of all pending interactions in request order.
    pub fn pending_ids(&self) -> impl Iterator<Item = InteractionId> {
        let mut ids: Vec<(u64, InteractionId)> =
            self.entries.iter().map(|(id, e)| (e.seq, *id)).collect();
        ids.sort_unstable();
        ids.into_iter().map(|(_, id)| id)
    }

    /// The registry-wide gauges at `now` (the per-type rows are `stats().rows()`).
    pub fn gauges(&mut self, now: u64) -> crate::metrics::Gauges {
        let now = self.tick(now);
        if let Some(rates) = &mut self.rates {
            rates.prune(now);
        }
        let oldest = self.entries.values().map(|e| e.requested_at).min();
        crate::metrics::Gauges {
            sessions: self.sessions.len(),
            detached: self.detached.len(),
            oldest_age_ms: oldest.map_or(0, |at| now.saturating_sub(at)),
            rate_windows: self.rate_windows().0,
        }
    }

    /// The Prometheus text exposition of the registry at `now`.
    pub fn metrics(&mut self, now: u64) -> String {
        let gauges = self.gauges(now);
        crate::metrics::render(self.stats.rows(), &gauges)
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

    /// Sessions with a rate-limit window in memory, and requests counted in windows.
    pub fn rate_windows(&self) -> (usize, usize) {
        self.rates
            .as_ref()
            .map_or((0, 0), |r| (r.windows(), r.requests()))
    }

    /// Advances the clock without registering anything, so that settlements made by paths
    /// that take no time argument are stamped with the present; also forgets the rate-limit
    /// windows that have passed.
    pub fn advance(&mut self, now: u64) {
        let now = self.tick(now);
        if let Some(rates) = &mut self.rates {
            rates.prune(now);
        }
    }

    /// Type names held by the statistics; bounded by `max_types` plus the distinct types pending.
    pub fn type_names(&self) -> usize {
        self.stats.names_held()
    }

    fn remember(&mut self, id: InteractionId, code: SettleCode) {
        if self.config.history_len == 0 {
            return;
        }
        let at = self.clock;
        self.history.push_back((id, code, at));
        self.settled.insert(id, (code, at));
        self.forget_old();
    }

    fn forget_old(&mut self) {
        while let Some(&(id, _, at)) = self.history.front() {
            let too_old = at.saturating_add(self.config.history_ms) <= self.clock;
            if self.history.len() <= self.config.history_len && !too_old {
                break;
            }
            self.history.pop_front();
            self.settled.remove(&id);
        }
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
