//! A phone whose signer attests its key: a software P-256 key, and the evidence the test
//! builders make for the backend's challenge, as a Keystore or App Attest would. Each
//! challenge the core passed is kept, so a test can tell whether it was asked.

use std::sync::{Arc, Mutex};

use cvconnect_core::crypto::signer::{DeviceSigner, SignerError, SoftwareSigner};
use cvconnect_core::crypto::DeviceAttestation;

use super::android::AndroidChainBuilder;
use super::apple::AppAttestBuilder;

type Attest = dyn Fn(&[u8], &[u8]) -> Option<DeviceAttestation> + Send + Sync;

/// A software key that attests itself with the test builders.
pub struct AttestingSigner {
    key: SoftwareSigner,
    attest: Box<Attest>,
    challenges: Mutex<Vec<Vec<u8>>>,
}

impl AttestingSigner {
    /// An Android phone: its chain for the challenge, as `tweak` leaves the builder.
    pub fn android(
        tweak: impl Fn(AndroidChainBuilder) -> AndroidChainBuilder + Send + Sync + 'static,
    ) -> Arc<AttestingSigner> {
        Self::with(move |challenge, spki| {
            let chain = tweak(AndroidChainBuilder::new(spki, challenge))
                .build()
                .chain;
            Some(DeviceAttestation::AndroidKey {
                certificate_chain: chain,
            })
        })
    }

    /// An iPhone: an App Attest object for the challenge, as `tweak` leaves the builder.
    pub fn apple(
        tweak: impl Fn(AppAttestBuilder) -> AppAttestBuilder + Send + Sync + 'static,
    ) -> Arc<AttestingSigner> {
        Self::with(move |challenge, spki| {
            let attestation = tweak(AppAttestBuilder::new(challenge, spki)).build();
            Some(DeviceAttestation::AppleAppAttest {
                key_id: attestation.key_id,
                attestation_object: attestation.attestation_object,
            })
        })
    }

    /// A signer that attests with `attest(challenge, its public key)`.
    pub fn with(
        attest: impl Fn(&[u8], &[u8]) -> Option<DeviceAttestation> + Send + Sync + 'static,
    ) -> Arc<AttestingSigner> {
        Arc::new(AttestingSigner {
            key: SoftwareSigner::generate().expect("a P-256 key"),
            attest: Box::new(attest),
            challenges: Mutex::new(Vec::new()),
        })
    }

    /// The challenges the core asked attestations for, in order.
    pub fn challenges(&self) -> Vec<Vec<u8>> {
        self.challenges.lock().expect("not poisoned").clone()
    }

    /// The key's SubjectPublicKeyInfo DER.
    pub fn spki(&self) -> Vec<u8> {
        self.key.public_key_spki()
    }
}

impl DeviceSigner for AttestingSigner {
    fn public_key(&self) -> Result<Vec<u8>, SignerError> {
        self.key.public_key()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.key.sign(message)
    }

    fn attest(&self, challenge: &[u8]) -> Result<Option<DeviceAttestation>, SignerError> {
        self.challenges
            .lock()
            .expect("not poisoned")
            .push(challenge.to_vec());
        Ok((self.attest)(challenge, &self.spki()))
    }
}
