#![deny(clippy::all)]
#![warn(clippy::undocumented_unsafe_blocks)]
//! N-API binding of the interaction registry. The registry itself lives in `interaction-core`;
//! this crate only holds JS handles for it, converts arguments, and settles promises through one
//! finish path (`finish.rs`).

mod args;
mod cluster;
mod create;
mod deferred;
mod exports;
mod finish;
mod managers;
#[cfg(feature = "probes")]
mod probes;
mod queries;
mod raw;
