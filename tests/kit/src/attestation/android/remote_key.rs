//! The device's public key as rcgen's subject key: the leaf certifies a key whose private
//! half stays in the (here simulated) Keystore, so rcgen gets its public data only.

use rcgen::{PublicKeyData, SignatureAlgorithm, PKCS_ECDSA_P256_SHA256};
use yasna::models::ObjectIdentifier;

/// The device's public key, certified without its private half (the Keystore holds it).
pub(super) struct RemoteP256Key {
    point: Vec<u8>,
}

impl RemoteP256Key {
    /// The EC point of a P-256 SPKI; rcgen writes it back as the very same SPKI.
    pub(super) fn from_spki(spki: &[u8]) -> RemoteP256Key {
        let (point, _bits) = yasna::parse_der(spki, |reader| {
            reader.read_sequence(|seq| {
                let algorithm = seq
                    .next()
                    .read_sequence(|alg| Ok((alg.next().read_oid()?, alg.next().read_oid()?)))?;
                assert_eq!(algorithm, p256_algorithm(), "a P-256 SPKI");
                seq.next().read_bitvec_bytes()
            })
        })
        .expect("a SubjectPublicKeyInfo");
        let key = RemoteP256Key { point };
        assert_eq!(key.subject_public_key_info(), spki, "a DER P-256 SPKI");
        key
    }
}

impl PublicKeyData for RemoteP256Key {
    fn der_bytes(&self) -> &[u8] {
        &self.point
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &PKCS_ECDSA_P256_SHA256
    }
}

/// id-ecPublicKey with the prime256v1 curve.
fn p256_algorithm() -> (ObjectIdentifier, ObjectIdentifier) {
    (
        ObjectIdentifier::from_slice(&[1, 2, 840, 10045, 2, 1]),
        ObjectIdentifier::from_slice(&[1, 2, 840, 10045, 3, 1, 7]),
    )
}
