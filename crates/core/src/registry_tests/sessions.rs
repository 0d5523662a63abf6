//! Sessions: removal, listing, detach and attach.

use super::*;

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
