//! Admission: per-session and total limits, rate limits, caller-drawn ids.

use super::*;

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
