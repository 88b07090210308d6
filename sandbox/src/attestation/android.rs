//! Android Key Attestation (placeholder, being written).
use super::{SecurityLevel, Verified};
#[derive(Debug, thiserror::Error)]
pub enum AndroidError {
    #[error("not implemented")]
    Unimplemented,
}
pub fn verify(
    _policy: &super::AndroidPolicy,
    _chain: &[Vec<u8>],
    _challenge: &[u8],
    _device_spki: &[u8],
    _now: i64,
) -> Result<Verified, AndroidError> {
    let _ = SecurityLevel::StrongBox;
    Err(AndroidError::Unimplemented)
}
