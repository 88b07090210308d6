//! Device signatures (protocol.md §6): ECDSA P-256 with SHA-256, DER-encoded, public
//! keys as SubjectPublicKeyInfo DER.
//!
//! # Why this shape
//!
//! - **One algorithm.** P-256/SHA-256 is the only signature scheme that both Android
//!   Keystore (StrongBox included) and the iOS Secure Enclave offer, so it is the only
//!   one the protocol allows. There is no algorithm negotiation to get wrong.
//! - **The core never holds the production key.** On phones the private key lives in
//!   hardware and the platform implements [`DeviceSigner`]; the core only asks for
//!   signatures over canonical bytes it built itself. [`SoftwareSigner`] exists for
//!   the sandbox, tests and desktop demos.
//! - **Synchronous trait.** Hardware signing is a blocking call on both platforms
//!   (possibly behind a biometric prompt), and uniffi foreign traits are simplest as
//!   plain synchronous methods. Async callers run it on a blocking thread.
//! - **Errors a UI can act on.** [`SignerError`] separates "the user cancelled" and
//!   "the key was invalidated (re-enroll)" from transient or unknown failures.
//! - **Strict SPKI handling.** A P-256 SPKI with an uncompressed point has exactly one
//!   DER encoding (91 bytes, a fixed 26-byte prefix), so [`point_from_spki`] compares
//!   bytes instead of running an ASN.1 parser on untrusted input.

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _};
use zeroize::Zeroizing;

use super::DeviceAttestation;

/// DER prefix of a P-256 SubjectPublicKeyInfo holding an uncompressed point:
/// `SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) }`.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Length of an uncompressed P-256 point (`0x04 ‖ X ‖ Y`).
pub const P256_POINT_LEN: usize = 65;

/// Length of a P-256 SPKI DER with an uncompressed point.
pub const P256_SPKI_LEN: usize = P256_SPKI_PREFIX.len() + P256_POINT_LEN;

/// Why a signer could not sign (or give its public key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerError {
    /// The key store cannot be used right now (device locked, hardware busy, no key yet).
    #[error("signing key unavailable: {reason}")]
    Unavailable {
        /// The platform's explanation, for logs.
        reason: String,
    },
    /// The user dismissed the authentication prompt guarding the key.
    #[error("signature cancelled by the user")]
    UserCancelled,
    /// The key is permanently unusable (e.g. biometrics changed); the device must enroll again.
    #[error("signing key invalidated")]
    KeyInvalidated,
    /// Any other failure.
    #[error("signature failed: {reason}")]
    Failed {
        /// The platform's explanation, for logs.
        reason: String,
    },
}

/// The device's signing key. Implemented by the platforms (Android Keystore, Secure
/// Enclave) and by [`SoftwareSigner`].
pub trait DeviceSigner: Send + Sync {
    /// The public key as SubjectPublicKeyInfo DER (91 bytes for P-256).
    fn public_key(&self) -> Result<Vec<u8>, SignerError>;
    /// An ECDSA P-256 SHA-256 signature over `message`, DER-encoded. The signer hashes
    /// the message itself.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError>;
    /// Attests the signing key for the backend's enrollment `challenge` (v1.2), before
    /// enrollment reads [`Self::public_key`]: an Android Keystore signer creates its key
    /// with the challenge as attestation challenge here, so the key enrolled is the one
    /// attested. `None` for a signer that cannot attest (the default).
    fn attest(&self, challenge: &[u8]) -> Result<Option<DeviceAttestation>, SignerError> {
        let _ = challenge;
        Ok(None)
    }
}

/// A P-256 key held in process memory. For the sandbox, tests and demos: production
/// devices use a hardware-backed [`DeviceSigner`].
pub struct SoftwareSigner {
    key_pair: EcdsaKeyPair,
    pkcs8: Zeroizing<Vec<u8>>,
    rng: SystemRandom,
}

impl SoftwareSigner {
    /// Draws a new key pair.
    pub fn generate() -> Result<Self, SignerError> {
        let rng = SystemRandom::new();
        let document =
            EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
                .map_err(|_| SignerError::Failed {
                    reason: "key generation failed".into(),
                })?;
        Self::from_pkcs8(document.as_ref())
    }

    /// Loads a key from PKCS#8 v1 DER (with the public key, as [`Self::pkcs8_der`] gives).
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, SignerError> {
        let rng = SystemRandom::new();
        let key_pair =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
                .map_err(|e| SignerError::Failed {
                    reason: format!("invalid P-256 PKCS#8 key: {e}"),
                })?;
        Ok(SoftwareSigner {
            key_pair,
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            rng,
        })
    }

    /// The private key as PKCS#8 DER, to persist it. Secret: handle like a password.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key as SPKI DER (infallible, unlike the trait method).
    pub fn public_key_spki(&self) -> Vec<u8> {
        match <&[u8; P256_POINT_LEN]>::try_from(self.key_pair.public_key().as_ref()) {
            Ok(point) => spki_from_point(point),
            // ring always gives a 65-byte uncompressed point for P-256.
            Err(_) => Vec::new(),
        }
    }
}

impl DeviceSigner for SoftwareSigner {
    fn public_key(&self) -> Result<Vec<u8>, SignerError> {
        let spki = self.public_key_spki();
        if spki.is_empty() {
            return Err(SignerError::Failed {
                reason: "unexpected public key encoding".into(),
            });
        }
        Ok(spki)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.key_pair
            .sign(&self.rng, message)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| SignerError::Failed {
                reason: "ECDSA signing failed".into(),
            })
    }
}

impl std::fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("public_key", &spki_sha256_pin(&self.public_key_spki()))
            .field("pkcs8", &"<redacted>")
            .finish()
    }
}

/// Wraps an uncompressed P-256 point (`0x04 ‖ X ‖ Y`) in SubjectPublicKeyInfo DER.
/// The point is not validated; [`verify_p256`] does that.
pub fn spki_from_point(uncompressed_point: &[u8; P256_POINT_LEN]) -> Vec<u8> {
    let mut spki = Vec::with_capacity(P256_SPKI_LEN);
    spki.extend_from_slice(&P256_SPKI_PREFIX);
    spki.extend_from_slice(uncompressed_point);
    spki
}

/// The uncompressed point of a P-256 SPKI DER, or `None` unless `spki` is exactly the
/// 26-byte P-256 prefix followed by a 65-byte point starting with `0x04`. Whether the
/// point is on the curve is checked by [`verify_p256`].
pub fn point_from_spki(spki: &[u8]) -> Option<[u8; P256_POINT_LEN]> {
    if spki.len() != P256_SPKI_LEN {
        return None;
    }
    let (prefix, point) = spki.split_at(P256_SPKI_PREFIX.len());
    if prefix != P256_SPKI_PREFIX {
        return None;
    }
    let point: [u8; P256_POINT_LEN] = point.try_into().ok()?;
    (point[0] == 0x04).then_some(point)
}

/// Whether `signature_der` is a valid ECDSA P-256 SHA-256 (DER) signature of `message`
/// under the key `spki_der`. Any malformed input gives `false`.
pub fn verify_p256(spki_der: &[u8], message: &[u8], signature_der: &[u8]) -> bool {
    let Some(point) = point_from_spki(spki_der) else {
        return false;
    };
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, point)
        .verify(message, signature_der)
        .is_ok()
}

/// HPKP-style pin of a public key: `"sha256/"` followed by the standard base64 (with
/// padding) of SHA-256 over the SPKI DER. Used in the TLS pinning configuration.
pub fn spki_sha256_pin(spki_der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, spki_der);
    format!(
        "sha256/{}",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_key_signs_and_verifies() {
        let signer = SoftwareSigner::generate().unwrap();
        let spki = signer.public_key().unwrap();
        assert_eq!(spki.len(), P256_SPKI_LEN);
        assert_eq!(spki[..26], P256_SPKI_PREFIX);
        let sig = signer.sign(b"hello").unwrap();
        assert!(verify_p256(&spki, b"hello", &sig));
        assert!(!verify_p256(&spki, b"hellp", &sig));
    }

    #[test]
    fn pkcs8_round_trip_keeps_the_key() {
        let signer = SoftwareSigner::generate().unwrap();
        let again = SoftwareSigner::from_pkcs8(signer.pkcs8_der()).unwrap();
        assert_eq!(signer.public_key().unwrap(), again.public_key().unwrap());
        let sig = again.sign(b"m").unwrap();
        assert!(verify_p256(&signer.public_key().unwrap(), b"m", &sig));
    }

    #[test]
    fn other_key_does_not_verify() {
        let a = SoftwareSigner::generate().unwrap();
        let b = SoftwareSigner::generate().unwrap();
        let sig = a.sign(b"m").unwrap();
        assert!(!verify_p256(&b.public_key().unwrap(), b"m", &sig));
    }

    #[test]
    fn bad_pkcs8_is_an_error() {
        assert!(matches!(
            SoftwareSigner::from_pkcs8(b"not a key"),
            Err(SignerError::Failed { .. })
        ));
        assert!(SoftwareSigner::from_pkcs8(&[]).is_err());
    }

    #[test]
    fn debug_redacts_the_private_key() {
        let signer = SoftwareSigner::generate().unwrap();
        let debug = format!("{signer:?}");
        assert!(debug.contains("<redacted>"));
        assert!(debug.contains("sha256/"));
        let pkcs8_hex: String = signer
            .pkcs8_der()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!debug.contains(&pkcs8_hex));
        assert!(!debug.contains(&format!("{:?}", signer.pkcs8_der())));
    }

    #[test]
    fn spki_point_round_trip_and_strictness() {
        let mut point = [7u8; P256_POINT_LEN];
        point[0] = 0x04;
        let spki = spki_from_point(&point);
        assert_eq!(spki.len(), 91);
        assert_eq!(point_from_spki(&spki), Some(point));

        // Wrong length, trailing byte, altered prefix, compressed/hybrid point tag.
        assert_eq!(point_from_spki(&spki[..90]), None);
        let mut longer = spki.clone();
        longer.push(0);
        assert_eq!(point_from_spki(&longer), None);
        let mut other_curve = spki.clone();
        other_curve[22] ^= 1; // last byte of the prime256v1 OID
        assert_eq!(point_from_spki(&other_curve), None);
        let mut compressed = spki.clone();
        compressed[26] = 0x02;
        assert_eq!(point_from_spki(&compressed), None);
        assert_eq!(point_from_spki(&[]), None);
    }

    #[test]
    fn verify_rejects_points_off_the_curve() {
        let signer = SoftwareSigner::generate().unwrap();
        let sig = signer.sign(b"m").unwrap();
        let mut spki = signer.public_key().unwrap();
        spki[90] ^= 1;
        assert!(!verify_p256(&spki, b"m", &sig));
    }

    #[test]
    fn pin_format() {
        // SHA-256 of the empty string.
        assert_eq!(
            spki_sha256_pin(b""),
            "sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        let pin = spki_sha256_pin(&SoftwareSigner::generate().unwrap().public_key_spki());
        assert_eq!(pin.len(), "sha256/".len() + 44);
        assert!(pin.ends_with('='));
    }

    proptest! {
        #[test]
        fn verify_never_panics(spki in proptest::collection::vec(any::<u8>(), 0..120),
                               msg in proptest::collection::vec(any::<u8>(), 0..64),
                               sig in proptest::collection::vec(any::<u8>(), 0..90)) {
            let _ = verify_p256(&spki, &msg, &sig);
            let _ = point_from_spki(&spki);
            let _ = SoftwareSigner::from_pkcs8(&spki);
        }

        #[test]
        fn random_signatures_on_a_valid_prefix_do_not_panic(tail in proptest::collection::vec(any::<u8>(), 65..=65),
                                                            sig in proptest::collection::vec(any::<u8>(), 0..80)) {
            let mut spki = P256_SPKI_PREFIX.to_vec();
            spki.extend_from_slice(&tail);
            spki[26] = 0x04;
            prop_assert!(!verify_p256(&spki, b"m", &sig));
        }
    }
}
