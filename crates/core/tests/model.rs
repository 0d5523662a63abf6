//! Random operation sequences against a plain model: each interaction settles exactly once, by
//! the path the model predicts, and every index agrees with the entries after each step. The
//! model covers the whole core API: requests with every kind of owner, timeouts, `maxTotalMs`,
//! touch, detach/attach graces, rate limits, the chunked stale sweep, types past the cap.

use interaction_core::*;
use proptest::prelude::*;
use std::collections::HashMap;

const KINDS: [&str; 4] = ["permission", "plan-approval", "ask-user", OVERFLOW_ROW];
const NAMES: [&str; 3] = ["s0", "s1", "s2"];
/// Owners 0..3 are the named sessions, then `null`, `''`, `undefined`.
const OWNERS: usize = 6;

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
enum Op {
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

fn op() -> impl Strategy<Value = Op> {
    let ms = || proptest::option::of(prop_oneof![Just(0u64), Just(5), Just(25)]);
    prop_oneof![
        6 => (0..4usize, 0..OWNERS, ms(), ms())
            .prop_map(|(kind, owner, timeout, max_total)| Op::Request { kind, owner, timeout, max_total }),
        3 => (any::<usize>(), proptest::option::of(0..=OWNERS)).prop_map(|(target, answerer)| Op::Resolve { target, answerer }),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(target, abort)| Op::Reject { target, abort }),
        1 => any::<usize>().prop_map(Op::Touch),
        1 => prop_oneof![4 => Just(Op::Garbage), 1 => Just(Op::Shutdown)],
        1 => (0..3usize).prop_map(Op::RemoveSession),
        1 => (0..3usize, prop_oneof![Just(0u64), Just(7), Just(30)]).prop_map(|(s, g)| Op::Detach(s, g)),
        1 => (0..3usize).prop_map(Op::Attach),
        3 => (0..30u64).prop_map(Op::Advance),
        1 => (1..4usize).prop_map(Op::Sweep),
        1 => (proptest::collection::vec(0..3usize, 0..4), proptest::option::of(0..4usize)).prop_map(|(s, k)| Op::List(s, k)),
    ]
}

#[derive(Debug, Clone)]
struct Model {
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

struct World {
    cfg: Config,
    reg: Registry<usize>,
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
    fn new(require_session_match: bool) -> Self {
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

    fn pending(&self) -> impl Iterator<Item = (usize, &Model)> {
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

    fn request(
        &mut self,
        kind: usize,
        owner_i: usize,
        timeout: Option<u64>,
        max_total: Option<u64>,
    ) {
        let session = named(owner_i);
        let held = self
            .pending()
            .filter(|(_, m)| session.is_some() && named(m.owner) == session)
            .count();
        let total = self.pending().count();
        let rate_used = self.in_window().filter(|(_, s)| *s == session).count();
        let payload = self.model.len();
        let id = InteractionId::from_u128(self.next_id);
        self.next_id += 1;
        let result = self.reg.request(
            id,
            NewInteraction {
                kind: KINDS[kind],
                owner: owner(owner_i),
                timeout_ms: timeout,
                max_total_ms: max_total,
            },
            self.now,
            payload,
        );
        let rate_max = self.cfg.rate_limit.map_or(u32::MAX, |r| r.max) as usize;
        let expect_err = if self.shut_down {
            Some("SHUTDOWN")
        } else if rate_used >= rate_max {
            Some("RATE_LIMITED")
        } else if (session.is_some() && held >= self.cfg.max_per_session as usize)
            || total >= self.cfg.max_pending_total as usize
        {
            Some("TOO_MANY_PENDING")
        } else {
            None
        };
        match (result, expect_err) {
            (Ok(got), None) => {
                assert_eq!(got, id);
                let t = timeout.unwrap_or(self.cfg.interaction_timeout_ms);
                let cap = max_total.map(|m| (self.now + m).max(1));
                self.rate_log.push((self.now, session));
                if KINDS[kind] != OVERFLOW_ROW
                    && !self.own_rows.contains(&kind)
                    && self.own_rows.len() < self.cfg.max_types as usize
                {
                    self.own_rows.push(kind);
                }
                self.model.push(Model {
                    id,
                    kind,
                    owner: owner_i,
                    requested_at: self.now,
                    timeout: t,
                    cap,
                    deadline: deadline_of(self.now, t, cap),
                    armed: self.next_arm,
                    settled: None,
                });
                self.next_arm += 1;
            }
            (Err(refused), Some(code)) => {
                assert_eq!(refused.error.code(), code);
                assert_eq!(refused.payload, payload);
            }
            (got, want) => panic!("request: got {got:?}, want error {want:?}"),
        }
    }

    fn target(&self, target: usize) -> Option<usize> {
        (!self.model.is_empty()).then(|| target % self.model.len())
    }

    fn step(&mut self, op: Op) {
        match op {
            Op::Request {
                kind,
                owner,
                timeout,
                max_total,
            } => self.request(kind, owner, timeout, max_total),
            Op::Resolve { target, answerer } => {
                let Some(i) = self.target(target) else { return };
                let m = self.model[i].clone();
                let who = match answerer {
                    None => Answerer::Anyone,
                    Some(OWNERS) => Answerer::Stranger,
                    Some(a) => Answerer::As(owner(a)),
                };
                let got = self.reg.resolve(&m.id.text(), who);
                let allowed = match answerer {
                    None => !self.cfg.require_session_match,
                    Some(OWNERS) => false,
                    Some(a) => a == m.owner,
                };
                if m.settled.is_some() {
                    assert_eq!(got.unwrap_err(), AnswerError::InvalidOrDecided);
                } else if !allowed {
                    assert_eq!(got.unwrap_err(), AnswerError::SessionMismatch);
                } else {
                    self.apply(vec![got.unwrap()], vec![(i, SettleCode::Resolved)]);
                }
            }
            Op::Reject { target, abort } => {
                let Some(i) = self.target(target) else { return };
                let code = if abort {
                    SettleCode::Aborted
                } else {
                    SettleCode::Rejected
                };
                let got = self.reg.reject(&self.model[i].id.text(), code);
                if self.model[i].settled.is_some() {
                    assert_eq!(got.unwrap_err(), AnswerError::InvalidOrDecided);
                } else {
                    self.apply(vec![got.unwrap()], vec![(i, code)]);
                }
            }
            Op::Touch(target) => {
                let Some(i) = self.target(target) else { return };
                let now = self.now;
                let got = self.reg.touch(&self.model[i].id.text(), now);
                let m = &mut self.model[i];
                if m.settled.is_some() {
                    assert_eq!(got.unwrap_err(), AnswerError::InvalidOrDecided);
                } else {
                    let next = deadline_of(now, m.timeout, m.cap);
                    if next != m.deadline {
                        m.deadline = next;
                        m.armed = self.next_arm;
                        self.next_arm += 1;
                    }
                    assert_eq!(got.unwrap(), m.deadline);
                }
            }
            Op::Garbage => {
                let fresh = InteractionId::from_u128(u128::MAX).text();
                assert!(self.reg.resolve(&fresh, Answerer::Anyone).is_err());
                assert!(self.reg.resolve(b"not an id", Answerer::Anyone).is_err());
                assert!(self.reg.touch(b"not an id", 0).is_err());
            }
            Op::RemoveSession(s) => {
                self.detached.remove(&s);
                let expected = self
                    .pending()
                    .filter(|(_, m)| named(m.owner) == Some(s))
                    .map(|(i, _)| (i, SettleCode::SessionRemoved))
                    .collect();
                let got = self.reg.remove_session(NAMES[s]);
                self.apply(got, expected);
            }
            Op::Detach(s, grace) => {
                self.reg.detach(NAMES[s], self.now, grace);
                self.detached.insert(s, (self.now + grace, self.next_arm));
                self.next_arm += 1;
            }
            Op::Attach(s) => {
                let was = self.detached.remove(&s).is_some();
                assert_eq!(self.reg.attach(NAMES[s]), was);
            }
            Op::Advance(ms) => {
                self.now += ms;
                let now = self.now;
                // Ended graces and due timeouts, merged by (deadline, when it was set).
                enum Due {
                    Grace(usize),
                    Timeout(usize),
                }
                let mut due: Vec<(u64, u64, Due)> = self
                    .detached
                    .iter()
                    .filter(|(_, &(until, _))| until <= now)
                    .map(|(&s, &(until, armed))| (until, armed, Due::Grace(s)))
                    .collect();
                due.extend(self.pending().filter_map(|(i, m)| {
                    m.deadline
                        .filter(|&d| d <= now)
                        .map(|d| (d, m.armed, Due::Timeout(i)))
                }));
                due.sort_by_key(|&(at, armed, _)| (at, armed));
                let mut expected: Vec<(usize, SettleCode)> = Vec::new();
                let done = |expected: &Vec<(usize, SettleCode)>, i: usize| {
                    expected.iter().any(|&(j, _)| j == i)
                };
                for (_, _, d) in due {
                    match d {
                        Due::Grace(s) => {
                            self.detached.remove(&s);
                            let gone: Vec<usize> = self
                                .pending()
                                .filter(|(i, m)| named(m.owner) == Some(s) && !done(&expected, *i))
                                .map(|(i, _)| i)
                                .collect();
                            expected
                                .extend(gone.into_iter().map(|i| (i, SettleCode::SessionRemoved)));
                        }
                        Due::Timeout(i) => {
                            if !done(&expected, i) {
                                expected.push((i, SettleCode::Timeout));
                            }
                        }
                    }
                }
                let mut got = Vec::new();
                while self.reg.expire(now, 2, &mut got) {}
                self.apply(got, expected);
                let timeout = self.pending().filter_map(|(_, m)| m.deadline).min();
                let grace = self.detached.values().map(|&(until, _)| until).min();
                let next = match (timeout, grace) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                assert_eq!(self.reg.next_deadline(), next);
            }
            Op::Sweep(limit) => {
                let now = self.now;
                if self.stale_queue.is_empty() {
                    self.stale_queue = self
                        .pending()
                        .filter(|(_, m)| m.requested_at + self.cfg.stale_threshold_ms <= now)
                        .map(|(i, _)| i)
                        .collect();
                }
                let take = self.stale_queue.len().min(limit);
                let chunk: Vec<usize> = self.stale_queue.drain(..take).collect();
                let expected: Vec<(usize, SettleCode)> = chunk
                    .into_iter()
                    .filter(|&i| self.model[i].settled.is_none())
                    .map(|i| (i, SettleCode::Stale))
                    .collect();
                let mut got = Vec::new();
                let more = self.reg.sweep_stale(now, limit, &mut got);
                assert_eq!(more, !self.stale_queue.is_empty());
                self.apply(got, expected);
            }
            Op::List(sessions, kind) => {
                let names: Vec<&str> = sessions.iter().map(|&s| NAMES[s]).collect();
                let got: Vec<usize> = self
                    .reg
                    .pending_of(names, kind.map(|k| KINDS[k]))
                    .into_iter()
                    .map(|(_, p)| *p)
                    .collect();
                let mut expected = Vec::new();
                for s in sessions {
                    expected.extend(
                        self.pending()
                            .filter(|(_, m)| {
                                named(m.owner) == Some(s) && kind.is_none_or(|k| k == m.kind)
                            })
                            .map(|(i, _)| i),
                    );
                }
                assert_eq!(got, expected);
            }
            Op::Shutdown => {
                let expected = self
                    .pending()
                    .map(|(i, _)| (i, SettleCode::Shutdown))
                    .collect();
                let got = self.reg.shutdown();
                self.shut_down = true;
                self.detached.clear();
                self.stale_queue.clear();
                self.apply(got, expected);
            }
        }
    }

    fn check(&mut self) {
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, max_shrink_iters: 4096, ..ProptestConfig::default() })]
    #[test]
    fn registry_matches_the_model(strict in any::<bool>(), ops in proptest::collection::vec(op(), 1..120)) {
        let mut world = World::new(strict);
        for op in ops {
            world.step(op);
            world.check();
        }
        // Whatever happened, shutdown leaves nothing pending.
        let rest = world.reg.shutdown();
        prop_assert_eq!(rest.len(), world.pending().count());
        prop_assert_eq!(world.reg.pending_count(), 0);
    }
}
