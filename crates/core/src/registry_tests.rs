use crate::*;

fn reg(config: Config) -> Registry<u32> {
    Registry::new(config)
}

fn req<'a>(kind: &'a str, session: Option<&'a str>) -> NewInteraction<'a> {
    NewInteraction {
        kind,
        owner: session.map_or(Owner::Null, Owner::Session),
        ..NewInteraction::default()
    }
}

/// Requests under a fresh id, as the binding does with `crypto.randomUUID`.
trait Ask {
    fn ask(
        &mut self,
        req: NewInteraction<'_>,
        now: u64,
        payload: u32,
    ) -> Result<InteractionId, Refused<u32>>;
}

impl Ask for Registry<u32> {
    fn ask(
        &mut self,
        req: NewInteraction<'_>,
        now: u64,
        payload: u32,
    ) -> Result<InteractionId, Refused<u32>> {
        thread_local!(static NEXT: std::cell::Cell<u128> = const { std::cell::Cell::new(1) });
        let n = NEXT.with(|c| {
            let n = c.get();
            c.set(n + 1);
            n
        });
        self.request(InteractionId::from_u128(n), req, now, payload)
    }
}

fn text(id: InteractionId) -> Vec<u8> {
    id.text().to_vec()
}

#[test]
fn resolve_settles_once_and_cleans_every_index() {
    let mut r = reg(Config::default());
    let id = r.ask(req("permission", Some("s1")), 0, 7).unwrap();
    assert_eq!(r.pending_count(), 1);
    assert_eq!(r.session_count(), 1);
    let done = r.resolve(&text(id), Answerer::Anyone).unwrap();
    assert_eq!((done.code, done.payload), (SettleCode::Resolved, 7));
    assert_eq!(done.session.as_deref(), Some("s1"));
    assert_eq!(r.pending_count(), 0);
    assert_eq!(r.session_count(), 0);
    assert_eq!(r.next_deadline(), None);
    assert_eq!(
        r.resolve(&text(id), Answerer::Anyone).unwrap_err(),
        AnswerError::InvalidOrDecided
    );
    r.check_invariants().unwrap();
    let row = &r.stats().rows()[0];
    assert_eq!((row.total, row.resolved, row.rejected), (1, 1, 0));
}

#[test]
fn session_mismatch_leaves_the_interaction_pending() {
    let mut r = reg(Config::default());
    let id = r.ask(req("permission", Some("s1")), 0, 1).unwrap();
    assert_eq!(
        r.resolve(&text(id), Answerer::As(Owner::Session("s2")))
            .unwrap_err(),
        AnswerError::SessionMismatch
    );
    assert_eq!(r.pending_count(), 1);
    assert!(r
        .resolve(&text(id), Answerer::As(Owner::Session("s1")))
        .is_ok());
}

#[test]
fn required_session_match_refuses_anonymous_answers() {
    let mut r = reg(Config {
        require_session_match: true,
        ..Config::default()
    });
    let id = r.ask(req("permission", Some("s1")), 0, 1).unwrap();
    assert_eq!(
        r.resolve(&text(id), Answerer::Anyone).unwrap_err(),
        AnswerError::SessionMismatch
    );
    let anon = r.ask(req("permission", None), 0, 2).unwrap();
    assert_eq!(
        r.resolve(&text(anon), Answerer::As(Owner::Session("s1")))
            .unwrap_err(),
        AnswerError::SessionMismatch
    );
    assert!(r
        .resolve(&text(id), Answerer::As(Owner::Session("s1")))
        .is_ok());
}

#[test]
fn malformed_ids_are_invalid_not_errors() {
    let mut r = reg(Config::default());
    for bad in [&b""[..], b"x", &[0xff; 36], &[b'a'; 100_000]] {
        assert_eq!(
            r.resolve(bad, Answerer::Anyone).unwrap_err(),
            AnswerError::InvalidOrDecided
        );
        assert!(r.reject(bad, SettleCode::Rejected).is_err());
    }
}

#[test]
fn per_session_and_total_limits_refuse_and_return_the_payload() {
    let mut r = reg(Config {
        max_per_session: 2,
        max_pending_total: 3,
        ..Config::default()
    });
    r.ask(req("t", Some("s")), 0, 1).unwrap();
    r.ask(req("t", Some("s")), 0, 2).unwrap();
    let refused = r.ask(req("t", Some("s")), 0, 3).unwrap_err();
    assert_eq!(refused.payload, 3);
    assert_eq!(refused.error.code(), "TOO_MANY_PENDING");
    assert_eq!(
        refused.error.to_string(),
        "Too many pending interactions for session s"
    );
    r.ask(req("t", None), 0, 4).unwrap();
    let refused = r.ask(req("t", None), 0, 5).unwrap_err();
    assert_eq!(refused.error, RequestError::TooManyTotal(3));
    assert_eq!(r.stats().rows()[0].total, 3, "refusals are not counted");
}

#[test]
fn remove_session_rejects_its_interactions_in_request_order() {
    let mut r = reg(Config::default());
    let a = r.ask(req("t", Some("s")), 0, 1).unwrap();
    let other = r.ask(req("t", Some("o")), 0, 2).unwrap();
    let b = r.ask(req("t", Some("s")), 0, 3).unwrap();
    let done = r.remove_session("s");
    let ids: Vec<_> = done.iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![a, b]);
    assert!(done.iter().all(|s| s.code == SettleCode::SessionRemoved));
    assert_eq!(r.pending_ids().collect::<Vec<_>>(), vec![other]);
    assert!(r.remove_session("s").is_empty());
    r.check_invariants().unwrap();
}

#[test]
fn timeouts_expire_in_deadline_order_and_in_chunks() {
    let mut r = reg(Config {
        interaction_timeout_ms: 100,
        ..Config::default()
    });
    let slow = r
        .ask(
            NewInteraction {
                timeout_ms: Some(500),
                ..req("t", None)
            },
            0,
            0,
        )
        .unwrap();
    let untimed = r
        .ask(
            NewInteraction {
                timeout_ms: Some(0),
                ..req("t", None)
            },
            0,
            1,
        )
        .unwrap();
    for i in 0..5 {
        r.ask(req("t", Some("s")), 10, 10 + i).unwrap();
    }
    assert_eq!(r.next_deadline(), Some(110));
    let mut out = Vec::new();
    assert!(!r.expire(109, 10, &mut out));
    assert!(out.is_empty());
    assert!(r.expire(110, 3, &mut out), "two more are due");
    assert!(!r.expire(110, 3, &mut out));
    assert_eq!(
        out.iter().map(|s| s.payload).collect::<Vec<_>>(),
        vec![10, 11, 12, 13, 14]
    );
    assert!(out.iter().all(|s| s.code == SettleCode::Timeout));
    assert_eq!(r.next_deadline(), Some(500));
    out.clear();
    r.expire(10_000, 10, &mut out);
    assert_eq!(out.iter().map(|s| s.id).collect::<Vec<_>>(), vec![slow]);
    assert_eq!(r.pending_ids().collect::<Vec<_>>(), vec![untimed]);
    r.check_invariants().unwrap();
}

#[test]
fn stale_sweep_takes_only_old_interactions_and_ignores_a_clock_stepping_back() {
    let mut r = reg(Config {
        interaction_timeout_ms: 0,
        stale_threshold_ms: 1000,
        ..Config::default()
    });
    r.ask(req("t", Some("s")), 0, 1).unwrap();
    r.ask(req("t", Some("s")), 500, 2).unwrap();
    // A clock stepping back must not make the next interaction look older than it is.
    r.ask(req("t", None), 100, 3).unwrap();
    let mut out = Vec::new();
    assert!(!r.sweep_stale(1000, 100, &mut out));
    assert_eq!(out.iter().map(|s| s.payload).collect::<Vec<_>>(), vec![1]);
    out.clear();
    assert!(r.sweep_stale(1500, 1, &mut out));
    assert!(!r.sweep_stale(1500, 1, &mut out));
    assert_eq!(
        out.iter().map(|s| s.payload).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert!(out.iter().all(|s| s.code == SettleCode::Stale));
    r.check_invariants().unwrap();
}

#[test]
fn shutdown_settles_all_refuses_later_requests_and_keeps_statistics() {
    let mut r = reg(Config::default());
    r.ask(req("a", Some("s")), 0, 1).unwrap();
    r.ask(req("b", None), 0, 2).unwrap();
    let done = r.shutdown();
    assert_eq!(done.len(), 2);
    assert!(done.iter().all(|s| s.code == SettleCode::Shutdown));
    assert!(r.shutdown().is_empty(), "idempotent");
    let refused = r.ask(req("a", None), 0, 3).unwrap_err();
    assert_eq!(refused.error.code(), "SHUTDOWN");
    let rows = r.stats().rows();
    assert_eq!(
        rows.iter()
            .map(|t| (t.total, t.resolved, t.rejected))
            .collect::<Vec<_>>(),
        vec![(1, 0, 0), (1, 0, 0)]
    );
    assert_eq!((r.pending_count(), r.session_count()), (0, 0));
}

#[test]
fn listing_follows_session_order_then_request_order_and_filters_by_kind() {
    let mut r = reg(Config::default());
    r.ask(req("permission", Some("b")), 0, 1).unwrap();
    r.ask(req("ask-user", Some("a")), 0, 2).unwrap();
    r.ask(req("permission", Some("a")), 0, 3).unwrap();
    r.ask(req("permission", None), 0, 4).unwrap();
    let all: Vec<u32> = r
        .pending_of(["a", "b", "missing"], None)
        .into_iter()
        .map(|(_, p)| *p)
        .collect();
    assert_eq!(all, vec![2, 3, 1]);
    let perms: Vec<u32> = r
        .pending_of(["a", "b"], Some("permission"))
        .into_iter()
        .map(|(_, p)| *p)
        .collect();
    assert_eq!(perms, vec![3, 1]);
    assert!(r.pending_of(["a"], Some("unknown")).is_empty());
}

#[test]
fn reject_and_abort_count_as_rejections_by_code() {
    let mut r = reg(Config::default());
    let a = r.ask(req("t", None), 0, 1).unwrap();
    let b = r.ask(req("t", None), 0, 2).unwrap();
    assert_eq!(
        r.reject(&text(a), SettleCode::Rejected).unwrap().code,
        SettleCode::Rejected
    );
    assert_eq!(
        r.reject(&text(b), SettleCode::Aborted).unwrap().code,
        SettleCode::Aborted
    );
    let row = &r.stats().rows()[0];
    assert_eq!(row.rejected, 2);
    assert_eq!(row.by_code[SettleCode::Rejected.index()], 1);
    assert_eq!(row.by_code[SettleCode::Aborted.index()], 1);
}

#[test]
fn caller_drawn_ids_are_registered_once() {
    let mut r = reg(Config::default());
    let id = InteractionId::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef);
    assert_eq!(r.request(id, req("t", Some("s")), 0, 1).unwrap(), id);
    let dup = r.request(id, req("t", None), 0, 2).unwrap_err();
    assert_eq!((dup.error.code(), dup.payload), ("DUPLICATE_ID", 2));
    assert_eq!(r.pending_count(), 1);
    assert!(r.resolve(&text(id), Answerer::Anyone).is_ok());
    r.check_invariants().unwrap();
}

#[test]
fn recently_settled_ids_are_remembered_within_bounds() {
    let mut r = reg(Config {
        history_len: 3,
        history_ms: 1000,
        interaction_timeout_ms: 0,
        ..Config::default()
    });
    let ids: Vec<_> = (0..5)
        .map(|i| r.ask(req("t", None), i * 10, i as u32).unwrap())
        .collect();
    for (i, id) in ids.iter().enumerate() {
        r.advance(100 + i as u64);
        r.reject(&text(*id), SettleCode::Rejected).unwrap();
    }
    assert_eq!(r.remembered(), 3, "bounded by count");
    assert_eq!(r.settled_as(&text(ids[0]), 104), None, "evicted by count");
    assert_eq!(
        r.settled_as(&text(ids[4]), 104),
        Some((SettleCode::Rejected, 104))
    );
    assert_eq!(r.settled_as(&text(ids[4]), 1104), None, "evicted by age");
    assert_eq!(r.remembered(), 0);
    assert_eq!(r.settled_as(b"garbage", 0), None);
}

#[test]
fn rate_limit_refuses_past_max_per_window_and_says_when_to_retry() {
    let mut r = reg(Config {
        rate_limit: Some(RateLimit {
            max: 2,
            window_ms: 100,
        }),
        ..Config::default()
    });
    r.ask(req("t", Some("s")), 0, 1).unwrap();
    r.ask(req("t", Some("s")), 30, 2).unwrap();
    let refused = r.ask(req("t", Some("s")), 50, 3).unwrap_err();
    assert_eq!(refused.error.code(), "RATE_LIMITED");
    assert_eq!(refused.error.retry_after_ms(), Some(50));
    r.ask(req("t", Some("other")), 50, 4).unwrap();
    r.ask(req("t", None), 50, 5).unwrap();
    r.ask(req("t", Some("s")), 100, 6).unwrap();
    // Past every window, the next call forgets them all, sweep or no sweep.
    r.advance(1000);
    assert_eq!(r.rate_windows(), (0, 0));
}

#[test]
fn rate_windows_stay_bounded_by_one_window_of_traffic() {
    let mut r = reg(Config {
        interaction_timeout_ms: 0,
        rate_limit: Some(RateLimit {
            max: 5,
            window_ms: 100,
        }),
        ..Config::default()
    });
    // 100k distinct sessions, 10 per ms, each answered at once: never more than one window's.
    for i in 0..100_000u32 {
        let name = format!("s{i}");
        let now = u64::from(i / 10);
        let id = r.ask(req("t", Some(&name)), now, i).unwrap();
        r.resolve(&text(id), Answerer::Anyone).unwrap();
        let (windows, requests) = r.rate_windows();
        assert!(
            windows <= 1_000 && requests <= 1_000,
            "{windows} {requests}"
        );
    }
}

#[test]
fn sessionless_requests_share_one_rate_bucket() {
    let mut r = reg(Config {
        rate_limit: Some(RateLimit {
            max: 2,
            window_ms: 100,
        }),
        ..Config::default()
    });
    r.ask(req("t", None), 0, 1).unwrap();
    let empty = NewInteraction {
        owner: Owner::Empty,
        ..req("t", None)
    };
    r.ask(empty, 0, 2).unwrap();
    let refused = r.ask(empty, 10, 3).unwrap_err();
    assert_eq!(
        refused.error.to_string(),
        "Rate limit exceeded for requests without a session; retry after 90 ms"
    );
    r.ask(req("t", Some("named")), 10, 4).unwrap();
}

#[test]
fn an_explicit_falsy_answerer_is_compared_exactly() {
    let mut r = reg(Config::default());
    let null = r.ask(req("t", None), 0, 1).unwrap();
    let empty = r
        .ask(
            NewInteraction {
                owner: Owner::Empty,
                ..req("t", None)
            },
            0,
            2,
        )
        .unwrap();
    let named = r.ask(req("t", Some("s")), 0, 3).unwrap();
    for id in [empty, named] {
        assert_eq!(
            r.resolve(&text(id), Answerer::As(Owner::Null)).unwrap_err(),
            AnswerError::SessionMismatch
        );
    }
    assert_eq!(
        r.resolve(&text(null), Answerer::As(Owner::Empty))
            .unwrap_err(),
        AnswerError::SessionMismatch
    );
    assert!(r.resolve(&text(null), Answerer::As(Owner::Null)).is_ok());
    assert!(r
        .resolve(&text(empty), Answerer::As(Owner::Session("")))
        .is_ok());
    assert!(r
        .resolve(&text(named), Answerer::As(Owner::Session("s")))
        .is_ok());
}

#[test]
fn the_stale_sweep_hands_out_chunks_of_one_sorted_scan() {
    let mut r = reg(Config {
        interaction_timeout_ms: 0,
        stale_threshold_ms: 10,
        ..Config::default()
    });
    let ids: Vec<_> = (0..10)
        .map(|i| r.ask(req("t", None), i, i as u32).unwrap())
        .collect();
    let mut out = Vec::new();
    assert!(r.sweep_stale(100, 3, &mut out));
    // Settled between chunks: skipped, not settled twice.
    r.resolve(&text(ids[4]), Answerer::Anyone).unwrap();
    while r.sweep_stale(100, 3, &mut out) {}
    let order: Vec<u32> = out.iter().map(|s| s.payload).collect();
    assert_eq!(order, [0, 1, 2, 3, 5, 6, 7, 8, 9]);
    r.check_invariants().unwrap();
}

#[test]
fn touch_restarts_the_timeout_but_never_past_the_total_cap() {
    let mut r = reg(Config {
        interaction_timeout_ms: 100,
        ..Config::default()
    });
    let id = r
        .ask(
            NewInteraction {
                max_total_ms: Some(250),
                ..req("t", Some("s"))
            },
            0,
            1,
        )
        .unwrap();
    assert_eq!(r.next_deadline(), Some(100));
    assert_eq!(r.touch(&text(id), 90), Ok(Some(190)));
    assert_eq!(r.touch(&text(id), 180), Ok(Some(250)), "capped");
    let mut out = Vec::new();
    r.expire(249, 10, &mut out);
    assert!(out.is_empty());
    r.expire(250, 10, &mut out);
    assert_eq!(out[0].code, SettleCode::Timeout);
    assert_eq!(r.touch(&text(id), 260), Err(AnswerError::InvalidOrDecided));
    r.check_invariants().unwrap();
}

#[test]
fn a_detached_session_survives_its_grace_only_if_attached() {
    let mut r = reg(Config {
        interaction_timeout_ms: 0,
        ..Config::default()
    });
    r.ask(req("t", Some("reload")), 0, 1).unwrap();
    r.ask(req("t", Some("gone")), 0, 2).unwrap();
    r.detach("reload", 10, 100);
    r.detach("gone", 10, 100);
    assert_eq!(r.next_deadline(), Some(110));
    assert!(r.attach("reload"));
    assert!(!r.attach("reload"), "attached once");
    let mut out = Vec::new();
    r.expire(109, 10, &mut out);
    assert!(out.is_empty());
    r.expire(110, 10, &mut out);
    assert_eq!(
        out.iter().map(|s| (s.payload, s.code)).collect::<Vec<_>>(),
        vec![(2, SettleCode::SessionRemoved)]
    );
    assert_eq!((r.pending_count(), r.detached_count()), (1, 0));
    assert_eq!(r.next_deadline(), None);
    r.check_invariants().unwrap();
}

#[test]
fn metrics_render_gauges_counters_and_a_cumulative_histogram() {
    let mut r = reg(Config::default());
    let a = r.ask(req("permission", Some("s")), 0, 1).unwrap();
    r.ask(req("ask \"x\"", None), 0, 2).unwrap();
    r.advance(700);
    r.resolve(&text(a), Answerer::Anyone).unwrap();
    let text = r.metrics(2_000);
    for line in [
        "interaction_manager_pending{type=\"permission\"} 0",
        "interaction_manager_pending{type=\"ask \\\"x\\\"\"} 1",
        "interaction_manager_sessions 0",
        "interaction_manager_settled_total{type=\"permission\",code=\"RESOLVED\"} 1",
        "interaction_manager_oldest_pending_age_seconds 2",
        "interaction_manager_wait_seconds_bucket{type=\"permission\",le=\"0.5\"} 0",
        "interaction_manager_wait_seconds_bucket{type=\"permission\",le=\"1\"} 1",
        "interaction_manager_wait_seconds_bucket{type=\"permission\",le=\"+Inf\"} 1",
        "interaction_manager_wait_seconds_sum{type=\"permission\"} 0.7",
        "# TYPE interaction_manager_wait_seconds histogram",
    ] {
        assert!(
            text.contains(&format!("{line}\n")),
            "missing {line:?} in\n{text}"
        );
    }
}
