//! Logging: `tracing` inside, forwarded to a sink the platform implements (Logcat,
//! os_log, a test buffer).
//!
//! What is logged is chosen so that nothing secret can appear: no PIN (the core never
//! formats one: `Pin` and `Keypad` print no digit), no token, no key, and e-mails only
//! through [`mask_email`]. The security suite scans captured logs for marker values.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock, RwLock};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

crate::shared::shared_type! {
    replay: declare_log_level;
    /// Severity of a log line given to a log sink, most severe first.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum LogLevel {
        /// A failure the user sees.
        Error,
        /// Something unexpected that the library recovered from.
        Warn,
        /// Steps of a payment: opened, confirmed, reconciled.
        Info,
        /// Details for a developer: requests, retries.
        Debug,
        /// Everything, for a bug report.
        Trace,
    }
}

/// Receives the core's log lines. Synchronous and cheap: it is called inline.
pub trait LogSink: Send + Sync {
    /// One line: its severity, the Rust module it comes from (`cvconnect_core::client`),
    /// and the message with its fields (`device authenticated lifetime_secs=285`).
    fn log(&self, level: LogLevel, target: &str, message: &str);
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);
static SUBSCRIBER: OnceLock<bool> = OnceLock::new();

/// Routes the core's logs to `sink`, replacing any previous sink. The first call also
/// installs the process-wide `tracing` subscriber; if the host application installed
/// its own first, the core's events go there instead and this sink stays silent.
pub fn set_log_sink(sink: Arc<dyn LogSink>) {
    *SINK.write().unwrap_or_else(|p| p.into_inner()) = Some(sink);
    SUBSCRIBER.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(SinkLayer);
        tracing::subscriber::set_global_default(subscriber).is_ok()
    });
}

/// `camille.martin@example.fr` → `c***@example.fr`. Anything that is not an e-mail is
/// masked whole.
pub fn mask_email(email: &str) -> String {
    match email.trim().split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first = local.chars().next().unwrap_or('*');
            format!("{first}***@{domain}")
        }
        _ => "***".to_owned(),
    }
}

struct SinkLayer;

impl<S: Subscriber> Layer<S> for SinkLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = match *event.metadata().level() {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            Level::DEBUG => LogLevel::Debug,
            Level::TRACE => return,
        };
        let sink = SINK.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(sink) = sink {
            let mut line = MessageVisitor::default();
            event.record(&mut line);
            sink.log(level, event.metadata().target(), &line.0);
        }
    }
}

#[derive(Default)]
struct MessageVisitor(String);

impl Visit for MessageVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, "{}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_emails() {
        assert_eq!(mask_email("camille.martin@example.fr"), "c***@example.fr");
        assert_eq!(mask_email("nope"), "***");
        assert_eq!(mask_email("@x.fr"), "***");
    }
}
