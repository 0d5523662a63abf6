//! Unit tests of the registry, by concern; the helpers here are shared by every file.

mod answers;
mod expiry;
mod requests;
mod sessions;

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
fn fence_ends_everything_owner_gone_and_keeps_taking_requests() {
    let mut r = reg(Config::default());
    let first = r.ask(req("a", Some("s")), 0, 1).unwrap();
    r.ask(req("b", None), 0, 2).unwrap();
    let done = r.fence();
    assert_eq!(done.len(), 2);
    assert!(done.iter().all(|s| s.code == SettleCode::OwnerGone));
    assert_eq!((r.pending_count(), r.session_count()), (0, 0));
    assert_eq!(
        r.settled_as(&text(first), 0).map(|(c, _)| c),
        Some(SettleCode::OwnerGone),
        "a late answer learns how it ended"
    );
    r.ask(req("a", Some("s")), 0, 3).unwrap();
    assert_eq!(r.pending_count(), 1, "a fenced registry stays open");
    assert!(r.stats().rows().iter().all(|t| t.resolved == 0));
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
