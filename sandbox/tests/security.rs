//! Tampering, replays, wrong PINs, device authentication and enrollment rules, against
//! the sandbox over HTTP; one file per topic under `security/`.

#[path = "security/devices.rs"]
mod devices;
#[path = "security/tampering.rs"]
mod tampering;
#[path = "security/wrong_pins.rs"]
mod wrong_pins;

mod common;

use common::*;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_sandbox_client::ClientError;

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A refused confirmation: its code and the attempts it says are left.
fn refusal(err: &ClientError) -> (Option<ErrorCode>, Option<u8>) {
    (err.code(), err.info().unwrap().attempts_left)
}
