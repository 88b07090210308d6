//! Aborting the process at a named point of a confirmation (see the parent module).
//!
//! A killed-app test starts a child process with `CVCONNECT_TEST_CRASH_AT=<point>`.
//! When the child's confirmation reaches that point, the process aborts at once
//! (`std::process::abort`: no unwinding, no destructors, nothing flushed), as when the
//! system kills the app. The test then starts the app again on the same folder and
//! asserts the one outcome that point must give, instead of sleeping and accepting
//! whichever outcome the timing gave.
//!
//! The call sites are the `crash_point!` macro (`client/http.rs`), which compiles to
//! nothing without the `test-hooks` feature.

use std::sync::OnceLock;

/// The variable that selects the crash point of a process. Also the marker string
/// `cargo xtask package` looks for: the shipped library must not contain it.
pub const ENV_VAR: &str = "CVCONNECT_TEST_CRASH_AT";

/// A point of a confirmation where a test may kill the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// The journal entry is written; the request is not sent.
    BeforeSend,
    /// The request reached the backend, which processed it and began to answer; the
    /// app dies before it reads the answer (the answer's head has arrived, not its body).
    AfterSend,
    /// The answer is read; the journal does not record it yet.
    AfterAnswer,
}

impl CrashPoint {
    /// Every point, in the order a confirmation reaches them.
    pub const ALL: [CrashPoint; 3] = [
        CrashPoint::BeforeSend,
        CrashPoint::AfterSend,
        CrashPoint::AfterAnswer,
    ];

    /// The name [`ENV_VAR`] takes to select this point.
    pub fn name(self) -> &'static str {
        match self {
            CrashPoint::BeforeSend => "BeforeSend",
            CrashPoint::AfterSend => "AfterSend",
            CrashPoint::AfterAnswer => "AfterAnswer",
        }
    }

    /// The point this process was told to die at, read once.
    fn selected() -> Option<CrashPoint> {
        static SELECTED: OnceLock<Option<CrashPoint>> = OnceLock::new();
        *SELECTED.get_or_init(|| {
            let name = std::env::var(ENV_VAR).ok()?;
            let point = CrashPoint::ALL.into_iter().find(|p| p.name() == name);
            if point.is_none() {
                eprintln!("{ENV_VAR}={name}: no such crash point, ignored");
            }
            point
        })
    }
}

/// Aborts the process if a test selected `point`; otherwise does nothing.
pub fn reach(point: CrashPoint) {
    if CrashPoint::selected() == Some(point) {
        eprintln!("{ENV_VAR}={}: crash point reached, aborting", point.name());
        std::process::abort();
    }
}
