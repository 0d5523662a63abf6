//! The registry of pending interactions: one map by id, a session index and a deadline index,
//! all kept consistent by the single `settle` path in this file. Each operation lives in the file
//! of its concern: `requests.rs` (admission and registration), `answers.rs` (answers, touches,
//! late answers), `sessions.rs` (session removal, graces, listing), `expiry.rs` (timeouts, graces
//! ending, the stale sweep), `readings.rs` (gauges and metrics) and `invariants.rs` (for tests).

mod answers;
mod bulk;
mod expiry;
mod invariants;
mod readings;
mod requests;
mod sessions;

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

    /// Advances the clock without registering anything, so that settlements made by paths
    /// that take no time argument are stamped with the present; also forgets the rate-limit
    /// windows that have passed.
    pub fn advance(&mut self, now: u64) {
        let now = self.tick(now);
        if let Some(rates) = &mut self.rates {
            rates.prune(now);
        }
    }

    /// Refuses all later requests and settles every pending interaction, oldest first.
    pub fn shutdown(&mut self) -> Vec<Settled<P>> {
        let ids = self.close();
        let mut out = Vec::new();
        self.end_all(
            ids.into_iter().map(|id| (id, SettleCode::Shutdown)),
            &mut out,
        );
        out
    }

    /// Ends every pending interaction `OwnerGone` and stays open for new ones: cluster mode's
    /// fencing, when this process can no longer prove to the others that it is alive.
    pub fn fence(&mut self) -> Vec<Settled<P>> {
        self.stale.clear();
        let ids: Vec<InteractionId> = self.pending_ids().collect();
        let mut out = Vec::new();
        self.end_all(
            ids.into_iter().map(|id| (id, SettleCode::OwnerGone)),
            &mut out,
        );
        out
    }

    /// Ids of all pending interactions in request order.
    pub fn pending_ids(&self) -> impl Iterator<Item = InteractionId> {
        let mut ids: Vec<(u64, InteractionId)> =
            self.entries.iter().map(|(id, e)| (e.seq, *id)).collect();
        ids.sort_unstable();
        ids.into_iter().map(|(_, id)| id)
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
}
