//! What every handler shares.

use std::ops::Deref;
use std::sync::Arc;

use tokio::sync::{broadcast, watch, Notify};

use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::db::Db;
use crate::error::ApiResult;
use crate::faults::Faults;
use crate::secrets::Secrets;
use crate::store::merchants::MerchantRow;
use crate::webhooks::{events, PublishedEvent};

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
    /// Wakes the webhook worker (a transaction may have written events).
    pub webhook_wake: Notify,
    /// Every event written, once committed, for the checkout page's event streams.
    pub events: broadcast::Sender<Arc<PublishedEvent>>,
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

    /// Runs `work` in one immediate transaction, with the state (secrets, configuration)
    /// and the server time of the request, read once before the transaction starts.
    /// Wakes the webhook worker after a commit that wrote events.
    pub async fn transaction<F, R>(&self, work: F) -> ApiResult<R>
    where
        F: FnOnce(&rusqlite::Transaction<'_>, &AppState, i64) -> ApiResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let now = self.now();
        let state = self.clone();
        let (out, wrote_events) = self
            .db
            .transaction(move |tx| {
                events::take_written();
                let out = work(tx, &state, now)?;
                Ok((out, events::take_written()))
            })
            .await?;
        if wrote_events {
            self.webhook_wake.notify_one();
        }
        Ok(out)
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
