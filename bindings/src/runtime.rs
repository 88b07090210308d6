//! The library's own tokio runtime.
//!
//! uniffi's `async_runtime = "tokio"` only wraps futures in `async-compat`, whose
//! fallback runtime is single-threaded and lazily created. The core needs a real
//! multi-thread runtime: its `confirm` spawns the submission with
//! `tokio::runtime::Handle::try_current()` so that a caller giving up cannot stop a
//! payment between send and record. So every exported async function runs its core
//! future on [`RUNTIME`] through [`run`], and the foreign side only awaits the join.

use std::future::Future;
use std::sync::LazyLock;

use tokio::runtime::{Builder, Runtime};

use crate::errors::{panic_error, CvError};

/// Two workers are plenty: the work is network waits and a little crypto.
pub(crate) static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("cvconnect-rt")
        .enable_all()
        .build()
        .expect("cannot start the cvconnect tokio runtime")
});

/// Runs `future` on [`RUNTIME`] and waits for it. If the caller stops waiting (a
/// cancelled Kotlin coroutine, Swift task or Python task) the future keeps running to
/// completion on the runtime, which is what the core's journal expects. A panic
/// inside becomes [`CvError::Unexpected`], like a panic in a synchronous export.
pub(crate) async fn run<T, F>(future: F) -> Result<T, CvError>
where
    F: Future<Output = Result<T, CvError>> + Send + 'static,
    T: Send + 'static,
{
    match RUNTIME.spawn(future).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => Err(panic_error(error.into_panic())),
        Err(error) => Err(CvError::Unexpected {
            detail: error.to_string(),
        }),
    }
}
