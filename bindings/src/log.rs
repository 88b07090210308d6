//! [`LogSink`]: where the core's log lines go (Logcat, os_log, a test buffer).
//! Lines never hold a PIN, a key or a token, and e-mails are masked by the core.

use std::sync::Arc;

use cvconnect_core::log::{LogLevel, LogSink as CoreSink};

/// Receives the library's log lines (Logcat, os_log, a test buffer). Lines never hold
/// a personal code, a key or a token, and e-mails are masked. Called from the
/// library's own threads: keep it cheap.
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    /// One log line: its severity, the library module it comes from, and the text.
    fn log(&self, level: LogLevel, target: String, message: String);
}

/// The foreign sink seen as the core's [`CoreSink`].
pub(crate) struct ForeignLogSink(pub(crate) Arc<dyn LogSink>);

impl CoreSink for ForeignLogSink {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        self.0.log(level, target.to_owned(), message.to_owned());
    }
}
