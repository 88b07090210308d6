//! X.509 chain walking shared by both platforms.
//!
//! # Why
//!
//! Android Key Attestation and iOS App Attest both hand the backend a certificate chain,
//! leaf first, that must lead to a configured root. The walk is the same for both, and
//! every step is a refusal with its own typed reason, so it is written once here:
//!
//! 1. bounded input: at most [`MAX_CHAIN_LEN`] certificates of at most [`MAX_CERT_LEN`]
//!    bytes each (untrusted input, parsed before anything is trusted);
//! 2. each certificate parses as DER X.509 with no trailing bytes (x509-parser, and
//!    the tags of its unsigned framing, which x509-parser lets pass);
//! 3. each certificate's signature verifies with the next one's public key, and that next
//!    one is a CA when it says so (basicConstraints `cA` FALSE is refused; an absent
//!    extension is accepted, as on old Keymaster intermediates);
//! 4. the last certificate is one of the roots (byte-equal, as Android sends its root), or
//!    is signed by one of them (as App Attest's x5c, which stops below Apple's root);
//! 5. every certificate of the chain is valid at `now` (expired and not yet valid are
//!    distinct errors).
//!
//! A configured root is a trust anchor (RFC 5280 §6.1.1): its key is trusted, its own
//! dates are the operator's concern and are not checked. Names are not chained (issuer of
//! one against subject of the next): the signatures are what bind the chain, and some
//! devices encode the same name differently across their certificates.
//!
//! Revocation is the platforms' business: [`serial_forms`] gives a certificate's serial in
//! the forms Google's attestation status list may use.

use asn1_rs::{Any, Class, Tag};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

/// Most certificates a chain may hold (Android sends 3 to 5 with its root, App Attest 2).
pub const MAX_CHAIN_LEN: usize = 6;
/// Largest certificate accepted, in bytes (real attestation certificates are under 2 KiB;
/// Google's RSA-4096 root is about 1.4 KiB).
pub const MAX_CERT_LEN: usize = 16 * 1024;

/// Why a certificate chain does not verify. `index` counts from the leaf (0).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("empty certificate chain")]
    Empty,
    #[error("certificate chain of {len} certificates, more than allowed")]
    TooLong { len: usize },
    #[error("certificate {index} is larger than allowed")]
    TooLarge { index: usize },
    #[error("certificate {index} is not DER X.509")]
    Malformed { index: usize },
    #[error("configured root {index} is not DER X.509")]
    MalformedRoot { index: usize },
    #[error("certificate {index} is not signed by the next certificate's key")]
    BadSignature { index: usize },
    #[error("certificate {index} signs another but is not a CA")]
    NotCa { index: usize },
    #[error("the chain does not lead to a configured root")]
    UntrustedRoot,
    #[error("certificate {index} has expired")]
    Expired { index: usize },
    #[error("certificate {index} is not yet valid")]
    NotYetValid { index: usize },
}

/// A chain that verified, leaf first, with the configured root it leads to.
#[derive(Debug)]
pub struct VerifiedChain<'a> {
    certs: Vec<X509Certificate<'a>>,
}

impl<'a> VerifiedChain<'a> {
    /// The certificate that certifies the attested key.
    pub fn leaf(&self) -> &X509Certificate<'a> {
        &self.certs[0]
    }

    /// Every certificate of the chain as sent, leaf first.
    pub fn certs(&self) -> &[X509Certificate<'a>] {
        &self.certs
    }
}

/// The forms under which Google's attestation status list may name a certificate:
/// lowercase hex without leading zeros (`"0"` for zero) of the DER INTEGER's bytes read
/// unsigned and, for a negative serial (a DER encoding bug of some old devices), also
/// Java's `BigInteger.toString(16)` of it, a minus sign and the magnitude. Which of the
/// two the list uses for such a serial is not documented, so both are looked up.
pub fn serial_forms(cert: &X509Certificate<'_>) -> Vec<String> {
    serial_forms_of(cert.raw_serial())
}

fn serial_forms_of(raw: &[u8]) -> Vec<String> {
    let unsigned = canonical_serial(&hex(raw));
    if raw.first().is_none_or(|first| first & 0x80 == 0) {
        return vec![unsigned];
    }
    vec![
        unsigned,
        format!("-{}", canonical_serial(&hex(&negated(raw)))),
    ]
}

/// The two's complement of big-endian `bytes`: the magnitude of a negative INTEGER.
fn negated(bytes: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = bytes.iter().map(|byte| !byte).collect();
    for byte in out.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            break;
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A hex serial in the status list's form: lowercase, without leading zeros, a leading
/// minus sign kept.
pub fn canonical_serial(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", text),
    };
    let lower = digits.to_ascii_lowercase();
    match lower.trim_start_matches('0') {
        "" => "0".to_owned(),
        trimmed => format!("{sign}{trimmed}"),
    }
}

/// Verifies `chain` (DER, leaf first) up to one of `roots` (DER) at `now` (Unix seconds).
pub fn verify_chain<'a>(
    chain: &'a [Vec<u8>],
    roots: &[Vec<u8>],
    now: i64,
) -> Result<VerifiedChain<'a>, ChainError> {
    let certs = parse_chain(chain)?;
    for (index, pair) in certs.windows(2).enumerate() {
        check_link(index, &pair[0], &pair[1])?;
    }
    check_anchor(chain, &certs, roots)?;
    for (index, cert) in certs.iter().enumerate() {
        check_validity(index, cert, now)?;
    }
    Ok(VerifiedChain { certs })
}

fn parse_chain(chain: &[Vec<u8>]) -> Result<Vec<X509Certificate<'_>>, ChainError> {
    if chain.is_empty() {
        return Err(ChainError::Empty);
    }
    if chain.len() > MAX_CHAIN_LEN {
        return Err(ChainError::TooLong { len: chain.len() });
    }
    chain
        .iter()
        .enumerate()
        .map(|(index, der)| {
            if der.len() > MAX_CERT_LEN {
                return Err(ChainError::TooLarge { index });
            }
            parse_exact(der).ok_or(ChainError::Malformed { index })
        })
        .collect()
}

/// One certificate, with nothing after it.
fn parse_exact(der: &[u8]) -> Option<X509Certificate<'_>> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) if framing_is_der(der) => Some(cert),
        _ => None,
    }
}

/// The certificate's unsigned framing has its DER tags: `SEQUENCE { SEQUENCE (tbs),
/// SEQUENCE { OID, ... } (signatureAlgorithm), BIT STRING }`. x509-parser does not check
/// those tags, which no signature covers: without this, one signed certificate would have
/// several accepted encodings.
fn framing_is_der(der: &[u8]) -> bool {
    let Ok(([], certificate)) = Any::from_der(der) else {
        return false;
    };
    let Ok((rest, tbs)) = Any::from_der(certificate.data) else {
        return false;
    };
    let Ok((rest, algorithm)) = Any::from_der(rest) else {
        return false;
    };
    let Ok(([], signature)) = Any::from_der(rest) else {
        return false;
    };
    let Ok((_, algorithm_oid)) = Any::from_der(algorithm.data) else {
        return false;
    };
    [
        (certificate, Tag::Sequence),
        (tbs, Tag::Sequence),
        (algorithm, Tag::Sequence),
        (algorithm_oid, Tag::Oid),
        (signature, Tag::BitString),
    ]
    .into_iter()
    .all(|(any, tag)| {
        let constructed = tag == Tag::Sequence;
        any.class() == Class::Universal
            && any.tag() == tag
            && any.header.is_constructed() == constructed
    })
}

/// `cert` (at `index`) is signed by `issuer`, which may sign certificates.
fn check_link(
    index: usize,
    cert: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
) -> Result<(), ChainError> {
    cert.verify_signature(Some(issuer.public_key()))
        .map_err(|_| ChainError::BadSignature { index })?;
    if !may_sign_certificates(issuer) {
        return Err(ChainError::NotCa { index: index + 1 });
    }
    Ok(())
}

/// A CA by basicConstraints, or a certificate without that extension (old Keymaster
/// intermediates); a malformed or duplicated extension is refused.
fn may_sign_certificates(cert: &X509Certificate<'_>) -> bool {
    match cert.basic_constraints() {
        Ok(Some(constraints)) => constraints.value.ca,
        Ok(None) => true,
        Err(_) => false,
    }
}

/// The chain's last certificate is a configured root or is signed by one.
fn check_anchor(
    chain: &[Vec<u8>],
    certs: &[X509Certificate<'_>],
    roots: &[Vec<u8>],
) -> Result<(), ChainError> {
    let last_der = &chain[chain.len() - 1];
    let last = &certs[certs.len() - 1];
    if roots.iter().any(|root| root == last_der) {
        return Ok(());
    }
    for (index, root_der) in roots.iter().enumerate() {
        let root = parse_exact(root_der).ok_or(ChainError::MalformedRoot { index })?;
        if last.verify_signature(Some(root.public_key())).is_ok() {
            return Ok(());
        }
    }
    Err(ChainError::UntrustedRoot)
}

fn check_validity(index: usize, cert: &X509Certificate<'_>, now: i64) -> Result<(), ChainError> {
    let validity = cert.validity();
    if now < validity.not_before.timestamp() {
        return Err(ChainError::NotYetValid { index });
    }
    if now > validity.not_after.timestamp() {
        return Err(ChainError::Expired { index });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_positive_serial_has_one_form_without_leading_zeros() {
        assert_eq!(serial_forms_of(&[0x00, 0x2c, 0x8c, 0xdd]), ["2c8cdd"]);
        assert_eq!(serial_forms_of(&[0x01]), ["1"]);
        assert_eq!(serial_forms_of(&[0x00]), ["0"]);
    }

    #[test]
    fn a_negative_serial_is_also_looked_up_as_java_writes_it() {
        // 0xff01 is -255 in two's complement: BigInteger.toString(16) gives "-ff".
        assert_eq!(serial_forms_of(&[0xff, 0x01]), ["ff01", "-ff"]);
        // 0x80 00 is -32768: the carry runs through every byte.
        assert_eq!(serial_forms_of(&[0x80, 0x00]), ["8000", "-8000"]);
        assert_eq!(serial_forms_of(&[0xff]), ["ff", "-1"]);
    }

    #[test]
    fn status_list_serials_are_canonical_with_their_sign() {
        assert_eq!(canonical_serial("002C8cDD"), "2c8cdd");
        assert_eq!(canonical_serial("-00FF"), "-ff");
        assert_eq!(canonical_serial("000"), "0");
        assert_eq!(canonical_serial("-0"), "0");
    }
}
