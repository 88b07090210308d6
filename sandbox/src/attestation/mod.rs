//! Hardware key attestation at enrollment (protocol.md §5.1.1, v1.2).
//!
//! # Why
//!
//! A device key proves possession, not provenance: a modified app on a rooted phone can
//! enroll a software key and drive payments with a known PIN. Attestation lets the
//! backend check, once, at enrollment, that the signing key was made by the phone's
//! secure hardware for our app, on a phone whose boot chain is intact:
//!
//! - Android: the Keystore's certificate chain for the signing key ([`android`]), made
//!   with the server's enrollment challenge as attestation challenge;
//! - iOS: an App Attest attestation object ([`apple`]) whose client data binds the
//!   challenge and the Secure Enclave signing key
//!   ([`cvconnect_core::protocol::canonical::attestation_client_data`]).
//!
//! What it does not stop: an app process compromised after enrollment, which can use the
//! genuine key as the genuine app would (docs/security.md).
//!
//! Every refusal is logged with its precise reason here and answered to the phone with
//! one code, `attestation_refused`, that tells an attacker nothing about which check failed.

pub mod android;
pub mod apple;
mod chain;
pub mod options;

use std::collections::HashSet;

pub use android::AndroidError;
pub use apple::AppleError;
pub use chain::{ChainError, MAX_CERT_LEN, MAX_CHAIN_LEN};

/// Whether enrollment asks for attestation (`--attestation off|optional|required`);
/// told to phones with each enrollment challenge.
pub use cvconnect_core::protocol::wire::AttestationPolicy as Policy;

/// Attestation settings of a sandbox: the policy and what each platform must show.
#[derive(Debug, Clone, Default)]
pub struct AttestationConfig {
    pub policy: Policy,
    /// Android Key Attestation; `None` refuses every Android attestation.
    pub android: Option<AndroidPolicy>,
    /// iOS App Attest; `None` refuses every App Attest attestation.
    pub apple: Option<ApplePolicy>,
}

/// What an Android attestation must show.
#[derive(Debug, Clone)]
pub struct AndroidPolicy {
    /// The app's package name in the attestation application id (`fr.ancv.cvconnect`).
    pub package_name: String,
    /// SHA-256 digests of the app's signing certificates; one of them must be listed.
    pub signing_cert_digests: Vec<[u8; 32]>,
    /// Trusted roots, DER (Google's hardware attestation roots in production).
    pub roots: Vec<Vec<u8>>,
    /// Revoked certificate serials, lowercase hex without leading zeros, as in Google's
    /// attestation status list (`https://android.googleapis.com/attestation/status`).
    pub revoked_serials: HashSet<String>,
}

/// Which App Attest environment a key must come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppAttestEnvironment {
    /// aaguid `appattest` followed by seven zero bytes.
    Production,
    /// aaguid `appattestdevelop`.
    Development,
}

/// What an iOS attestation must show.
#[derive(Debug, Clone)]
pub struct ApplePolicy {
    /// The team id (`ABCDE12345`) and bundle id (`fr.ancv.cvconnect`): the RP ID hash is
    /// SHA-256 of `team_id.bundle_id`.
    pub team_id: String,
    pub bundle_id: String,
    /// Trusted roots, DER (Apple's App Attestation Root CA in production).
    pub roots: Vec<Vec<u8>>,
    pub environment: AppAttestEnvironment,
}

/// An attestation as sent at enrollment, decoded from base64url.
#[derive(Debug, Clone, Copy)]
pub enum Evidence<'a> {
    /// Certificate chain of the signing key, leaf first, DER.
    AndroidKey { chain: &'a [Vec<u8>] },
    /// The App Attest key id (SHA-256 of its public key) and the attestation object (CBOR).
    AppleAppAttest {
        key_id: &'a [u8],
        attestation_object: &'a [u8],
    },
}

/// Which platform vouched for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestedPlatform {
    Android,
    Ios,
}

impl AttestedPlatform {
    /// The name stored on the device row and shown in the device list.
    pub fn as_str(self) -> &'static str {
        match self {
            AttestedPlatform::Android => "android",
            AttestedPlatform::Ios => "ios",
        }
    }
}

/// Where the key lives, as the attestation states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityLevel {
    /// Android's TEE (`TrustedEnvironment`).
    TrustedEnvironment,
    /// Android's StrongBox secure element.
    StrongBox,
    /// An iOS App Attest key (Secure Enclave).
    SecureEnclave,
}

impl SecurityLevel {
    /// The name stored on the device row and shown in the device list.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityLevel::TrustedEnvironment => "trusted_environment",
            SecurityLevel::StrongBox => "strongbox",
            SecurityLevel::SecureEnclave => "secure_enclave",
        }
    }
}

/// A verified attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub platform: AttestedPlatform,
    pub level: SecurityLevel,
}

/// What enrollment learnt of the key's attestation, before its transaction.
pub enum AttestationCheck {
    /// None sent, or the policy is `off`.
    Absent,
    /// One was sent for `challenge`; `verified` when it holds.
    Checked {
        challenge: Vec<u8>,
        verified: Option<Verified>,
    },
}

/// Why an attestation was refused: for the logs, never for the phone.
#[derive(Debug, thiserror::Error)]
pub enum AttestationError {
    #[error("no attestation policy configured for this platform")]
    NotConfigured,
    #[error("android key attestation: {0}")]
    Android(#[from] AndroidError),
    #[error("app attest: {0}")]
    Apple(#[from] AppleError),
}

/// Verifies `evidence` for the enrolling key `device_spki` (P-256 SPKI DER) against the
/// single-use `challenge` the server issued, at `now` (Unix seconds).
pub fn verify(
    config: &AttestationConfig,
    evidence: Evidence<'_>,
    challenge: &[u8],
    device_spki: &[u8],
    now: i64,
) -> Result<Verified, AttestationError> {
    match evidence {
        Evidence::AndroidKey { chain } => {
            let policy = config
                .android
                .as_ref()
                .ok_or(AttestationError::NotConfigured)?;
            Ok(android::verify(policy, chain, challenge, device_spki, now)?)
        }
        Evidence::AppleAppAttest {
            key_id,
            attestation_object,
        } => {
            let policy = config
                .apple
                .as_ref()
                .ok_or(AttestationError::NotConfigured)?;
            let input = apple::Input {
                key_id,
                attestation_object,
                challenge,
                device_spki,
            };
            Ok(apple::verify(policy, &input, now)?)
        }
    }
}
