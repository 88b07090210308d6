//! iOS App Attest: verifies the attestation object `DCAppAttestService.attestKey` returns,
//! following Apple's "Validating apps that connect to your server"
//! (https://developer.apple.com/documentation/devicecheck/validating-apps-that-connect-to-your-server).
//!
//! # What binds what
//!
//! The phone generates an App Attest key and attests it with
//! `clientDataHash = SHA-256(attestation_client_data(challenge, device_spki))`: the
//! server's single-use challenge and the Secure Enclave signing key being enrolled.
//! Apple's CA then certifies, in the credential certificate, the nonce
//! `SHA-256(authData ‖ clientDataHash)`. So a verified nonce proves that Apple saw a
//! genuine device, running the app named by the RP ID hash, attest a key for this
//! challenge and this signing key.
//!
//! # Checks, in order (each refusal is one [`AppleError`] variant)
//!
//! 1. the CBOR envelope and its format `apple-appattest` ([`object`]), and the shape of
//!    the authenticator data ([`auth_data`]);
//! 2. x5c verifies up to the configured roots at `now` ([`super::chain`]);
//! 3. the nonce matches the credential certificate's extension ([`cred_cert`]);
//! 4. the key id is SHA-256 of the certified key's uncompressed point;
//! 5. the RP ID hash is SHA-256 of `team_id.bundle_id`;
//! 6. the counter is 0;
//! 7. the aaguid names the configured environment;
//! 8. the credential id is the key id;
//! 9. the COSE public key in the authenticator data is the certified key (not in
//!    Apple's list, which the nonce makes redundant; checked so that nothing in the
//!    object is left unread).
//!
//! The receipt is not read: it serves Apple's fraud-risk metric, which needs a call to
//! Apple's servers. Assertions (later requests signed by the App Attest key) are not
//! used either: the enrolled Secure Enclave key signs every request of the protocol.

mod auth_data;
mod cred_cert;
mod object;

use cvconnect_core::protocol::canonical::attestation_client_data;
use ring::digest::{digest, SHA256};

use super::{AppAttestEnvironment, ApplePolicy, AttestedPlatform, SecurityLevel, Verified};

pub use object::{FORMAT, MAX_OBJECT_LEN};

/// aaguid of keys attested in Apple's production environment.
pub const AAGUID_PRODUCTION: [u8; 16] = *b"appattest\0\0\0\0\0\0\0";
/// aaguid of keys attested in Apple's development environment.
pub const AAGUID_DEVELOPMENT: [u8; 16] = *b"appattestdevelop";

/// Why an App Attest attestation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppleError {
    #[error("attestation object larger than {MAX_OBJECT_LEN} bytes")]
    TooLarge,
    #[error("attestation object is not the expected CBOR map")]
    MalformedCbor,
    #[error("attestation statement format is not {FORMAT}")]
    WrongFormat,
    #[error("authenticator data is truncated")]
    TruncatedAuthData,
    #[error("authenticator data is malformed")]
    MalformedAuthData,
    #[error("certificate chain: {0}")]
    Chain(#[from] super::ChainError),
    #[error("credential certificate has no nonce extension")]
    MissingNonceExtension,
    #[error("credential certificate's nonce extension is malformed")]
    MalformedNonceExtension,
    #[error("nonce does not match the challenge, the device key and the authenticator data")]
    NonceMismatch,
    #[error("credential certificate's key is not a P-256 key")]
    UnsupportedKey,
    #[error("key id is not the hash of the certified key")]
    KeyIdMismatch,
    #[error("RP ID hash is not the hash of the app id")]
    RpIdMismatch,
    #[error("sign counter is not zero")]
    NonZeroCounter,
    #[error("aaguid is not the configured environment's")]
    AaguidMismatch,
    #[error("credential id is not the key id")]
    CredentialIdMismatch,
    #[error("authenticator data's public key is not the certified key")]
    PublicKeyMismatch,
}

/// One App Attest attestation to check.
pub struct Input<'a> {
    /// The key id `generateKey` returned (raw bytes, not base64).
    pub key_id: &'a [u8],
    /// The attestation object `attestKey` returned (CBOR).
    pub attestation_object: &'a [u8],
    /// The enrollment challenge the server issued.
    pub challenge: &'a [u8],
    /// The signing key being enrolled (P-256 SPKI DER).
    pub device_spki: &'a [u8],
}

/// Verifies `input` against `policy` at `now` (Unix seconds).
pub fn verify(policy: &ApplePolicy, input: &Input<'_>, now: i64) -> Result<Verified, AppleError> {
    let client_data = attestation_client_data(input.challenge, input.device_spki);
    verify_client_data_hash(policy, input, &sha256(&client_data), now)
}

/// The checks, once the client data is hashed as the phone hashed it for `attestKey`.
fn verify_client_data_hash(
    policy: &ApplePolicy,
    input: &Input<'_>,
    client_data_hash: &[u8; 32],
    now: i64,
) -> Result<Verified, AppleError> {
    let attestation = object::decode(input.attestation_object)?;
    let auth = auth_data::parse(&attestation.auth_data)?;
    let chain = super::chain::verify_chain(&attestation.x5c, &policy.roots, now)?;
    let cred_cert = chain.leaf();

    let nonce = sha256(&[&attestation.auth_data[..], &client_data_hash[..]].concat());
    ensure(
        cred_cert::nonce(cred_cert)? == nonce,
        AppleError::NonceMismatch,
    )?;
    let point = cred_cert::p256_point(cred_cert)?;
    ensure(sha256(point) == input.key_id, AppleError::KeyIdMismatch)?;

    let app_id = format!("{}.{}", policy.team_id, policy.bundle_id);
    ensure(
        auth.rp_id_hash == sha256(app_id.as_bytes()),
        AppleError::RpIdMismatch,
    )?;
    ensure(auth.sign_count == 0, AppleError::NonZeroCounter)?;
    ensure(
        auth.aaguid == aaguid(policy.environment),
        AppleError::AaguidMismatch,
    )?;
    ensure(
        auth.credential_id == input.key_id,
        AppleError::CredentialIdMismatch,
    )?;
    ensure(
        auth.public_key_point == point,
        AppleError::PublicKeyMismatch,
    )?;
    Ok(Verified {
        platform: AttestedPlatform::Ios,
        level: SecurityLevel::SecureEnclave,
    })
}

/// The aaguid keys of `environment` carry.
pub fn aaguid(environment: AppAttestEnvironment) -> [u8; 16] {
    match environment {
        AppAttestEnvironment::Production => AAGUID_PRODUCTION,
        AppAttestEnvironment::Development => AAGUID_DEVELOPMENT,
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(digest(&SHA256, bytes).as_ref());
    out
}

fn ensure(condition: bool, refusal: AppleError) -> Result<(), AppleError> {
    if condition {
        Ok(())
    } else {
        Err(refusal)
    }
}
