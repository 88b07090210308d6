//! [`CvClient`]: what the apps build once and keep: enrollment, balance, payments.

use std::collections::HashMap;
use std::sync::Arc;

use cvconnect_core::client::{
    BalanceInfo, Client, EnrolledDevice, PaymentRecord, ReconciledPayment,
};
use cvconnect_core::log::LogSink as CoreSink;
use cvconnect_core::protocol::wire::{PaymentSummary, Platform};

use crate::errors::CvError;
use crate::log::{ForeignLogSink, LogSink};
use crate::runtime::{run, RUNTIME};
use crate::session::PaymentSession;
use crate::signer::{DeviceSigner, ForeignSigner};
use crate::types::ClientConfig;

#[derive(uniffi::Object)]
pub struct CvClient(Arc<Client>);

#[uniffi::export(async_runtime = "tokio")]
impl CvClient {
    /// Opens the local store and builds the HTTP stack; sends nothing, so it is cheap
    /// on a main thread. `log_sink` replaces any sink set before (process-wide).
    #[uniffi::constructor]
    pub fn new(
        config: ClientConfig,
        signer: Arc<dyn DeviceSigner>,
        log_sink: Option<Arc<dyn LogSink>>,
    ) -> Result<Self, CvError> {
        let _runtime = RUNTIME.enter();
        let log_sink = log_sink.map(|sink| Arc::new(ForeignLogSink(sink)) as Arc<dyn CoreSink>);
        let client = Client::new(config.into(), Arc::new(ForeignSigner(signer)), log_sink)?;
        Ok(CvClient(Arc::new(client)))
    }

    pub fn enrolled_device(&self) -> Result<Option<EnrolledDevice>, CvError> {
        Ok(self.0.enrolled_device()?)
    }

    pub fn is_enrolled(&self) -> bool {
        self.0.is_enrolled()
    }

    /// Enrolls this device with the one-time activation code issued for `email`.
    pub async fn enroll(
        &self,
        email: String,
        activation_code: String,
        push_token: Option<String>,
        platform: Platform,
    ) -> Result<EnrolledDevice, CvError> {
        let client = self.0.clone();
        run(async move {
            Ok(client
                .enroll(&email, &activation_code, push_token, platform)
                .await?)
        })
        .await
    }

    pub async fn update_push_token(&self, push_token: String) -> Result<(), CvError> {
        let client = self.0.clone();
        run(async move { Ok(client.update_push_token(&push_token).await?) }).await
    }

    /// The balance from the backend, or the last known one marked stale when offline.
    pub async fn balance(&self) -> Result<BalanceInfo, CvError> {
        let client = self.0.clone();
        run(async move { Ok(client.balance().await?) }).await
    }

    /// The last balance read from the backend, always marked stale.
    pub fn cached_balance(&self) -> Result<Option<BalanceInfo>, CvError> {
        Ok(self.0.cached_balance()?)
    }

    /// Payments waiting for this account: covers a push that never arrived.
    pub async fn pending_payments(&self) -> Result<Vec<PaymentSummary>, CvError> {
        let client = self.0.clone();
        run(async move { Ok(client.pending_payments().await?) }).await
    }

    /// Finished payments seen by this device, newest first.
    pub fn history(&self) -> Result<Vec<PaymentRecord>, CvError> {
        Ok(self.0.history()?)
    }

    /// Opens the payment a push announces (`data`: the FCM data map or the APNs
    /// custom keys). Only the payment id is taken from the push.
    pub async fn open_from_push(
        &self,
        data: HashMap<String, String>,
    ) -> Result<Arc<PaymentSession>, CvError> {
        let client = self.0.clone();
        run(async move { Ok(PaymentSession::wrap(client.open_from_push(&data).await?)) }).await
    }

    /// Opens a payment by id (from the pending list).
    pub async fn open_payment(&self, payment_id: String) -> Result<Arc<PaymentSession>, CvError> {
        let client = self.0.clone();
        run(async move {
            Ok(PaymentSession::wrap(
                client.open_payment(&payment_id).await?,
            ))
        })
        .await
    }

    /// Settles every confirmation whose answer was lost, from the backend's status.
    pub async fn reconcile(&self) -> Result<Vec<ReconciledPayment>, CvError> {
        let client = self.0.clone();
        run(async move { Ok(client.reconcile().await?) }).await
    }
}
