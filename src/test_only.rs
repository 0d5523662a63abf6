//! Built only with `--features probes`, never shipped: the wake-up path of the rejected timer
//! design (a tokio sleep calling back into JS through a weak threadsafe function), measured by
//! benchmark/timer-designs.js, and a function that panics, for the test that proves every
//! exported entry point turns a panic into a JS error.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use std::time::{Duration, Instant};

/// Calls `callback(elapsedMs)` on the JS thread after `ms`, from a tokio timer, through a weak
/// threadsafe function (it does not keep the process alive).
#[napi]
pub fn tokio_wake_after(ms: f64, callback: Function<'_, f64, ()>) -> Result<()> {
    let tsfn = callback
        .build_threadsafe_function::<f64>()
        .weak::<true>()
        .callee_handled::<false>()
        .build()?;
    let start = Instant::now();
    let delay = Duration::from_micros((ms.max(0.0) * 1000.0) as u64);
    let rt = crate::cluster::runtime::get().map_err(|e| Error::new(Status::GenericFailure, e))?;
    rt.spawn(async move {
        tokio::time::sleep(delay).await;
        tsfn.call(
            start.elapsed().as_secs_f64() * 1000.0,
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    });
    Ok(())
}

/// Panics with `message`, through the same `catch_unwind` wrapper as every exported function.
#[napi(catch_unwind)]
pub fn panic_for_test(message: String) -> Result<u32> {
    if !message.is_empty() {
        panic!("{message}");
    }
    Ok(0)
}

/// `[lost, abandoned]`: deferreds dropped unsettled (a bug on any path) and given up at env
/// teardown, over the life of this process.
#[napi]
pub fn deferred_counts() -> Vec<f64> {
    let (lost, abandoned) = crate::deferred::counts();
    vec![lost as f64, abandoned as f64]
}
