//! Exports for test suites only, compiled with the `testing` feature and absent from
//! the shipped library: a keypad without a payment, a software signer, the canonical
//! bytes and signature check of the protocol vectors, and a panic on demand.

use std::sync::Arc;

use cvconnect_core::crypto::signer::{verify_p256, DeviceSigner as _, SoftwareSigner};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cvconnect_core::keypad::{Clock, Keypad as CoreKeypad};
use cvconnect_core::protocol::canonical::ConfirmationFields as CoreFields;

use crate::errors::{guard, CvError};
use crate::keypad::Keypad;
use crate::signer::{DeviceSigner, SignerFailure};
use cvconnect_core::amount::Amount;

#[uniffi::export]
impl Keypad {
    /// A keypad for a code of this many digits (4 to 6), outside any payment.
    #[uniffi::constructor]
    pub fn new(pin_length: i32) -> Result<Self, CvError> {
        guard(|| Ok(Keypad::wrap(CoreKeypad::new(length(pin_length))?)))
    }

    /// A keypad whose entry has lapsed already, as after five idle minutes: its next
    /// key press throws `PinEntryExpired`.
    #[uniffi::constructor]
    pub fn lapsed(pin_length: i32) -> Result<Self, CvError> {
        guard(|| {
            let keypad = CoreKeypad::with_clock(
                length(pin_length),
                Arc::new(LapsedClock {
                    start: Instant::now(),
                    readings: AtomicU64::new(0),
                }),
                Duration::ZERO,
            )?;
            Ok(Keypad::wrap(keypad))
        })
    }
}

fn length(pin_length: i32) -> u8 {
    u8::try_from(pin_length).unwrap_or(u8::MAX)
}

/// A clock one second further on at every reading: any idle timeout has passed.
struct LapsedClock {
    start: Instant,
    readings: AtomicU64,
}

impl Clock for LapsedClock {
    fn now(&self) -> Instant {
        let readings = self.readings.fetch_add(1, Ordering::Relaxed);
        self.start + Duration::from_secs(readings)
    }
}

/// A device signer whose P-256 key lives in process memory, for test suites on
/// platforms without a key store at hand (Swift on Linux).
#[uniffi::export]
pub fn software_device_signer() -> Result<Arc<dyn DeviceSigner>, CvError> {
    let signer = SoftwareSigner::generate().map_err(|error| CvError::Signer {
        detail: error.to_string(),
    })?;
    Ok(Arc::new(SoftwareDeviceSigner(signer)))
}

struct SoftwareDeviceSigner(SoftwareSigner);

impl DeviceSigner for SoftwareDeviceSigner {
    fn public_key(&self) -> Result<Vec<u8>, SignerFailure> {
        self.0.public_key().map_err(failure)
    }

    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, SignerFailure> {
        self.0.sign(&message).map_err(failure)
    }
}

fn failure(error: impl std::fmt::Display) -> SignerFailure {
    SignerFailure::Failed {
        reason: error.to_string(),
    }
}

/// The fields of a confirmation signature, to check canonical bytes against the
/// protocol's test vectors.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ConfirmationFields {
    /// The payment's id.
    pub payment_id: String,
    /// The single-use nonce the backend gave with the payment.
    pub nonce: String,
    /// The merchant's id.
    pub payee_id: String,
    /// The shop's name.
    pub payee_name: String,
    /// The order total.
    pub total: Amount,
    /// The amount paid with Chèque-Vacances Connect.
    pub amount: Amount,
    /// When the request lapses, in seconds since 1970 (UTC).
    pub expires_at: i64,
    /// The device's id.
    pub device_id: String,
    /// SHA-256 of the sealed code: 32 bytes.
    pub sealed_pin_hash: Vec<u8>,
}

/// The bytes a device signs to confirm a payment.
#[uniffi::export]
pub fn canonical_confirmation_bytes(fields: ConfirmationFields) -> Result<Vec<u8>, CvError> {
    let sealed_pin_hash =
        fields
            .sealed_pin_hash
            .try_into()
            .map_err(|hash: Vec<u8>| CvError::ProtocolViolation {
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

/// Whether a DER signature is a valid ECDSA P-256 SHA-256 signature of the message
/// under the public key (SubjectPublicKeyInfo DER), as the backend checks it.
#[uniffi::export]
pub fn verify_device_signature(
    public_key_spki: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
) -> bool {
    verify_p256(&public_key_spki, &message, &signature)
}

/// Panics inside the library, to show that the panic reaches the app as the
/// library's internal error rather than a crash.
#[uniffi::export]
pub fn cvconnect_selftest_panic(reason: String) -> Result<(), CvError> {
    guard(|| panic!("cvconnect self-test panic: {reason}"))
}

/// Like the self-test panic, from an asynchronous call.
#[uniffi::export(async_runtime = "tokio")]
pub async fn cvconnect_selftest_panic_async(reason: String) -> Result<(), CvError> {
    crate::runtime::run(async move { panic!("cvconnect self-test panic: {reason}") }).await
}
