//! The account's devices (protocol.md §5.9, v1.1): the list and a revocation.

use serde::{Deserialize, Serialize};

use super::{PinKey, Platform};

/// One device of the account, in `GET /v1/devices` (v1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSummary {
    /// The device's id.
    pub device_id: String,
    /// The platform it enrolled from.
    pub platform: Platform,
    /// The name the user chose at enrollment, if any.
    pub name: Option<String>,
    /// When it enrolled, in Unix seconds.
    pub enrolled_at: i64,
    /// When it last made an authenticated request, if ever.
    pub last_used_at: Option<i64>,
    /// True for the device that asks.
    pub current: bool,
    /// What its attestation proved at enrollment (v1.2); absent when it had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<super::DeviceAttestationSummary>,
}

/// `GET /v1/devices` (v1.1): the account's devices, and what a revocation needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceList {
    /// The enrolled devices, oldest first; revoked ones are gone.
    pub devices: Vec<DeviceSummary>,
    /// The account's current single-use revocation nonce (base64url of 32 bytes).
    pub nonce: String,
    /// The key to seal the PIN to.
    pub pin_key: PinKey,
    /// Digits of the account's PIN.
    pub pin_length: u8,
    /// Wrong PINs still allowed before the PIN locks.
    pub attempts_left: u8,
}

/// `POST /v1/devices/{device_id}/revoke` (v1.1): the PIN, sealed, and the signature of
/// the asking device over `canonical::revocation_bytes`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// The nonce of the device list read just before.
    pub nonce: String,
    /// base64url of the PIN sealed with the revoked device's id and the nonce (§7).
    pub sealed_pin: String,
    /// base64url DER ECDSA signature over the revocation bytes (§6.5).
    pub signature: String,
}

/// Answer `200` of a revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeResponse {
    /// The device revoked.
    pub device_id: String,
    /// When, in Unix seconds.
    pub revoked_at: i64,
}
