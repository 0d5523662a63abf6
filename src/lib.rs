#![deny(clippy::all)]
#![warn(clippy::undocumented_unsafe_blocks)]
//! N-API binding of the interaction registry. The registry itself lives in `interaction-core`;
//! this crate only holds JS handles for it, converts arguments, and settles promises through one
//! finish path (`finish.rs`).
//!
//! The exported functions, by domain: `lifecycle.rs` (create, destroy, the env teardown hook),
//! `interactions.rs` (request and the answers by id), `sessions.rs` (detach, attach, listing),
//! `bulk.rs` (what ends many at once, one at a time: timeouts, the stale sweep, removeSession,
//! shutdown, fencing), `metrics.rs` (statistics, metrics, snapshot) and
//! `constants.rs` (codes, messages, limits and defaults for JS); `cluster/` is the Redis link.
//! Beneath them: `handles.rs` (the per-thread table of registries), `finish.rs`, `deferred.rs`,
//! `convert.rs` (reading arguments) and `js.rs` (checked N-API calls). The napi-rs and N-API
//! facts the code relies on: `docs/napi-facts.md`.

mod bulk;
mod cluster;
mod constants;
mod convert;
mod deferred;
mod finish;
mod handles;
mod interactions;
mod js;
mod lifecycle;
mod metrics;
mod sessions;
#[cfg(feature = "probes")]
mod test_only;
