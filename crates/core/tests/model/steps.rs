//! What each operation does to the registry, and what the model predicts it does.

use super::*;

impl World {
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

    pub fn step(&mut self, op: Op) {
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
                // The registry skips what ended since the queue was made (a timeout, an
                // answer) and takes up to `limit` that are still pending.
                let mut expected: Vec<(usize, SettleCode)> = Vec::new();
                let mut used = 0;
                for &i in &self.stale_queue {
                    if expected.len() >= limit {
                        break;
                    }
                    used += 1;
                    if self.model[i].settled.is_none() {
                        expected.push((i, SettleCode::Stale));
                    }
                }
                self.stale_queue.drain(..used);
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
}
