//! Canonical byte strings that devices sign (protocol.md, "Canonical bytes").
//!
//! Every string is a sequence of fields, each written as its length in bytes
//! (4 bytes, big-endian) followed by the bytes. The first field is a domain tag
//! naming the purpose and version, so a signature made for one purpose can never
//! be replayed for another. Length prefixes make the encoding unambiguous: no two
//! different field lists give the same bytes, whatever the fields contain.

use crate::amount::Amount;
use crate::protocol::wire::PaymentDetail;
use crate::protocol::CURRENCY;

/// Domain tag of the payment confirmation a device signs (§6.1).
pub const CONFIRM_TAG: &str = "cvconnect/confirm/v1";
/// Domain tag of the challenge a device signs for a token (§6.3).
pub const AUTH_TAG: &str = "cvconnect/auth/v1";
/// Domain tag of a request proof (§6.4, protocol v1.1).
pub const REQUEST_TAG: &str = "cvconnect/request/v1";
/// Domain tag of a device revocation (§6.5, protocol v1.1).
pub const REVOKE_TAG: &str = "cvconnect/revoke/v1";
/// Domain tag of the enrollment proof (§6.2).
pub const ENROLL_TAG: &str = "cvconnect/enroll/v1";
/// Domain tag of the client data an iOS App Attest key attests (§5.1.1, protocol v1.2).
pub const ATTEST_TAG: &str = "cvconnect/attest/v1";
/// Domain tag of the PIN seal's associated data (§7).
pub const PIN_SEAL_TAG: &str = "cvconnect/pin-seal/v1";

/// Largest field accepted by [`decode_fields`]; larger lengths are malformed.
const MAX_FIELD_LEN: usize = 4096;

/// Writes length-prefixed fields.
#[derive(Default)]
pub struct FieldWriter {
    bytes: Vec<u8>,
}

impl FieldWriter {
    /// A writer whose first field is the domain `tag`.
    pub fn new(tag: &str) -> Self {
        let mut writer = FieldWriter::default();
        writer.field(tag.as_bytes());
        writer
    }

    /// Appends `value` behind its 4-byte big-endian length. Panics above 4 GiB, which
    /// no protocol field comes near.
    pub fn field(&mut self, value: &[u8]) -> &mut Self {
        let len = u32::try_from(value.len()).expect("canonical field longer than 4 GiB");
        self.bytes.extend_from_slice(&len.to_be_bytes());
        self.bytes.extend_from_slice(value);
        self
    }

    /// The bytes written so far; the writer is left empty.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }
}

/// Splits length-prefixed bytes back into fields. Returns `None` on any
/// truncation, trailing byte or oversized field.
pub fn decode_fields(mut bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut fields = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_first_chunk::<4>()?;
        let len = u32::from_be_bytes(*len) as usize;
        if len > MAX_FIELD_LEN || rest.len() < len {
            return None;
        }
        let (field, rest) = rest.split_at(len);
        fields.push(field);
        bytes = rest;
    }
    Some(fields)
}

/// What a confirmation signature covers. The server rebuilds it from its own
/// record of the payment plus the amount the client claims, so tampering with any
/// field breaks the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationFields {
    /// The payment confirmed.
    pub payment_id: String,
    /// The payment's current single-use nonce, so a signature serves one attempt only.
    pub nonce: String,
    /// The merchant paid.
    pub payee_id: String,
    /// The merchant's name as the screen showed it (UTF-8).
    pub payee_name: String,
    /// The order total.
    pub total: Amount,
    /// What the beneficiary pays in CV Connect (at most `total`).
    pub amount: Amount,
    /// When the request lapses, in Unix seconds, written in decimal.
    pub expires_at: i64,
    /// The signing device.
    pub device_id: String,
    /// SHA-256 of the sealed PIN block (the decoded bytes, not its base64).
    pub sealed_pin_hash: [u8; 32],
}

impl ConfirmationFields {
    /// The fields of a confirmation of `amount` for `detail`, as `device_id`, with the
    /// SHA-256 of the sealed PIN block.
    pub fn for_payment(
        detail: &PaymentDetail,
        amount: Amount,
        device_id: &str,
        sealed_pin_hash: [u8; 32],
    ) -> Self {
        ConfirmationFields {
            payment_id: detail.payment_id.clone(),
            nonce: detail.nonce.clone(),
            payee_id: detail.payee.id.clone(),
            payee_name: detail.payee.name.clone(),
            total: detail.total,
            amount,
            expires_at: detail.expires_at,
            device_id: device_id.to_owned(),
            sealed_pin_hash,
        }
    }

    /// The canonical bytes the device signs: the tag, then the fields in the order of
    /// §6.1, with the currency between `amount` and `expires_at`.
    pub fn encode(&self) -> Vec<u8> {
        FieldWriter::new(CONFIRM_TAG)
            .field(self.payment_id.as_bytes())
            .field(self.nonce.as_bytes())
            .field(self.payee_id.as_bytes())
            .field(self.payee_name.as_bytes())
            .field(self.total.to_plain().as_bytes())
            .field(self.amount.to_plain().as_bytes())
            .field(CURRENCY.as_bytes())
            .field(self.expires_at.to_string().as_bytes())
            .field(self.device_id.as_bytes())
            .field(&self.sealed_pin_hash)
            .finish()
    }

    /// Inverse of [`encode`](Self::encode), for tools and fuzzing.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let fields = decode_fields(bytes)?;
        let [tag, payment_id, nonce, payee_id, payee_name, total, amount, currency, expires_at, device_id, hash] =
            fields.as_slice()
        else {
            return None;
        };
        if *tag != CONFIRM_TAG.as_bytes() || *currency != CURRENCY.as_bytes() {
            return None;
        }
        let text = |b: &[u8]| std::str::from_utf8(b).ok().map(str::to_owned);
        let expires_at: i64 = std::str::from_utf8(expires_at).ok()?.parse().ok()?;
        let fields = ConfirmationFields {
            payment_id: text(payment_id)?,
            nonce: text(nonce)?,
            payee_id: text(payee_id)?,
            payee_name: text(payee_name)?,
            total: Amount::from_plain(std::str::from_utf8(total).ok()?).ok()?,
            amount: Amount::from_plain(std::str::from_utf8(amount).ok()?).ok()?,
            expires_at,
            device_id: text(device_id)?,
            sealed_pin_hash: (*hash).try_into().ok()?,
        };
        // Only the canonical form round-trips (e.g. "+5" for expires_at does not).
        (fields.encode() == bytes).then_some(fields)
    }
}

/// What a device signs to obtain a bearer token.
pub fn auth_bytes(device_id: &str, challenge: &str) -> Vec<u8> {
    FieldWriter::new(AUTH_TAG)
        .field(device_id.as_bytes())
        .field(challenge.as_bytes())
        .finish()
}

/// What a device signs to authenticate one request (§6.4): the method, the request
/// target (path and query, as sent), the SHA-256 of the body bytes (of nothing when
/// there is no body), the time and the proof's single-use id.
pub fn request_bytes(
    device_id: &str,
    method: &str,
    target: &str,
    body_sha256: &[u8; 32],
    timestamp: i64,
    proof_id: &str,
) -> Vec<u8> {
    FieldWriter::new(REQUEST_TAG)
        .field(device_id.as_bytes())
        .field(method.as_bytes())
        .field(target.as_bytes())
        .field(body_sha256)
        .field(timestamp.to_string().as_bytes())
        .field(proof_id.as_bytes())
        .finish()
}

/// What a device signs to revoke another device of its account (§6.5): the revoked
/// device, the account's revocation nonce, the signing device and the SHA-256 of the
/// sealed PIN block.
pub fn revocation_bytes(
    revoked_device_id: &str,
    nonce: &str,
    device_id: &str,
    sealed_pin_hash: &[u8; 32],
) -> Vec<u8> {
    FieldWriter::new(REVOKE_TAG)
        .field(revoked_device_id.as_bytes())
        .field(nonce.as_bytes())
        .field(device_id.as_bytes())
        .field(sealed_pin_hash)
        .finish()
}

/// What a device signs at enrollment, proving it holds the private key.
/// `email` is lowercased and trimmed before encoding.
pub fn enrollment_bytes(email: &str, activation_code: &str, public_key_spki: &[u8]) -> Vec<u8> {
    FieldWriter::new(ENROLL_TAG)
        .field(email.trim().to_lowercase().as_bytes())
        .field(activation_code.as_bytes())
        .field(public_key_spki)
        .finish()
}

/// The client data an App Attest attestation binds (§5.1.1): the server's enrollment
/// challenge and the device's P-256 signing key. The phone passes SHA-256 of these bytes
/// as `clientDataHash` to `attestKey`; the backend recomputes it from the enrollment.
/// (Android Key Attestation takes the raw challenge instead: the Keystore key is created
/// with it, and the certificate it signs names the key itself.)
pub fn attestation_client_data(challenge: &[u8], public_key_spki: &[u8]) -> Vec<u8> {
    FieldWriter::new(ATTEST_TAG)
        .field(challenge)
        .field(public_key_spki)
        .finish()
}

/// Associated data of the PIN seal: binds the sealed block to one payment and nonce.
pub fn pin_seal_aad(payment_id: &str, nonce: &str) -> Vec<u8> {
    FieldWriter::new(PIN_SEAL_TAG)
        .field(payment_id.as_bytes())
        .field(nonce.as_bytes())
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tag field plus one field of `len` bytes.
    fn one_field_of(len: usize) -> Vec<u8> {
        FieldWriter::new("t").field(&vec![7; len]).finish()
    }

    #[test]
    fn a_field_of_the_largest_length_decodes() {
        let bytes = one_field_of(MAX_FIELD_LEN);
        let fields = decode_fields(&bytes).expect("4096 bytes is within bounds");
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[1].len(), MAX_FIELD_LEN);
    }

    #[test]
    fn a_field_one_byte_longer_is_refused_even_when_present() {
        assert_eq!(decode_fields(&one_field_of(MAX_FIELD_LEN + 1)), None);
    }
}
