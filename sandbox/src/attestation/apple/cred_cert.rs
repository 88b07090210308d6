//! What the checks read in the credential certificate (x5c[0]): the nonce Apple's CA
//! certified, and the App Attest public key.

use asn1_rs::{oid, FromDer, OctetString, Oid, Sequence, TaggedExplicit};
use x509_parser::certificate::X509Certificate;
use x509_parser::oid_registry::{OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY};

use super::AppleError;

/// Apple's extension carrying the nonce: `SEQUENCE { [1] EXPLICIT OCTET STRING }`.
const NONCE_OID: Oid<'static> = oid!(1.2.840 .113635 .100 .8 .2);
/// An uncompressed P-256 point: `04 ‖ x ‖ y`.
const P256_POINT_LEN: usize = 65;

/// The nonce in the certificate's extension 1.2.840.113635.100.8.2.
pub fn nonce<'a>(cert: &'a X509Certificate<'_>) -> Result<&'a [u8], AppleError> {
    let extension = cert
        .get_extension_unique(&NONCE_OID)
        .map_err(|_| AppleError::MalformedNonceExtension)?
        .ok_or(AppleError::MissingNonceExtension)?;
    parse_nonce(extension.value).ok_or(AppleError::MalformedNonceExtension)
}

/// The single `[1] EXPLICIT OCTET STRING` of the sequence, with nothing before or after.
fn parse_nonce(der: &[u8]) -> Option<&[u8]> {
    let (after, sequence) = Sequence::from_der(der).ok()?;
    let content = match sequence.content {
        std::borrow::Cow::Borrowed(content) => content,
        std::borrow::Cow::Owned(_) => return None,
    };
    let (inside, tagged) =
        TaggedExplicit::<OctetString, asn1_rs::Error, 1>::from_der(content).ok()?;
    if !after.is_empty() || !inside.is_empty() {
        return None;
    }
    match tagged.into_inner().into_cow() {
        std::borrow::Cow::Borrowed(nonce) => Some(nonce),
        std::borrow::Cow::Owned(_) => None,
    }
}

/// The certified App Attest key as an uncompressed P-256 point, the bytes Apple hashes
/// into the key id.
pub fn p256_point<'a>(cert: &'a X509Certificate<'_>) -> Result<&'a [u8], AppleError> {
    let spki = cert.public_key();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|parameters| parameters.as_oid().ok());
    let point: &[u8] = &spki.subject_public_key.data;
    let is_p256 = spki.algorithm.algorithm == OID_KEY_TYPE_EC_PUBLIC_KEY
        && curve == Some(OID_EC_P256)
        && point.len() == P256_POINT_LEN
        && point[0] == 0x04;
    if is_p256 {
        Ok(point)
    } else {
        Err(AppleError::UnsupportedKey)
    }
}
