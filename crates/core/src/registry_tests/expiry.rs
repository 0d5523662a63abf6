//! Timeouts and the stale sweep.

use super::*;

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
