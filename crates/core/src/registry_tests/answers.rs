//! Answers by id: who may answer, rejections and aborts, touches, late answers.

use super::*;

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
