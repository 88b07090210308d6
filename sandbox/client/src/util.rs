//! Random ids and base64url, as the sandbox writes them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh opaque id: `prefix` followed by 16 random bytes in base64url.
pub(crate) fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random generator failed");
    format!("{prefix}{}", b64url(&bytes))
}
