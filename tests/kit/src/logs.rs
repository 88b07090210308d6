//! The core's log lines, captured for the suites that scan them for secrets.
//!
//! The core installs one process-wide `tracing` subscriber that forwards every event
//! (the core's and the in-process sandbox's) to one sink. So there is one capture per
//! process: a second sink would take the lines from the first.

use std::sync::{Arc, Mutex, OnceLock};

use cvconnect_core::log::{LogLevel, LogSink};

/// Every log line of this process since the first [`LogCapture::install`].
#[derive(Default)]
pub struct LogCapture {
    lines: Mutex<Vec<String>>,
}

impl LogCapture {
    /// The process's capture, installed as the core's log sink on the first call.
    pub fn install() -> Arc<LogCapture> {
        static CAPTURE: OnceLock<Arc<LogCapture>> = OnceLock::new();
        CAPTURE
            .get_or_init(|| {
                let capture = Arc::new(LogCapture::default());
                cvconnect_core::log::set_log_sink(capture.clone());
                capture
            })
            .clone()
    }

    /// The lines so far, one per line: `Level target message`.
    pub fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

impl LogSink for LogCapture {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        self.lines
            .lock()
            .unwrap()
            .push(format!("{level:?} {target} {message}"));
    }
}
