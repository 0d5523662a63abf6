//! Random operation sequences against a plain model: each interaction settles exactly once, by
//! the path the model predicts, and every index agrees with the entries after each step. The
//! model covers the whole core API: requests with every kind of owner, timeouts, `maxTotalMs`,
//! touch, detach/attach graces, rate limits, the chunked stale sweep, types past the cap.
//!
//! This file draws the operations; `model/world.rs` holds the model beside the registry and the
//! checks that they agree, `model/steps.rs` what each operation does to both.

#[path = "model/world.rs"]
mod world;

use proptest::prelude::*;
use world::{Op, World, OWNERS};

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

// Found by CI's proptest run (shrunk): a sweep chunk whose first queued interaction had ended
// meanwhile. The registry skips it and takes the next; the model took a chunk of queue entries,
// ended or not, and so expected fewer and "more to come".
#[test]
fn a_stale_sweep_chunk_skips_what_ended_since_the_queue_was_made() {
    let ask = |owner| Op::Request {
        kind: 0,
        owner,
        timeout: None,
        max_total: None,
    };
    let ask_within = |owner, ms| Op::Request {
        kind: 0,
        owner,
        timeout: Some(ms),
        max_total: None,
    };
    let reject = |target| Op::Reject {
        target,
        abort: false,
    };
    let mut world = World::new(false);
    for op in [
        ask(3),
        ask(3),
        ask(0),
        ask(0),
        reject(7886500719815819165),
        ask(1),
        reject(5955072841938259914),
        ask(0),
        reject(13579383976156227770),
        ask(0),
        ask(1),
        ask(1),
        Op::Advance(2),
        ask(0),
        ask(0),
        ask(0),
        Op::Advance(18),
        ask(0),
        ask(0),
        ask(0),
        ask(0),
        ask(0),
        ask(0),
        ask_within(1, 0),
        ask_within(1, 0),
        Op::Resolve {
            target: 1985527238648426970,
            answerer: None,
        },
        ask_within(1, 0),
        Op::Advance(13),
        Op::Advance(27),
        Op::Detach(1, 0),
        Op::Sweep(1),
        Op::Advance(0),
        Op::Sweep(1),
    ] {
        world.step(op);
        world.check();
    }
}
