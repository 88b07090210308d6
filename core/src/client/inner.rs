//! The state shared by a client and its payment sessions, and what they all need from
//! it: the enrolled device, requests with a bearer token (renewed once on
//! `unauthorized`), the first reconciliation of a run, and the payment and balance
//! reads that also refresh the local caches.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, Weak};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::auth::Auth;
use super::config::RequestAuth;
use super::error::{ClientError, HttpError};
use super::http::{Http, Request};
use super::now_unix;
use super::session::PaymentSession;
use super::store::{DeviceRecord, PaymentRecord, Store};
use crate::amount::Amount;
use crate::crypto::signer::DeviceSigner;
use crate::policy::AmountPolicy;
use crate::protocol::errors::ErrorCode;
use crate::protocol::wire::{BalanceResponse, PaymentDetail};

/// The state behind a [`Client`](super::Client) and its payment sessions.
pub(crate) struct Inner {
    pub(super) http: Http,
    pub(super) store: Store,
    pub(super) signer: Arc<dyn DeviceSigner>,
    auth: Auth,
    pub(super) policy: AmountPolicy,
    /// Open sessions by payment id, so that a second open returns the same one.
    pub(super) sessions: Mutex<HashMap<String, Weak<PaymentSession>>>,
    /// Held while a payment is opened, so two opens of one payment make one session.
    pub(super) opening: tokio::sync::Mutex<()>,
    /// One lock per payment with a confirmation in flight (see [`Inner::submission_lock`]).
    submissions: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Set once the journal left by a previous run has been settled.
    start_reconciled: AtomicBool,
}

impl Inner {
    pub(super) fn new(
        http: Http,
        store: Store,
        signer: Arc<dyn DeviceSigner>,
        request_auth: RequestAuth,
    ) -> Inner {
        Inner {
            http,
            store,
            signer,
            auth: Auth::new(request_auth),
            policy: AmountPolicy::default(),
            sessions: Mutex::new(HashMap::new()),
            opening: tokio::sync::Mutex::new(()),
            submissions: Mutex::new(HashMap::new()),
            start_reconciled: AtomicBool::new(false),
        }
    }

    /// The enrolled device, or why there is none.
    pub(super) fn device(&self) -> Result<DeviceRecord, ClientError> {
        if let Some(device) = self.store.device()? {
            return Ok(device);
        }
        match self.store.lost_device_id()? {
            Some(device_id) => Err(ClientError::EnrollmentLost { device_id }),
            None => Err(ClientError::NotEnrolled),
        }
    }

    /// Held by a confirmation from its journal entry to its recorded outcome, and taken
    /// by reconciliation before it reads an entry: a confirmation still in flight (its
    /// caller gone, its answer not in yet) is waited for, never settled as "not
    /// processed" while its request may still land and pay.
    pub(super) async fn submission_lock(
        &self,
        payment_id: &str,
    ) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.submissions.lock().unwrap_or_else(|p| p.into_inner());
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            locks.entry(payment_id.to_owned()).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// Sends a request authenticated as the device (a proof, or a bearer token for v1
    /// backends); on `unauthorized` tries once more, with a renewed token or a proof
    /// dated in the server time that answer gave.
    pub(super) async fn authed<T: DeserializeOwned, B: Serialize>(
        &self,
        request: Request<'_, B>,
    ) -> Result<T, ClientError> {
        let device = self.device()?;
        match self.authed_as(&device.device_id, &request).await {
            Err(ClientError::Http(HttpError::Api {
                code: ErrorCode::DeviceRevoked,
                ..
            })) => Err(self.forget_revoked_device()),
            other => other,
        }
    }

    async fn authed_as<T: DeserializeOwned, B: Serialize>(
        &self,
        device_id: &str,
        request: &Request<'_, B>,
    ) -> Result<T, ClientError> {
        let signer = self.signer.as_ref();
        for renewed in [false, true] {
            let credential = self.auth.credential(&self.http, signer, device_id).await?;
            let result = self
                .http
                .send_with(request, |outgoing| {
                    credential.authorization(&self.http, signer, device_id, outgoing)
                })
                .await;
            match result {
                Err(ClientError::Http(HttpError::Api {
                    code: ErrorCode::Unauthorized,
                    ..
                })) if !renewed => self.auth.invalidate().await,
                Err(ClientError::Http(HttpError::Api {
                    code: ErrorCode::Unauthorized,
                    ..
                })) => return Err(ClientError::Unauthorized),
                other => return other,
            }
        }
        Err(ClientError::Unauthorized)
    }

    /// The backend says this device was revoked: what the phone knew of the account
    /// goes, so that it starts over as a phone that never enrolled.
    fn forget_revoked_device(&self) -> ClientError {
        tracing::warn!("this device was revoked; its local data are wiped");
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        if let Err(error) = self.store.wipe() {
            tracing::error!(%error, "the local data of a revoked device were not all wiped");
        }
        ClientError::DeviceRevoked
    }

    /// On the first call that reaches the backend, settles what a previous run left
    /// unresolved (an app killed mid-confirmation). Failures leave it for next time.
    pub(super) async fn reconcile_on_start(&self) {
        use std::sync::atomic::Ordering;
        if self.start_reconciled.load(Ordering::Acquire)
            || self.store.device().ok().flatten().is_none()
        {
            return;
        }
        match self.reconcile_all().await {
            Ok(settled) => {
                self.start_reconciled.store(true, Ordering::Release);
                if !settled.is_empty() {
                    tracing::info!(
                        count = settled.len(),
                        "unresolved confirmations settled at start"
                    );
                }
            }
            Err(error) => tracing::debug!(%error, "start reconciliation postponed"),
        }
    }

    pub(super) async fn fetch_balance(&self) -> Result<Amount, ClientError> {
        let asked_at = self.store.balance_stamp();
        let response: BalanceResponse = self.authed(Request::get("/v1/balance")).await?;
        self.store.save_balance_later(response.balance, asked_at);
        Ok(response.balance)
    }

    pub(super) async fn fetch_detail(
        &self,
        payment_id: &str,
    ) -> Result<PaymentDetail, ClientError> {
        let path = format!("/v1/payments/{payment_id}");
        self.authed(Request::get(&path))
            .await
            .map_err(|error| match error {
                ClientError::Http(HttpError::Api {
                    code: ErrorCode::NotFound,
                    ..
                }) => ClientError::PaymentNotFound {
                    payment_id: payment_id.to_owned(),
                },
                other => other,
            })
    }

    /// A payment and the balance for its screen: one request when the detail carries
    /// the balance (v1.1), else the detail and the balance read concurrently (v1).
    pub(super) async fn fetch_detail_and_balance(
        &self,
        payment_id: &str,
    ) -> Result<(PaymentDetail, Amount), ClientError> {
        if !self.auth.uses_proofs() {
            return tokio::try_join!(self.fetch_detail(payment_id), self.fetch_balance());
        }
        let asked_at = self.store.balance_stamp();
        let detail = self.fetch_detail(payment_id).await?;
        let balance = match detail.balance {
            Some(balance) => {
                self.store.save_balance_later(balance, asked_at);
                balance
            }
            None => self.fetch_balance().await?,
        };
        Ok((detail, balance))
    }

    pub(super) fn live_session(&self, payment_id: &str) -> Option<Arc<PaymentSession>> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.retain(|_, weak| weak.strong_count() > 0);
        sessions.get(payment_id).and_then(Weak::upgrade)
    }

    /// Caches the payment for the history screen off the path to the first screen.
    pub(super) fn cache_payment_later(&self, detail: &PaymentDetail) {
        self.store
            .save_payment_later(PaymentRecord::of_detail(detail, now_unix()));
    }

    pub(super) fn cache_payment(&self, detail: &PaymentDetail) -> Result<(), ClientError> {
        Ok(self
            .store
            .save_payment(&PaymentRecord::of_detail(detail, now_unix()))?)
    }
}
