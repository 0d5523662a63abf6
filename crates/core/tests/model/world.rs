//! The model beside the registry under test, and the checks that they agree after each step.

mod steps;

use interaction_core::*;
use std::collections::HashMap;

const KINDS: [&str; 4] = ["permission", "plan-approval", "ask-user", OVERFLOW_ROW];
const NAMES: [&str; 3] = ["s0", "s1", "s2"];
/// Owners 0..3 are the named sessions, then `null`, `''`, `undefined`.
pub const OWNERS: usize = 6;

fn owner(i: usize) -> Owner<'static> {
    match i {
        0..=2 => Owner::Session(NAMES[i]),
        3 => Owner::Null,
        4 => Owner::Empty,
        _ => Owner::Undefined,
    }
}

fn named(i: usize) -> Option<usize> {
    (i < 3).then_some(i)
}

#[derive(Debug, Clone)]
pub enum Op {
    Request {
        kind: usize,
        owner: usize,
        timeout: Option<u64>,
        max_total: Option<u64>,
    },
    /// `answerer`: None = anyone, Some(OWNERS) = a stranger (a number), else that owner.
    Resolve {
        target: usize,
        answerer: Option<usize>,
    },
    Reject {
        target: usize,
        abort: bool,
    },
    Touch(usize),
    Garbage,
    RemoveSession(usize),
    Detach(usize, u64),
    Attach(usize),
    Advance(u64),
    Sweep(usize),
    List(Vec<usize>, Option<usize>),
    Shutdown,
}

#[derive(Debug, Clone)]
pub struct Model {
    id: InteractionId,
    kind: usize,
    owner: usize,
    requested_at: u64,
    timeout: u64,
    cap: Option<u64>,
    deadline: Option<u64>,
    /// When its timeout was last (re)started: ties on `deadline` fire in this order.
    armed: u64,
    settled: Option<SettleCode>,
}

fn config(require_session_match: bool) -> Config {
    Config {
        interaction_timeout_ms: 10,
        stale_threshold_ms: 40,
        max_per_session: 3,
        max_pending_total: 6,
        require_session_match,
        history_len: 16,
        history_ms: 30,
        rate_limit: Some(RateLimit {
            max: 4,
            window_ms: 20,
        }),
        max_types: 2,
    }
}

fn deadline_of(now: u64, timeout: u64, cap: Option<u64>) -> Option<u64> {
    let timed = (timeout > 0).then_some(now + timeout);
    match (timed, cap) {
        (Some(t), Some(c)) => Some(t.min(c)),
        (t, c) => t.or(c),
    }
}

pub struct World {
    cfg: Config,
    pub reg: Registry<usize>,
    model: Vec<Model>,
    now: u64,
    shut_down: bool,
    next_id: u128,
    next_arm: u64,
    /// Admitted requests: (time, named session or None for the shared bucket).
    rate_log: Vec<(u64, Option<usize>)>,
    /// Detached sessions: the end of their grace, and when it was set.
    detached: HashMap<usize, (u64, u64)>,
    stale_queue: Vec<usize>,
    /// Kinds with a statistics row of their own, in first-seen order.
    own_rows: Vec<usize>,
}

impl World {
    pub fn new(require_session_match: bool) -> Self {
        let cfg = config(require_session_match);
        Self {
            reg: Registry::new(cfg.clone()),
            cfg,
            model: Vec::new(),
            now: 0,
            shut_down: false,
            next_id: 1,
            next_arm: 0,
            rate_log: Vec::new(),
            detached: HashMap::new(),
            stale_queue: Vec::new(),
            own_rows: Vec::new(),
        }
    }

    pub fn pending(&self) -> impl Iterator<Item = (usize, &Model)> {
        self.model
            .iter()
            .enumerate()
            .filter(|(_, m)| m.settled.is_none())
    }

    fn apply(&mut self, settled: Vec<Settled<usize>>, expected: Vec<(usize, SettleCode)>) {
        let got: Vec<(usize, SettleCode)> = settled.iter().map(|s| (s.payload, s.code)).collect();
        assert_eq!(got, expected);
        for s in settled {
            let m = &mut self.model[s.payload];
            assert_eq!(s.id, m.id);
            assert_eq!(s.session.as_deref(), named(m.owner).map(|i| NAMES[i]));
            assert!(m.settled.is_none(), "settled twice");
            m.settled = Some(s.code);
            let now = self.now;
            assert_eq!(
                self.reg.settled_as(&m.id.text(), now).map(|(code, _)| code),
                Some(s.code)
            );
        }
    }

    fn in_window(&self) -> impl Iterator<Item = &(u64, Option<usize>)> {
        let window = self.cfg.rate_limit.map_or(0, |r| r.window_ms);
        let now = self.now;
        self.rate_log.iter().filter(move |(t, _)| t + window > now)
    }

    fn row_of(&self, kind: usize) -> &'static str {
        if KINDS[kind] == OVERFLOW_ROW || !self.own_rows.contains(&kind) {
            OVERFLOW_ROW
        } else {
            KINDS[kind]
        }
    }

    fn target(&self, target: usize) -> Option<usize> {
        (!self.model.is_empty()).then(|| target % self.model.len())
    }

    pub fn check(&mut self) {
        self.reg.check_invariants().unwrap();
        assert!(self.reg.remembered() <= self.cfg.history_len);
        assert_eq!(self.reg.pending_count(), self.pending().count());
        let mut sessions: Vec<usize> = self.pending().filter_map(|(_, m)| named(m.owner)).collect();
        sessions.sort();
        sessions.dedup();
        assert_eq!(self.reg.session_count(), sessions.len());
        assert_eq!(self.reg.detached_count(), self.detached.len());
        // Rate windows hold exactly the requests of the current window once the clock is read.
        self.reg.advance(self.now);
        let in_window: Vec<(u64, Option<usize>)> = self.in_window().copied().collect();
        let mut buckets: Vec<usize> = in_window.iter().filter_map(|(_, s)| *s).collect();
        buckets.sort();
        buckets.dedup();
        assert_eq!(self.reg.rate_windows(), (buckets.len(), in_window.len()));
        let mut pending_kinds: Vec<usize> = self.pending().map(|(_, m)| m.kind).collect();
        pending_kinds.sort();
        pending_kinds.dedup();
        assert!(self.reg.type_names() <= self.cfg.max_types as usize + 1 + pending_kinds.len());
        let rows = self.reg.stats().rows();
        assert!(rows.len() <= self.cfg.max_types as usize + 1);
        for row in rows {
            let of_row = || {
                self.model
                    .iter()
                    .filter(|m| self.row_of(m.kind) == &*row.name)
            };
            assert_eq!(row.total, of_row().count() as u64, "row {}", row.name);
            let resolved = of_row()
                .filter(|m| m.settled == Some(SettleCode::Resolved))
                .count();
            let rejected = of_row()
                .filter(|m| {
                    !matches!(
                        m.settled,
                        None | Some(SettleCode::Resolved) | Some(SettleCode::Shutdown)
                    )
                })
                .count();
            assert_eq!(
                (row.resolved, row.rejected),
                (resolved as u64, rejected as u64)
            );
        }
    }
}
