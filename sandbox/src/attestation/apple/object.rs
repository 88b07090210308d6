//! The attestation object's CBOR envelope, as `attestKey` returns it:
//! `{ "fmt": "apple-appattest", "attStmt": { "x5c": [credCert, CA...], "receipt": bytes },
//! "authData": bytes }` (WebAuthn's attestation object with Apple's statement format).
//!
//! Decoded with ciborium into a generic value, then walked by hand so that every shape
//! error is one precise refusal and nothing is read beyond the bounds below.

use ciborium::Value;

use super::AppleError;

/// The only statement format App Attest emits.
pub const FORMAT: &str = "apple-appattest";
/// Largest attestation object accepted: a real one is about 5 KB (two certificates and
/// a receipt of a few KB); anything far larger is refused before it is decoded.
pub const MAX_OBJECT_LEN: usize = 32 * 1024;
/// Nesting accepted while decoding (the real object nests three levels).
const MAX_DEPTH: usize = 16;
/// x5c holds the credential certificate and Apple's intermediate; a few more are tolerated.
const MAX_CERTIFICATES: usize = 4;

/// The parts of the attestation object that the checks read (the receipt is not one of
/// them: it serves Apple's fraud-risk service, which this backend does not call).
#[derive(Debug)]
pub struct AttestationObject {
    /// DER certificates, credential certificate first.
    pub x5c: Vec<Vec<u8>>,
    pub auth_data: Vec<u8>,
}

/// Decodes `bytes` into the statement's parts; the format must be App Attest's.
pub fn decode(bytes: &[u8]) -> Result<AttestationObject, AppleError> {
    if bytes.len() > MAX_OBJECT_LEN {
        return Err(AppleError::TooLarge);
    }
    let mut rest = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_DEPTH)
        .map_err(|_| AppleError::MalformedCbor)?;
    if !rest.is_empty() {
        return Err(AppleError::MalformedCbor);
    }
    let top = value.as_map().ok_or(AppleError::MalformedCbor)?;
    let fmt = entry(top, "fmt")?
        .as_text()
        .ok_or(AppleError::MalformedCbor)?;
    if fmt != FORMAT {
        return Err(AppleError::WrongFormat);
    }
    let statement = entry(top, "attStmt")?
        .as_map()
        .ok_or(AppleError::MalformedCbor)?;
    Ok(AttestationObject {
        x5c: certificates(entry(statement, "x5c")?)?,
        auth_data: bytes_of(entry(top, "authData")?)?,
    })
}

/// The value under the text key `name`, which must appear exactly once.
fn entry<'a>(map: &'a [(Value, Value)], name: &str) -> Result<&'a Value, AppleError> {
    let mut found = map
        .iter()
        .filter(|(key, _)| key.as_text() == Some(name))
        .map(|(_, value)| value);
    match (found.next(), found.next()) {
        (Some(value), None) => Ok(value),
        _ => Err(AppleError::MalformedCbor),
    }
}

/// x5c: a non-empty, bounded array of byte strings.
fn certificates(value: &Value) -> Result<Vec<Vec<u8>>, AppleError> {
    let items = value.as_array().ok_or(AppleError::MalformedCbor)?;
    if items.is_empty() || items.len() > MAX_CERTIFICATES {
        return Err(AppleError::MalformedCbor);
    }
    items.iter().map(bytes_of).collect()
}

fn bytes_of(value: &Value) -> Result<Vec<u8>, AppleError> {
    value.as_bytes().cloned().ok_or(AppleError::MalformedCbor)
}
