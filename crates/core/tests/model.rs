//! Random operation sequences against a plain model: each interaction settles exactly once, by
//! the path the model predicts, and every index agrees with the entries after each step.

use interaction_core::*;
use proptest::prelude::*;

const KINDS: [&str; 3] = ["permission", "plan-approval", "ask-user"];
const SESSIONS: [&str; 3] = ["s0", "s1", "s2"];

#[derive(Debug, Clone)]
enum Op {
    Request {
        kind: usize,
        session: Option<usize>,
        timeout: Option<u64>,
    },
    Resolve {
        target: usize,
        answerer: Option<usize>,
    },
    Reject {
        target: usize,
        abort: bool,
    },
    Garbage,
    RemoveSession(usize),
    Advance(u64),
    Sweep(usize),
    List(Vec<usize>, Option<usize>),
    Shutdown,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3usize, proptest::option::of(0..3usize), proptest::option::of(prop_oneof![Just(0u64), Just(5), Just(25)]))
            .prop_map(|(kind, session, timeout)| Op::Request { kind, session, timeout }),
        3 => (any::<usize>(), proptest::option::of(0..3usize)).prop_map(|(target, answerer)| Op::Resolve { target, answerer }),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(target, abort)| Op::Reject { target, abort }),
        1 => prop_oneof![4 => Just(Op::Garbage), 1 => Just(Op::Shutdown)],
        1 => (0..3usize).prop_map(Op::RemoveSession),
        3 => (0..30u64).prop_map(Op::Advance),
        1 => (1..4usize).prop_map(Op::Sweep),
        1 => (proptest::collection::vec(0..3usize, 0..4), proptest::option::of(0..3usize)).prop_map(|(s, k)| Op::List(s, k)),
    ]
}

#[derive(Debug, Clone)]
struct Model {
    id: InteractionId,
    kind: usize,
    session: Option<usize>,
    requested_at: u64,
    deadline: Option<u64>,
    settled: Option<SettleCode>,
}

const CONFIG: Config = Config {
    interaction_timeout_ms: 10,
    stale_threshold_ms: 40,
    max_per_session: 3,
    max_pending_total: 6,
    require_session_match: false,
    history_len: 16,
    history_ms: 30,
    rate_limit: None,
};

struct World {
    reg: Registry<usize>,
    model: Vec<Model>,
    now: u64,
    shut_down: bool,
}

impl World {
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
            assert_eq!(s.session.as_deref(), m.session.map(|i| SESSIONS[i]));
            assert!(m.settled.is_none(), "settled twice");
            m.settled = Some(s.code);
            // Just settled, so it is the newest remembered id.
            let now = self.now;
            assert_eq!(
                self.reg.settled_as(&m.id.text(), now).map(|(code, _)| code),
                Some(s.code)
            );
        }
    }

    fn step(&mut self, op: Op) {
        match op {
            Op::Request {
                kind,
                session,
                timeout,
            } => {
                let held = self.pending().filter(|(_, m)| m.session == session).count();
                let total = self.pending().count();
                let payload = self.model.len();
                let result = self.reg.request(
                    NewInteraction {
                        kind: KINDS[kind],
                        session: session.map(|i| SESSIONS[i]),
                        timeout_ms: timeout,
                        max_total_ms: None,
                    },
                    self.now,
                    payload,
                );
                let expect_err = if self.shut_down {
                    Some("SHUTDOWN")
                } else if (session.is_some() && held >= CONFIG.max_per_session as usize)
                    || total >= CONFIG.max_pending_total as usize
                {
                    Some("TOO_MANY_PENDING")
                } else {
                    None
                };
                match (result, expect_err) {
                    (Ok(id), None) => {
                        let t = timeout.unwrap_or(CONFIG.interaction_timeout_ms);
                        self.model.push(Model {
                            id,
                            kind,
                            session,
                            requested_at: self.now,
                            deadline: (t > 0).then_some(self.now + t),
                            settled: None,
                        });
                    }
                    (Err(refused), Some(code)) => {
                        assert_eq!(refused.error.code(), code);
                        assert_eq!(refused.payload, payload);
                    }
                    (got, want) => panic!("request: got {got:?}, want error {want:?}"),
                }
            }
            Op::Resolve { target, answerer } => {
                if self.model.is_empty() {
                    return;
                }
                let i = target % self.model.len();
                let m = self.model[i].clone();
                let asker = answerer.map(|a| SESSIONS[a]);
                let got = self.reg.resolve(
                    &m.id.text(),
                    asker.map_or(Answerer::Anyone, Answerer::Session),
                );
                if m.settled.is_some() {
                    assert_eq!(got.unwrap_err(), AnswerError::InvalidOrDecided);
                } else if answerer.is_some() && answerer != m.session {
                    assert_eq!(got.unwrap_err(), AnswerError::SessionMismatch);
                } else {
                    self.apply(vec![got.unwrap()], vec![(i, SettleCode::Resolved)]);
                }
            }
            Op::Reject { target, abort } => {
                if self.model.is_empty() {
                    return;
                }
                let i = target % self.model.len();
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
            Op::Garbage => {
                let fresh = InteractionId::from_u128(0x1234).text();
                assert!(self.reg.resolve(&fresh, Answerer::Anyone).is_err());
                assert!(self.reg.resolve(b"not an id", Answerer::Anyone).is_err());
            }
            Op::RemoveSession(s) => {
                let expected = self
                    .pending()
                    .filter(|(_, m)| m.session == Some(s))
                    .map(|(i, _)| (i, SettleCode::SessionRemoved))
                    .collect();
                let got = self.reg.remove_session(SESSIONS[s]);
                self.apply(got, expected);
            }
            Op::Advance(ms) => {
                self.now += ms;
                let mut due: Vec<(u64, usize)> = self
                    .pending()
                    .filter_map(|(i, m)| m.deadline.filter(|&d| d <= self.now).map(|d| (d, i)))
                    .collect();
                due.sort();
                let mut got = Vec::new();
                while self.reg.expire(self.now, 2, &mut got) {}
                self.apply(
                    got,
                    due.into_iter()
                        .map(|(_, i)| (i, SettleCode::Timeout))
                        .collect(),
                );
                let next = self.pending().filter_map(|(_, m)| m.deadline).min();
                assert_eq!(self.reg.next_deadline(), next);
            }
            Op::Sweep(limit) => {
                let now = self.now;
                let expected: Vec<(usize, SettleCode)> = self
                    .pending()
                    .filter(|(_, m)| m.requested_at + CONFIG.stale_threshold_ms <= now)
                    .map(|(i, _)| (i, SettleCode::Stale))
                    .collect();
                let mut got = Vec::new();
                let more = self.reg.sweep_stale(now, limit, &mut got);
                assert_eq!(more, expected.len() > limit);
                let take = expected.len().min(limit);
                self.apply(got, expected[..take].to_vec());
            }
            Op::List(sessions, kind) => {
                let names: Vec<&str> = sessions.iter().map(|&s| SESSIONS[s]).collect();
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
                                m.session == Some(s) && kind.is_none_or(|k| k == m.kind)
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
                self.apply(got, expected);
            }
        }
    }

    fn check(&self) {
        self.reg.check_invariants().unwrap();
        assert!(self.reg.remembered() <= CONFIG.history_len);
        assert_eq!(self.reg.pending_count(), self.pending().count());
        let mut sessions: Vec<usize> = self.pending().filter_map(|(_, m)| m.session).collect();
        sessions.sort();
        sessions.dedup();
        assert_eq!(self.reg.session_count(), sessions.len());
        for row in self.reg.stats().rows() {
            let k = KINDS.iter().position(|k| **k == *row.name).unwrap();
            let of_kind = || self.model.iter().filter(|m| m.kind == k);
            assert_eq!(row.total, of_kind().count() as u64);
            let resolved = of_kind()
                .filter(|m| m.settled == Some(SettleCode::Resolved))
                .count();
            let rejected = of_kind()
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
    fn registry_matches_the_model(ops in proptest::collection::vec(op(), 1..120)) {
        let mut world = World { reg: Registry::new(CONFIG), model: Vec::new(), now: 0, shut_down: false };
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
