//! [`DeviceSigner`]: the device key, implemented by the platform (Android Keystore,
//! Secure Enclave, a test harness) and adapted to the core's trait.
//!
//! Synchronous on purpose: hardware signing is a blocking call on both platforms, and
//! async foreign traits implemented in Swift do not compile in Swift 6 mode with this
//! uniffi version.

use std::sync::Arc;

use cvconnect_core::crypto::signer::{DeviceSigner as CoreSigner, SignerError};
use cvconnect_core::crypto::DeviceAttestation;

/// Why the device key could not sign. Thrown by the app's signer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum SignerFailure {
    /// The key store cannot be used right now (device locked, hardware busy, no key yet).
    #[error("signing key unavailable: {reason}")]
    Unavailable {
        /// Why, in English, for logs.
        reason: String,
    },
    /// The user dismissed the authentication prompt guarding the key.
    #[error("signature cancelled by the user")]
    UserCancelled,
    /// The key is permanently unusable (e.g. biometrics changed): enroll again.
    #[error("signing key invalidated")]
    KeyInvalidated,
    /// Any other failure.
    #[error("signature failed: {reason}")]
    Failed {
        /// Why, in English, for logs.
        reason: String,
    },
}

/// An exception the foreign implementation threw that is not a `SignerFailure`.
impl From<uniffi::UnexpectedUniFFICallbackError> for SignerFailure {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SignerFailure::Failed {
            reason: error.reason,
        }
    }
}

impl From<SignerFailure> for SignerError {
    fn from(failure: SignerFailure) -> Self {
        match failure {
            SignerFailure::Unavailable { reason } => SignerError::Unavailable { reason },
            SignerFailure::UserCancelled => SignerError::UserCancelled,
            SignerFailure::KeyInvalidated => SignerError::KeyInvalidated,
            SignerFailure::Failed { reason } => SignerError::Failed { reason },
        }
    }
}

/// The device's P-256 signing key, held by the platform: Android Keystore (StrongBox
/// when present), the Secure Enclave on iOS.
#[uniffi::export(with_foreign)]
pub trait DeviceSigner: Send + Sync {
    /// The public key as SubjectPublicKeyInfo DER (91 bytes for P-256).
    fn public_key(&self) -> Result<Vec<u8>, SignerFailure>;
    /// An ECDSA P-256 SHA-256 signature of the message, DER-encoded. The signer hashes
    /// the message itself.
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, SignerFailure>;
}

/// Attests the device key at enrollment (protocol v1.2), for a backend that asks:
/// Android Key Attestation (the Keystore key created with the challenge as attestation
/// challenge, and its certificate chain), or iOS App Attest (`attestKey` with
/// `appAttestClientDataHash(challenge, publicKey)`). Optional: a client built without
/// one enrolls unattested, which a backend may refuse by policy.
#[uniffi::export(with_foreign)]
pub trait KeyAttester: Send + Sync {
    /// Called once per enrollment, before the signer's public key is read: an Android
    /// implementation (re)creates the signing key here with `challenge` as attestation
    /// challenge. Null when this device cannot attest (no hardware support).
    fn attest(&self, challenge: Vec<u8>) -> Result<Option<DeviceAttestation>, SignerFailure>;
}

/// The foreign signer (and attester, if any) seen as the core's [`CoreSigner`].
pub(crate) struct ForeignSigner {
    pub(crate) signer: Arc<dyn DeviceSigner>,
    pub(crate) attester: Option<Arc<dyn KeyAttester>>,
}

impl CoreSigner for ForeignSigner {
    fn public_key(&self) -> Result<Vec<u8>, SignerError> {
        Ok(self.signer.public_key()?)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        Ok(self.signer.sign(message.to_vec())?)
    }

    fn attest(&self, challenge: &[u8]) -> Result<Option<DeviceAttestation>, SignerError> {
        match &self.attester {
            Some(attester) => Ok(attester.attest(challenge.to_vec())?),
            None => Ok(None),
        }
    }
}
