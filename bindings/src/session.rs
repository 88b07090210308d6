//! [`PaymentSession`]: one payment on screen, from the push to the outcome.

use std::sync::Arc;

use cvconnect_core::client::{PaymentOutcome, PaymentSession as CoreSession, PaymentView};

use crate::errors::CvError;
use crate::keypad::Keypad;
use crate::runtime::run;

#[derive(uniffi::Object)]
pub struct PaymentSession(Arc<CoreSession>);

impl PaymentSession {
    pub(crate) fn wrap(session: Arc<CoreSession>) -> Arc<Self> {
        Arc::new(PaymentSession(session))
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl PaymentSession {
    pub fn payment_id(&self) -> String {
        self.0.payment_id()
    }

    /// What the payment screen shows; what the beneficiary sees is what is signed.
    pub fn view(&self) -> PaymentView {
        self.0.view()
    }

    /// Applies the amount the beneficiary typed ("12,50", "1 234,56 €", …).
    pub fn set_amount(&self, text: String) -> Result<PaymentView, CvError> {
        Ok(self.0.set_amount(&text)?)
    }

    /// A fresh shuffled keypad for this payment's PIN length.
    pub fn start_pin_entry(&self) -> Result<Arc<Keypad>, CvError> {
        Ok(Arc::new(Keypad::wrap(self.0.start_pin_entry()?)))
    }

    /// Takes the PIN out of `keypad` (wiping it there), seals it, signs and submits.
    /// Cancelling the call does not cancel the payment: it runs to its end and its
    /// outcome is recorded; `CvClient.reconcile()` or reopening shows it.
    pub async fn confirm(&self, keypad: Arc<Keypad>) -> Result<PaymentOutcome, CvError> {
        let pin = keypad.take_pin()?;
        let session = self.0.clone();
        run(async move { Ok(session.confirm(pin).await?) }).await
    }

    /// Reads the payment again (status changes, new nonce).
    pub async fn refresh(&self) -> Result<PaymentView, CvError> {
        let session = self.0.clone();
        run(async move { Ok(session.refresh().await?) }).await
    }

    /// Refuses the payment request; the merchant sees it CANCELLED.
    pub async fn decline(&self) -> Result<PaymentOutcome, CvError> {
        let session = self.0.clone();
        run(async move { Ok(session.decline().await?) }).await
    }
}
