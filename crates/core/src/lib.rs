//! Node-free core of the interaction manager: the registry of pending interactions, their ids,
//! session index, deadlines, limits and statistics. The N-API binding stores its promise and
//! reference handles as the registry's payload `P` and finishes whatever the registry settles.

mod config;
mod error;
mod id;
mod metrics;
mod rates;
mod registry;
mod stats;

pub use config::{Config, RateLimit, DEFAULT_CLEANUP_INTERVAL_MS, DEFAULT_GRACE_MS};
pub use error::{AnswerError, RequestError, SettleCode};
pub use id::{IdText, InteractionId};
pub use metrics::Gauges;
pub use registry::{Answerer, NewInteraction, Owner, Refused, Registry, Settled};
pub use stats::{StatsTable, TypeStats, MAX_ROW_NAME_BYTES, OVERFLOW_ROW, WAIT_BUCKETS_MS};

#[cfg(test)]
mod registry_tests;
