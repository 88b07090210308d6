//! The library's own tokio runtime, and how its threads hand results back.
//!
//! uniffi's `async_runtime = "tokio"` only wraps futures in `async-compat`, whose
//! fallback runtime is single-threaded and lazily created. The core needs a real
//! multi-thread runtime: its `confirm` spawns the submission with
//! `tokio::runtime::Handle::try_current()` so that a caller giving up cannot stop a
//! payment between send and record. So every exported async function runs its core
//! future on [`RUNTIME`] through [`run`], and the foreign side only awaits the join.
//!
//! The join is woken from a runtime thread, and waking a Python caller runs Python
//! code there. If the script ends meanwhile, the interpreter shuts down under that
//! thread, which then cannot take the GIL back: CPython ends it with `pthread_exit`,
//! whose unwinding tokio's `catch_unwind` stops, and glibc aborts the process ("FATAL:
//! exception not rethrown"). So every wake goes through [`CountingWaker`], and
//! [`wait_for_callbacks`], which the Python package calls at exit, waits until none is
//! under way.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

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

/// Wakes of a foreign caller under way on the library's threads.
static WAKING: AtomicUsize = AtomicUsize::new(0);

/// Runs `future` on [`RUNTIME`] and waits for it. If the caller stops waiting (a
/// cancelled Kotlin coroutine, Swift task or Python task) the future keeps running to
/// completion on the runtime, which is what the core's journal expects. A panic
/// inside becomes [`CvError::Unexpected`], like a panic in a synchronous export.
pub(crate) async fn run<T, F>(future: F) -> Result<T, CvError>
where
    F: Future<Output = Result<T, CvError>> + Send + 'static,
    T: Send + 'static,
{
    match Counted(RUNTIME.spawn(future)).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => Err(panic_error(error.into_panic())),
        Err(error) => Err(CvError::Unexpected {
            detail: error.to_string(),
        }),
    }
}

/// Waits until no thread of the library is handing a result back to the app, for at
/// most a second. The Python package calls it by itself when the interpreter exits;
/// apps never need to.
#[uniffi::export]
pub fn wait_for_callbacks() {
    let deadline = Instant::now() + Duration::from_secs(1);
    while WAKING.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A future polled with a [`CountingWaker`] around the caller's waker.
struct Counted<F>(F);

impl<F: Future + Unpin> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let waker = Waker::from(Arc::new(CountingWaker(cx.waker().clone())));
        Pin::new(&mut self.0).poll(&mut Context::from_waker(&waker))
    }
}

/// Counts the wakes under way in [`WAKING`].
struct CountingWaker(Waker);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        WAKING.fetch_add(1, Ordering::AcqRel);
        self.0.wake_by_ref();
        WAKING.fetch_sub(1, Ordering::AcqRel);
    }
}
