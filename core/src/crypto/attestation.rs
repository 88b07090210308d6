//! Key attestation (protocol.md §5.1.1, v1.2): what a platform says about the device
//! key, made for the backend's single-use enrollment challenge.
//!
//! The core never checks an attestation: only the backend can, against roots and app
//! identities it trusts. The core asks the signer for one when the backend wants it and
//! carries it to the enrollment. A signer that cannot attest (the [`SoftwareSigner`] of
//! tests and emulators) answers `None`, and a backend whose policy requires attestation
//! refuses it with `attestation_required`.
//!
//! [`SoftwareSigner`]: super::SoftwareSigner

use ring::digest::{digest, SHA256};

use crate::protocol::canonical::attestation_client_data;

crate::shared::shared_type! {
    replay: declare_device_attestation;
    /// A platform's statement about the signing key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum DeviceAttestation {
        /// Android Key Attestation: the Keystore's certificate chain of the signing key,
        /// created with the challenge as attestation challenge; DER, leaf first.
        AndroidKey {
            /// The Keystore's chain, leaf (the signing key's certificate) first.
            certificate_chain: Vec<Vec<u8>>,
        },
        /// iOS App Attest: the App Attest key's id and its attestation object (CBOR),
        /// whose `clientDataHash` is `app_attest_client_data_hash(challenge, public_key)`.
        AppleAppAttest {
            /// The App Attest key's id: SHA-256 of its public key.
            key_id: Vec<u8>,
            /// The CBOR attestation object `attestKey` returned.
            attestation_object: Vec<u8>,
        },
    }
}

/// The `clientDataHash` an iOS app passes to `DCAppAttestService.attestKey`: SHA-256 of
/// the canonical client data binding the challenge and the device's signing key.
pub fn app_attest_client_data_hash(challenge: &[u8], public_key_spki: &[u8]) -> [u8; 32] {
    let hash = digest(
        &SHA256,
        &attestation_client_data(challenge, public_key_spki),
    );
    let mut out = [0u8; 32];
    out.copy_from_slice(hash.as_ref());
    out
}
