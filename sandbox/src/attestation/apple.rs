//! iOS App Attest (placeholder, being written).
use super::Verified;
#[derive(Debug, thiserror::Error)]
pub enum AppleError {
    #[error("not implemented")]
    Unimplemented,
}
/// One App Attest attestation to check.
pub struct Input<'a> {
    pub key_id: &'a [u8],
    pub attestation_object: &'a [u8],
    pub challenge: &'a [u8],
    pub device_spki: &'a [u8],
}
pub fn verify(
    _policy: &super::ApplePolicy,
    _input: &Input<'_>,
    _now: i64,
) -> Result<Verified, AppleError> {
    Err(AppleError::Unimplemented)
}
