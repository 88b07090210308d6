//! The client the apps call: built from a [`ClientConfig`], a [`DeviceSigner`] and an
//! optional log sink.
//!
//! Construction opens the local store and builds the HTTP stack but sends nothing, so
//! it is cheap on an app's main thread. Everything that waits on the network is
//! `async`. Authentication is invisible: the first call that needs a token gets one.

mod auth;
mod config;
mod devices;
mod enroll;
mod error;
mod http;
mod inner;
mod marker;
mod notice;
mod outcome;
mod push;
mod session;
mod store;
mod tls;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use ring::rand::{SecureRandom, SystemRandom};
use serde::de::DeserializeOwned;

pub use config::{ClientConfig, RequestAuth};
pub use devices::{DeviceInfo, RevocationOutcome};
pub use error::{AmountInputError, ClientError, HttpError, StoreError};
pub use notice::Notice;
pub use outcome::{PaymentOutcome, ReconciledPayment};
pub use push::PushReceipt;
pub use session::{PaymentSession, PaymentView};
pub use store::{schema_version, PaymentRecord, DATABASE_FILE};

use crate::amount::Amount;
use crate::crypto::signer::DeviceSigner;
use crate::log::{mask_email, set_log_sink, LogSink};
use crate::protocol::push::is_valid_id;
use crate::protocol::wire::{
    pending_page_path, PaymentList, PaymentSummary, PushTokenRequest, MAX_PENDING_PAGES,
};
use http::{Http, Request, Retry};
pub(crate) use inner::Inner;
use store::Store;

crate::shared::shared_type! {
    replay: declare_enrolled_device;
    /// The enrolled identity of this device.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct EnrolledDevice {
        /// The backend's id for this device.
        pub device_id: String,
        /// The account e-mail, masked for display: "c***@example.fr".
        pub email_masked: String,
    }
}

crate::shared::shared_type! {
    replay: declare_balance_info;
    /// A balance for display.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct BalanceInfo {
        /// The balance in euros.
        pub amount: Amount,
        /// The same, written in French: "200,00 €".
        pub text: String,
        /// True when this is the last known balance rather than a fresh one, because the
        /// backend could not be reached.
        pub stale: bool,
        /// When the backend gave this balance, in seconds since 1970 (UTC).
        pub fetched_at: i64,
    }
}

/// What the apps call: enrollment, balance, pending payments, pushes (`push.rs`),
/// payment sessions and history. Methods take `&self` and may be called from any thread.
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// Opens the local store and builds the HTTP stack; sends nothing. `log_sink`, when
    /// given, replaces the process's log sink (see [`set_log_sink`]).
    pub fn new(
        config: ClientConfig,
        signer: Arc<dyn DeviceSigner>,
        log_sink: Option<Arc<dyn LogSink>>,
    ) -> Result<Client, ClientError> {
        if let Some(sink) = log_sink {
            set_log_sink(sink);
        }
        let http = Http::new(&config)?;
        let store = Store::open(&config.data_dir)?;
        Ok(Client {
            inner: Arc::new(Inner::new(http, store, signer, config.request_auth)),
        })
    }

    /// This device's enrolled identity; `None` before the first enrollment, and
    /// [`ClientError::EnrollmentLost`] when the local database lost an enrollment that
    /// this folder made (see `marker.rs`).
    pub fn enrolled_device(&self) -> Result<Option<EnrolledDevice>, ClientError> {
        let device = self.inner.device().map(|d| EnrolledDevice {
            device_id: d.device_id,
            email_masked: mask_email(&d.email),
        });
        match device {
            Ok(device) => Ok(Some(device)),
            Err(ClientError::NotEnrolled) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Whether this device is enrolled. An error, never `false`, when the local store
    /// cannot tell or lost the enrollment.
    pub fn is_enrolled(&self) -> Result<bool, ClientError> {
        Ok(self.enrolled_device()?.is_some())
    }

    /// Tells the backend this device's new push token (the platforms rotate them).
    pub async fn update_push_token(&self, push_token: &str) -> Result<(), ClientError> {
        let body = PushTokenRequest {
            push_token: push_token.to_owned(),
        };
        let request = Request {
            method: Method::PUT,
            ..Request::post("/v1/devices/me/push-token", Some(&body), Retry::Idempotent)
        };
        self.inner.authed::<(), _>(request).await
    }

    /// The balance from the backend, or the last known one marked stale when offline.
    pub async fn balance(&self) -> Result<BalanceInfo, ClientError> {
        self.inner.reconcile_on_start().await;
        match self.inner.fetch_balance().await {
            Ok(amount) => Ok(balance_info(amount, now_unix(), false)),
            Err(error) if error.is_retryable() => self.cached_balance()?.ok_or(error),
            Err(error) => Err(error),
        }
    }

    /// The last balance read from the backend, always marked stale.
    pub fn cached_balance(&self) -> Result<Option<BalanceInfo>, ClientError> {
        let cached = self.inner.store.cached_balance()?;
        Ok(cached.map(|(amount, at)| balance_info(amount, at, true)))
    }

    /// Payments waiting for this account, newest first: covers a push that never
    /// arrived. Read page by page (protocol.md §5.5), [`MAX_PENDING_PAGES`] pages at most.
    pub async fn pending_payments(&self) -> Result<Vec<PaymentSummary>, ClientError> {
        self.reconcile().await?;
        let mut payments: Vec<PaymentSummary> = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PENDING_PAGES {
            let path = pending_page_path(cursor.as_deref()).ok_or_else(|| {
                ClientError::from(HttpError::Protocol {
                    detail: "invalid next_cursor in the pending list".into(),
                })
            })?;
            let page: PaymentList = self.inner.authed(Request::get(&path)).await?;
            for payment in page.payments {
                if !payments.iter().any(|p| p.payment_id == payment.payment_id) {
                    payments.push(payment);
                }
            }
            match page.next_cursor {
                Some(next) if cursor.as_ref() != Some(&next) => cursor = Some(next),
                _ => break,
            }
        }
        Ok(payments)
    }

    /// Finished payments seen by this device, newest first.
    pub fn history(&self) -> Result<Vec<PaymentRecord>, ClientError> {
        Ok(self.inner.store.history()?)
    }

    /// Opens a payment by id (from the pending list, or a push). Reads the payment and
    /// the balance concurrently.
    pub async fn open_payment(&self, payment_id: &str) -> Result<Arc<PaymentSession>, ClientError> {
        if !is_valid_id(payment_id) {
            return Err(ClientError::PaymentNotFound {
                payment_id: payment_id.chars().take(64).collect(),
            });
        }
        let _opening = self.inner.opening.lock().await;
        if let Some(session) = self.inner.live_session(payment_id) {
            return self.reopen(session).await;
        }
        self.inner.reconcile_on_start().await;
        self.inner.reconcile_payment(payment_id).await?;
        let (detail, balance) = self.inner.fetch_detail_and_balance(payment_id).await?;
        self.inner.cache_payment_later(&detail);
        if detail.status.is_final() {
            return Err(ClientError::AlreadyHandled {
                status: detail.status,
            });
        }
        let session = Arc::new(PaymentSession::new(self.inner.clone(), detail, balance));
        self.inner
            .sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(payment_id.to_owned(), Arc::downgrade(&session));
        Ok(session)
    }

    /// A second open of a payment already on screen (duplicate push, tap on the
    /// pending list): the same session, brought up to date.
    async fn reopen(
        &self,
        session: Arc<PaymentSession>,
    ) -> Result<Arc<PaymentSession>, ClientError> {
        match session.refresh().await {
            Ok(view) if view.status.is_final() => Err(ClientError::AlreadyHandled {
                status: view.status,
            }),
            Ok(_) => Ok(session),
            Err(error) if error.is_retryable() => Ok(session),
            Err(error) => Err(error),
        }
    }

    /// Settles every confirmation whose answer was lost, from the backend's status.
    pub async fn reconcile(&self) -> Result<Vec<ReconciledPayment>, ClientError> {
        self.inner.reconcile_all().await
    }
}

fn balance_info(amount: Amount, fetched_at: i64, stale: bool) -> BalanceInfo {
    BalanceInfo {
        amount,
        text: amount.format_fr(),
        stale,
        fetched_at,
    }
}

/// How the client reads an HTTP answer (status + body) into `T` or a typed error.
/// Public for the fuzz harness, so that it fuzzes this code and not a copy of it.
#[doc(hidden)]
pub fn decode_response<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, HttpError> {
    let status = reqwest::StatusCode::from_u16(status).map_err(|_| HttpError::Protocol {
        detail: format!("HTTP status {status} out of range"),
    })?;
    http::decode(status, body)
}

pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A random protocol id (idempotency keys): 24 bytes, base64url.
pub(crate) fn random_id() -> Result<String, ClientError> {
    let mut bytes = [0u8; 24];
    SystemRandom::new().fill(&mut bytes).map_err(|_| {
        crate::crypto::signer::SignerError::Failed {
            reason: "system random unavailable".into(),
        }
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}
