//! [`LogSink`]: where the core's log lines go (Logcat, os_log, a test buffer).
//! Lines never hold a PIN, a key or a token, and e-mails are masked by the core.

use std::sync::Arc;

use cvconnect_core::log::{LogLevel, LogSink as CoreSink};

/// Receives the core's log lines. Called inline from the core's threads: keep it cheap.
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    fn log(&self, level: LogLevel, target: String, message: String);
}

/// The foreign sink seen as the core's [`CoreSink`].
pub(crate) struct ForeignLogSink(pub(crate) Arc<dyn LogSink>);

impl CoreSink for ForeignLogSink {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        self.0.log(level, target.to_owned(), message.to_owned());
    }
}
