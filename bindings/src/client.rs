//! [`CvClient`]: what an app builds once and keeps: enrollment, balance, payments.

use std::collections::HashMap;
use std::sync::Arc;

use cvconnect_core::client::{
    BalanceInfo, Client, DeviceInfo, EnrolledDevice, PaymentRecord, PushReceipt,
};
use cvconnect_core::log::LogSink as CoreSink;
use cvconnect_core::protocol::wire::{PaymentSummary, Platform};

use crate::config::ClientConfig;
use crate::errors::{guard, CvError};
use crate::keypad::Keypad;
use crate::log::{ForeignLogSink, LogSink};
use crate::runtime::{run, RUNTIME};
use crate::session::PaymentSession;
use crate::signer::{DeviceSigner, ForeignSigner, KeyAttester};
use crate::view::{ReconciledPayment, RevocationOutcome};

/// The beneficiary's side of Chèque-Vacances Connect on this device: enrollment, the
/// balance, the payments waiting, and the payment a push announces. Build one per
/// process and keep it; it is safe to share between threads.
#[derive(uniffi::Object)]
pub struct CvClient(Arc<Client>);

#[uniffi::export(async_runtime = "tokio")]
impl CvClient {
    /// Opens the local database and prepares the connection; sends nothing, so it is
    /// cheap enough for a main thread. A log sink given here replaces any sink set
    /// before, for the whole process.
    #[uniffi::constructor]
    pub fn new(
        config: ClientConfig,
        signer: Arc<dyn DeviceSigner>,
        log_sink: Option<Arc<dyn LogSink>>,
    ) -> Result<Self, CvError> {
        Self::build(
            config,
            ForeignSigner {
                signer,
                attester: None,
            },
            log_sink,
        )
    }

    /// Like the primary constructor, for an app that attests its device key at
    /// enrollment (protocol v1.2): the attester is asked once, when the backend's policy
    /// wants an attestation.
    #[uniffi::constructor]
    pub fn with_attester(
        config: ClientConfig,
        signer: Arc<dyn DeviceSigner>,
        attester: Arc<dyn KeyAttester>,
        log_sink: Option<Arc<dyn LogSink>>,
    ) -> Result<Self, CvError> {
        let signer = ForeignSigner {
            signer,
            attester: Some(attester),
        };
        Self::build(config, signer, log_sink)
    }

    /// This device's enrolled identity, or null before the first enrollment. Throws
    /// `EnrollmentLost` when the app's local data lost an enrollment.
    pub fn enrolled_device(&self) -> Result<Option<EnrolledDevice>, CvError> {
        guard(|| Ok(self.0.enrolled_device()?))
    }

    /// Whether this device is enrolled. Throws when the local database cannot tell
    /// (`Storage`) or lost the enrollment (`EnrollmentLost`), rather than answering
    /// "no" and sending the user to a first enrollment.
    pub fn is_enrolled(&self) -> Result<bool, CvError> {
        guard(|| Ok(self.0.is_enrolled()?))
    }

    /// Enrolls this device with the one-time activation code issued for the account
    /// e-mail. The push token may come later, through the push token update.
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

    /// Sends the platform's new push token (FCM or APNs) to the backend. Call it each
    /// time the platform hands the app a new one.
    pub async fn update_push_token(&self, push_token: String) -> Result<(), CvError> {
        let client = self.0.clone();
        run(async move { Ok(client.update_push_token(&push_token).await?) }).await
    }

    /// The balance from the backend, or the last known one marked stale when offline.
    pub async fn balance(&self) -> Result<BalanceInfo, CvError> {
        let client = self.0.clone();
        run(async move { Ok(client.balance().await?) }).await
    }

    /// The last balance read from the backend, always marked stale, or null if none.
    pub fn cached_balance(&self) -> Result<Option<BalanceInfo>, CvError> {
        guard(|| Ok(self.0.cached_balance()?))
    }

    /// The payments waiting for this account: what the app shows when a push never
    /// arrived.
    pub async fn pending_payments(&self) -> Result<Vec<PaymentSummary>, CvError> {
        let client = self.0.clone();
        run(async move { Ok(client.pending_payments().await?) }).await
    }

    /// The finished payments this device has seen, newest first.
    pub fn history(&self) -> Result<Vec<PaymentRecord>, CvError> {
        guard(|| Ok(self.0.history()?))
    }

    /// Call it when a push arrives, before showing its notification, with the push's
    /// data as received (the FCM data map, or the APNs payload's custom keys). The
    /// receipt's `duplicate` is true when this device already received this message,
    /// even before the app restarted: show nothing then. Throws `Push` for a payload
    /// that is not a payment request. Sends nothing.
    pub fn receive_push(&self, data: HashMap<String, String>) -> Result<PushReceipt, CvError> {
        guard(|| Ok(self.0.receive_push(&data)?))
    }

    /// Opens the payment a tapped notification announces, a copy or not. Give it the
    /// push's data as received: the FCM data map, or the APNs payload's custom keys.
    /// Only the payment id is taken from the push; everything shown comes from the
    /// backend.
    pub async fn open_from_push(
        &self,
        data: HashMap<String, String>,
    ) -> Result<Arc<PaymentSession>, CvError> {
        let client = self.0.clone();
        run(async move { Ok(PaymentSession::wrap(client.open_from_push(&data).await?)) }).await
    }

    /// Opens a payment by its id, from the pending payments.
    pub async fn open_payment(&self, payment_id: String) -> Result<Arc<PaymentSession>, CvError> {
        let client = self.0.clone();
        run(async move {
            Ok(PaymentSession::wrap(
                client.open_payment(&payment_id).await?,
            ))
        })
        .await
    }

    /// Settles every confirmation whose answer was lost (the app was killed, the
    /// network dropped), from the backend's record. The client also does it by itself
    /// on its first call to the backend.
    pub async fn reconcile(&self) -> Result<Vec<ReconciledPayment>, CvError> {
        let client = self.0.clone();
        run(async move {
            let settled = client.reconcile().await?;
            Ok(settled.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// The account's phones, this one marked `current` (it cannot revoke itself).
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>, CvError> {
        let client = self.0.clone();
        run(async move { Ok(client.devices().await?) }).await
    }

    /// A new keypad, shuffled, for the personal code that revokes a phone.
    pub async fn start_revocation_pin_entry(&self) -> Result<Arc<Keypad>, CvError> {
        let client = self.0.clone();
        run(async move {
            let keypad = client.start_revocation_pin_entry().await?;
            Ok(Arc::new(Keypad::wrap(keypad)))
        })
        .await
    }

    /// Revokes the phone of this account with this id, with the code typed on the keypad
    /// (taken out of it, which is left empty, sealed and signed like a confirmation).
    /// A wrong code counts against the same attempts as a payment's. The revoked phone
    /// learns it at its next call, which throws `DeviceRevoked`.
    pub async fn revoke_device(
        &self,
        device_id: String,
        keypad: Arc<Keypad>,
    ) -> Result<RevocationOutcome, CvError> {
        let pin = guard(|| keypad.take_pin())?;
        let client = self.0.clone();
        run(async move { Ok(client.revoke_device(&device_id, pin).await?.into()) }).await
    }
}

impl CvClient {
    fn build(
        config: ClientConfig,
        signer: ForeignSigner,
        log_sink: Option<Arc<dyn LogSink>>,
    ) -> Result<Self, CvError> {
        guard(|| {
            let _runtime = RUNTIME.enter();
            let log_sink = log_sink.map(|sink| Arc::new(ForeignLogSink(sink)) as Arc<dyn CoreSink>);
            let client = Client::new(config.try_into()?, Arc::new(signer), log_sink)?;
            Ok(CvClient(Arc::new(client)))
        })
    }
}
