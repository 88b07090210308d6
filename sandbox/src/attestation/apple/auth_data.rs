//! The authenticator data of an App Attest attestation, laid out as WebAuthn's
//! (https://www.w3.org/TR/webauthn-2/#sctn-authenticator-data):
//!
//! | bytes | field |
//! |---|---|
//! | 32 | rpIdHash: SHA-256 of the App ID (`team_id.bundle_id`) |
//! | 1 | flags (App Attest sets AT, attested credential data, and nothing else) |
//! | 4 | signCount, big-endian: 0 at attestation |
//! | 16 | aaguid: `appattestdevelop` or `appattest` + 7 zero bytes |
//! | 2 | credentialId length L, big-endian |
//! | L | credentialId: the key id, SHA-256 of the key's uncompressed point |
//! | rest | credentialPublicKey, a COSE_Key (EC2, P-256) |
//!
//! Every read is bounds-checked: a short buffer is `TruncatedAuthData`, never a panic.

use ciborium::Value;

use super::AppleError;

/// Flag bit: attested credential data included.
const FLAG_ATTESTED_CREDENTIAL: u8 = 0x40;
/// Flag bit: extension data follows the credential public key.
const FLAG_EXTENSIONS: u8 = 0x80;
/// COSE_Key labels and values (RFC 9053): kty EC2, crv P-256, alg ES256.
const COSE_KTY: i128 = 1;
const COSE_ALG: i128 = 3;
const COSE_CRV: i128 = -1;
const COSE_X: i128 = -2;
const COSE_Y: i128 = -3;
const KTY_EC2: i128 = 2;
const CRV_P256: i128 = 1;
const ALG_ES256: i128 = -7;
/// A COSE_Key nests one level; anything deeper is not one.
const COSE_MAX_DEPTH: usize = 2;

/// The fields of the authenticator data.
#[derive(Debug)]
pub struct AuthData {
    pub rp_id_hash: [u8; 32],
    pub sign_count: u32,
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    /// The credential public key as an uncompressed SEC1 point (`04 ‖ x ‖ y`).
    pub public_key_point: Vec<u8>,
}

/// Parses `bytes` as App Attest authenticator data.
pub fn parse(bytes: &[u8]) -> Result<AuthData, AppleError> {
    let mut rest = bytes;
    let rp_id_hash = array(take(&mut rest, 32)?);
    let flags = take(&mut rest, 1)?[0];
    let sign_count = u32::from_be_bytes(array(take(&mut rest, 4)?));
    let aaguid = array(take(&mut rest, 16)?);
    if flags & FLAG_ATTESTED_CREDENTIAL == 0 {
        return Err(AppleError::MalformedAuthData);
    }
    let id_len = u16::from_be_bytes(array(take(&mut rest, 2)?));
    let credential_id = take(&mut rest, usize::from(id_len))?.to_vec();
    let public_key_point = cose_p256_point(&mut rest)?;
    if flags & FLAG_EXTENSIONS == 0 && !rest.is_empty() {
        return Err(AppleError::MalformedAuthData);
    }
    Ok(AuthData {
        rp_id_hash,
        sign_count,
        aaguid,
        credential_id,
        public_key_point,
    })
}

/// The next `len` bytes of `rest`, or `TruncatedAuthData`.
fn take<'a>(rest: &mut &'a [u8], len: usize) -> Result<&'a [u8], AppleError> {
    if rest.len() < len {
        return Err(AppleError::TruncatedAuthData);
    }
    let (head, tail) = rest.split_at(len);
    *rest = tail;
    Ok(head)
}

/// A slice of known length as an array (lengths are fixed by the callers' `take`).
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(bytes);
    out
}

/// Reads the COSE_Key at the start of `rest` and returns its point `04 ‖ x ‖ y`.
fn cose_p256_point(rest: &mut &[u8]) -> Result<Vec<u8>, AppleError> {
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut *rest, COSE_MAX_DEPTH)
        .map_err(|error| match error {
        ciborium::de::Error::Io(_) => AppleError::TruncatedAuthData,
        _ => AppleError::MalformedAuthData,
    })?;
    let map = value.as_map().ok_or(AppleError::MalformedAuthData)?;
    let integer = |label| cose_entry(map, label)?.as_integer().map(i128::from);
    let coordinate = |label| {
        cose_entry(map, label)?
            .as_bytes()
            .filter(|bytes| bytes.len() == 32)
    };
    let alg_ok = cose_entry(map, COSE_ALG).is_none() || integer(COSE_ALG) == Some(ALG_ES256);
    match (
        integer(COSE_KTY),
        integer(COSE_CRV),
        coordinate(COSE_X),
        coordinate(COSE_Y),
    ) {
        (Some(KTY_EC2), Some(CRV_P256), Some(x), Some(y)) if alg_ok && no_duplicates(map) => {
            Ok([&[0x04][..], x, y].concat())
        }
        _ => Err(AppleError::MalformedAuthData),
    }
}

/// The value under the integer label `label`, if any.
fn cose_entry(map: &[(Value, Value)], label: i128) -> Option<&Value> {
    map.iter()
        .find(|(key, _)| key.as_integer().map(i128::from) == Some(label))
        .map(|(_, value)| value)
}

/// Whether no label appears twice (a key with two x coordinates is no key).
fn no_duplicates(map: &[(Value, Value)]) -> bool {
    map.iter()
        .enumerate()
        .all(|(index, (key, _))| map[..index].iter().all(|(earlier, _)| earlier != key))
}
