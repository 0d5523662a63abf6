//! The tokio runtime of cluster mode: made on the first `start` of a link, never before, so a
//! process that only uses single-process managers runs no extra thread. One per process, shared
//! by every link (and worker thread); it lives until the process ends.

use std::sync::OnceLock;
use tokio::runtime::{Builder, Runtime};

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

pub fn get() -> Result<&'static Runtime, String> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("interactions-redis")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the cluster mode's runtime: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}
