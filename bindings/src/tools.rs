//! Pure helpers re-exported from the core, and the panic self-test.

use cvconnect_core::amount::Amount;
use cvconnect_core::client::PaymentOutcome;
use cvconnect_core::crypto::signer::verify_p256;
use cvconnect_core::protocol::canonical::ConfirmationFields as CoreFields;

use crate::errors::CvError;
use crate::types::ConfirmationFields;

/// The French display form: "1 234,56 €" (narrow no-break space between groups,
/// no-break space before the euro sign).
#[uniffi::export]
pub fn format_amount_fr(amount: Amount) -> String {
    amount.format_fr()
}

/// Reads what a French user types ("12,50", "1 234,56 €", "12.5"); refuses anything
/// ambiguous with a French reason.
#[uniffi::export]
pub fn parse_amount(text: String) -> Result<Amount, CvError> {
    Ok(Amount::parse_user(&text)?)
}

/// The French sentence for the result screen of an outcome.
#[uniffi::export]
pub fn outcome_message(outcome: PaymentOutcome) -> String {
    outcome.message_fr()
}

/// The canonical bytes a device signs to confirm a payment (protocol.md §6.1).
#[uniffi::export]
pub fn canonical_confirmation_bytes(fields: ConfirmationFields) -> Result<Vec<u8>, CvError> {
    let sealed_pin_hash =
        fields
            .sealed_pin_hash
            .try_into()
            .map_err(|hash: Vec<u8>| CvError::Protocol {
                detail: format!("sealed_pin_hash has {} bytes, 32 expected", hash.len()),
            })?;
    Ok(CoreFields {
        payment_id: fields.payment_id,
        nonce: fields.nonce,
        payee_id: fields.payee_id,
        payee_name: fields.payee_name,
        total: fields.total,
        amount: fields.amount,
        expires_at: fields.expires_at,
        device_id: fields.device_id,
        sealed_pin_hash,
    }
    .encode())
}

/// Whether `signature` (DER) is a valid ECDSA P-256 SHA-256 signature of `message`
/// under `public_key_spki` (DER), as the backend checks it.
#[uniffi::export]
pub fn verify_device_signature(
    public_key_spki: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
) -> bool {
    verify_p256(&public_key_spki, &message, &signature)
}

/// TEST ONLY: panics in Rust, to prove the bindings turn a panic into an exception
/// instead of aborting the process (the library is built with `panic = "unwind"`).
#[uniffi::export]
pub fn cvconnect_selftest_panic(reason: String) {
    panic!("cvconnect self-test panic: {reason}");
}
