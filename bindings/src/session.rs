//! [`PaymentSession`]: one payment on screen, from the push to the outcome.

use std::sync::Arc;

use cvconnect_core::client::PaymentSession as CoreSession;

use crate::errors::{guard, CvError};
use crate::keypad::Keypad;
use crate::runtime::run;
use crate::view::{PaymentOutcome, PaymentView};

/// One payment request on screen, from the push to its outcome.
#[derive(uniffi::Object)]
pub struct PaymentSession(Arc<CoreSession>);

impl PaymentSession {
    pub(crate) fn wrap(session: Arc<CoreSession>) -> Arc<Self> {
        Arc::new(PaymentSession(session))
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl PaymentSession {
    /// The payment's id.
    pub fn payment_id(&self) -> String {
        self.0.payment_id()
    }

    /// What the payment screen shows. What the beneficiary sees is what is signed.
    pub fn view(&self) -> PaymentView {
        self.0.view().into()
    }

    /// Applies the amount the beneficiary typed, in French ("120,00", "1 234,56 €")
    /// or with a dot, and returns the updated screen. A refused amount throws
    /// `InvalidAmount` with a sentence for under the field.
    pub fn set_amount(&self, text: String) -> Result<PaymentView, CvError> {
        guard(|| Ok(self.0.set_amount(&text)?.into()))
    }

    /// A new keypad, shuffled, for this payment's personal code.
    pub fn start_pin_entry(&self) -> Result<Arc<Keypad>, CvError> {
        guard(|| Ok(Arc::new(Keypad::wrap(self.0.start_pin_entry()?))))
    }

    /// Confirms the payment with the code typed on the keypad: the code is taken out of
    /// the keypad (which is left empty), sealed, signed and sent. Cancelling the call
    /// does not cancel the payment: it runs to its end and its outcome is recorded;
    /// reconciling or reopening the payment shows it.
    pub async fn confirm(&self, keypad: Arc<Keypad>) -> Result<PaymentOutcome, CvError> {
        let pin = guard(|| keypad.take_pin())?;
        let session = self.0.clone();
        run(async move { Ok(session.confirm(pin).await?.into()) }).await
    }

    /// Reads the payment again from the backend and returns the updated screen.
    pub async fn refresh(&self) -> Result<PaymentView, CvError> {
        let session = self.0.clone();
        run(async move { Ok(session.refresh().await?.into()) }).await
    }

    /// Refuses the payment request; the merchant sees it cancelled.
    pub async fn decline(&self) -> Result<PaymentOutcome, CvError> {
        let session = self.0.clone();
        run(async move { Ok(session.decline().await?.into()) }).await
    }
}
