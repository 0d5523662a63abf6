#![deny(clippy::all)]
//! N-API binding of the interaction registry. The registry itself lives in `interaction-core`;
//! this crate only holds JS handles for it and converts arguments.

mod exports;
mod managers;
#[cfg(feature = "probes")]
mod probes;
mod raw;
