//! What every handler shares.

use std::ops::Deref;
use std::sync::Arc;

use tokio::sync::{watch, Notify};

use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::db::Db;
use crate::faults::Faults;
use crate::secrets::Secrets;
use crate::store::merchants::MerchantRow;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: SandboxConfig,
    pub db: Db,
    pub secrets: Secrets,
    pub clock: Clock,
    pub faults: Faults,
    /// Woken whenever a push notification is recorded.
    pub push_notify: Notify,
    /// Wakes the push dispatcher (a request queued notifications).
    pub outbox_wake: Notify,
    /// The merchant the checkout page plays.
    pub checkout_merchant: MerchantRow,
    /// Turns true when the server shuts down (ends long polls).
    pub shutdown: watch::Receiver<bool>,
}

impl AppState {
    pub fn new(inner: Inner) -> AppState {
        AppState(Arc::new(inner))
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
