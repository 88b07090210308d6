//! Amount helpers for the screens, and the outcome's French sentence.

use cvconnect_core::amount::Amount;
use cvconnect_core::client::PaymentOutcome as CoreOutcome;

use crate::errors::{guard, CvError};
use crate::view::PaymentOutcome;

/// An amount written the French way: "1 234,56 €", with a narrow no-break space
/// between groups of digits and a no-break space before the euro sign. An amount with
/// more than two decimals, or below zero, throws `InvalidAmount`.
#[uniffi::export]
pub fn format_amount_fr(amount: Amount) -> Result<String, CvError> {
    Ok(amount.format_fr())
}

/// Reads an amount as a French user types it ("12,50", "1 234,56 €", "12.5").
/// Anything ambiguous is refused with `InvalidAmount` and a French reason.
#[uniffi::export]
pub fn parse_amount(text: String) -> Result<Amount, CvError> {
    guard(|| Ok(Amount::parse_user(&text)?))
}

#[uniffi::export]
impl PaymentOutcome {
    /// The French sentence for the result screen.
    pub fn message(&self) -> String {
        CoreOutcome::from(self.clone()).message_fr()
    }
}

/// The `clientDataHash` an iOS app passes to `DCAppAttestService.attestKey` for an
/// enrollment (protocol v1.2): SHA-256 of the canonical client data binding the
/// backend's challenge and the device's P-256 signing key (SPKI DER).
#[uniffi::export]
pub fn app_attest_client_data_hash(challenge: Vec<u8>, public_key: Vec<u8>) -> Vec<u8> {
    cvconnect_core::crypto::app_attest_client_data_hash(&challenge, &public_key).to_vec()
}
