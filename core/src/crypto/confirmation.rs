//! The signed confirmation a device sends (protocol.md §5.7, §6.1, §7).
//!
//! One builder for every device (the app's payment session, the sandbox's software
//! device, test tools): the PIN is sealed to the payment's current nonce, and the
//! signature covers the canonical bytes built from the same payment detail that the
//! screen showed, plus the amount chosen.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::seal::{seal_pin, SealError};
use super::signer::{DeviceSigner, SignerError};
use crate::amount::Amount;
use crate::pin::Pin;
use crate::protocol::canonical::{revocation_bytes, ConfirmationFields};
use crate::protocol::wire::{ConfirmRequest, DeviceList, PaymentDetail, RevokeRequest};

/// Why no confirmation could be built; nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmationError {
    /// The PIN could not be sealed: a bad server key in the payment detail, or a PIN
    /// that is not 4 to 6 digits.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The device key refused to sign (locked, invalidated, hardware failure).
    #[error(transparent)]
    Signer(#[from] SignerError),
}

/// Seals `pin` (consuming it), signs the confirmation of `amount` for `detail` as
/// `device_id`, and returns the request body to send under `idempotency_key`.
pub fn sign_confirmation(
    detail: &PaymentDetail,
    amount: Amount,
    device_id: &str,
    pin: Pin,
    signer: &dyn DeviceSigner,
    idempotency_key: String,
) -> Result<ConfirmRequest, ConfirmationError> {
    let server_key = URL_SAFE_NO_PAD
        .decode(&detail.pin_key.public_key)
        .map_err(|_| SealError::InvalidServerKey)?;
    let sealed = seal_pin(pin, &server_key, &detail.payment_id, &detail.nonce)?;
    let fields = ConfirmationFields::for_payment(detail, amount, device_id, sealed.sha256());
    let signature = signer.sign(&fields.encode())?;
    Ok(ConfirmRequest {
        amount,
        nonce: detail.nonce.clone(),
        sealed_pin: sealed.to_base64url(),
        signature: URL_SAFE_NO_PAD.encode(signature),
        idempotency_key,
    })
}

/// Seals `pin` (consuming it) to the revocation of `revoked_device_id` under the
/// account's current `nonce`, and signs the revocation bytes (§6.5) as `device_id`.
pub fn sign_revocation(
    list: &DeviceList,
    revoked_device_id: &str,
    device_id: &str,
    pin: Pin,
    signer: &dyn DeviceSigner,
) -> Result<RevokeRequest, ConfirmationError> {
    let server_key = URL_SAFE_NO_PAD
        .decode(&list.pin_key.public_key)
        .map_err(|_| SealError::InvalidServerKey)?;
    let sealed = seal_pin(pin, &server_key, revoked_device_id, &list.nonce)?;
    let signed = revocation_bytes(revoked_device_id, &list.nonce, device_id, &sealed.sha256());
    Ok(RevokeRequest {
        nonce: list.nonce.clone(),
        sealed_pin: sealed.to_base64url(),
        signature: URL_SAFE_NO_PAD.encode(signer.sign(&signed)?),
    })
}
