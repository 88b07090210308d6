//! Request proofs (protocol v1.1, §5.2 and §6.4): each request of a device carries a
//! signature, by its enrolled key, over the request itself.
//!
//! # Why
//!
//! Protocol v1 authenticates a device with a bearer token obtained by signing a server
//! challenge: two round trips before the first useful request, and a token that works
//! for whoever holds it. A proof costs no round trip (a push to the screen is TCP, TLS
//! and one request) and is bound to its sender, its method, target and body, a time
//! window and a single use, in the spirit of DPoP (RFC 9449) but over the protocol's
//! own canonical bytes instead of a JWT, so that no JOSE parser is needed on either side.
//!
//! The header is `Authorization: CVC-Proof <device_id>.<timestamp>.<proof_id>.<signature>`:
//! none of the four parts can hold a dot (ids and base64url have no dot, the timestamp
//! is digits), so the split is unambiguous.

use crate::protocol::canonical::request_bytes;

/// The authorization scheme of a request proof.
pub const PROOF_SCHEME: &str = "CVC-Proof";

/// Answers carry the server's clock in this header (Unix seconds), so that a device
/// whose clock drifts can date its next proof in the server's time.
pub const SERVER_TIME_HEADER: &str = "cvc-server-time";

/// How far a proof's timestamp may be from the server's clock, either way.
pub const PROOF_WINDOW_SECS: i64 = 90;

/// Length of a proof id: base64url of 16 random bytes.
pub const PROOF_ID_LEN: usize = 22;

/// The parts of a request proof, as sent in the `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestProof {
    /// The signing device.
    pub device_id: String,
    /// When the device made it, in the server's time as the device estimates it.
    pub timestamp: i64,
    /// Single use: base64url of 16 random bytes.
    pub proof_id: String,
    /// base64url of the DER ECDSA P-256 SHA-256 signature over [`RequestProof::signed_bytes`].
    pub signature: String,
}

impl RequestProof {
    /// The bytes the signature covers, for this request.
    pub fn signed_bytes(&self, method: &str, target: &str, body_sha256: &[u8; 32]) -> Vec<u8> {
        request_bytes(
            &self.device_id,
            method,
            target,
            body_sha256,
            self.timestamp,
            &self.proof_id,
        )
    }

    /// The `Authorization` header's value.
    pub fn header_value(&self) -> String {
        format!(
            "{PROOF_SCHEME} {}.{}.{}.{}",
            self.device_id, self.timestamp, self.proof_id, self.signature
        )
    }

    /// Reads an `Authorization` header's value; `None` unless it is a well-formed proof
    /// (the scheme, four non-empty parts in their charsets, a canonical timestamp).
    pub fn parse(header: &str) -> Option<RequestProof> {
        let (scheme, value) = header.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case(PROOF_SCHEME) || value.len() > 512 {
            return None;
        }
        let mut parts = value.split('.');
        let (device_id, timestamp, proof_id, signature) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let is_b64url = |s: &str| {
            !s.is_empty()
                && s.len() <= 128
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let is_canonical_number = !timestamp.is_empty()
            && timestamp.len() <= 12
            && timestamp.bytes().all(|b| b.is_ascii_digit())
            && (timestamp == "0" || !timestamp.starts_with('0'));
        if !is_b64url(device_id)
            || device_id.len() > 64
            || !is_canonical_number
            || proof_id.len() != PROOF_ID_LEN
            || !is_b64url(proof_id)
            || !is_b64url(signature)
        {
            return None;
        }
        Some(RequestProof {
            device_id: device_id.to_owned(),
            timestamp: timestamp.parse().ok()?,
            proof_id: proof_id.to_owned(),
            signature: signature.to_owned(),
        })
    }
}

/// SHA-256 of a request body (of nothing for a request without one).
pub fn body_sha256(body: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof() -> RequestProof {
        RequestProof {
            device_id: "dev_demo0001".into(),
            timestamp: 1_790_000_000,
            proof_id: "AAAAAAAAAAAAAAAAAAAAAA".into(),
            signature: "MEUCIQ".into(),
        }
    }

    #[test]
    fn a_header_reads_back_as_the_proof_it_was_made_from() {
        let header = proof().header_value();
        assert_eq!(
            header,
            "CVC-Proof dev_demo0001.1790000000.AAAAAAAAAAAAAAAAAAAAAA.MEUCIQ"
        );
        assert_eq!(RequestProof::parse(&header), Some(proof()));
    }

    #[test]
    fn malformed_headers_are_not_proofs() {
        for header in [
            "Bearer abc",
            "CVC-Proof",
            "CVC-Proof dev.1.AAAAAAAAAAAAAAAAAAAAAA",
            "CVC-Proof dev.1.AAAAAAAAAAAAAAAAAAAAAA.sig.extra",
            "CVC-Proof dev.01.AAAAAAAAAAAAAAAAAAAAAA.sig",
            "CVC-Proof dev.-1.AAAAAAAAAAAAAAAAAAAAAA.sig",
            "CVC-Proof dev.+1.AAAAAAAAAAAAAAAAAAAAAA.sig",
            "CVC-Proof dev.1.short.sig",
            "CVC-Proof de v.1.AAAAAAAAAAAAAAAAAAAAAA.sig",
            "CVC-Proof dev.1.AAAAAAAAAAAAAAAAAAAAAA.s=g",
            "CVC-Proof .1.AAAAAAAAAAAAAAAAAAAAAA.sig",
            "CVC-Proof dev.99999999999999.AAAAAAAAAAAAAAAAAAAAAA.sig",
        ] {
            assert_eq!(RequestProof::parse(header), None, "{header}");
        }
    }

    #[test]
    fn the_signed_bytes_cover_method_target_body_time_and_id() {
        let base = proof().signed_bytes("GET", "/v1/balance", &body_sha256(b""));
        let mut later = proof();
        later.timestamp += 1;
        let mut other_id = proof();
        other_id.proof_id = "BAAAAAAAAAAAAAAAAAAAAA".into();
        for changed in [
            proof().signed_bytes("POST", "/v1/balance", &body_sha256(b"")),
            proof().signed_bytes("GET", "/v1/payments", &body_sha256(b"")),
            proof().signed_bytes("GET", "/v1/balance", &body_sha256(b"{}")),
            later.signed_bytes("GET", "/v1/balance", &body_sha256(b"")),
            other_id.signed_bytes("GET", "/v1/balance", &body_sha256(b"")),
        ] {
            assert_ne!(changed, base);
        }
    }
}
