//! Target `sealed_pin`: opening sealed PINs as the sandbox does, with the fixed server
//! key of the `pin_seal` vector so that the vector's block (a seed) opens.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cvconnect_core::crypto::seal::{open_sealed_pin, seal_pin, PinKeyPair, SealedPin};
use cvconnect_core::pin::Pin;

/// Payment id of the `pin_seal` vector of `docs/protocol-vectors.json`.
pub const SEAL_PAYMENT_ID: &str = "pay_demo0001";
/// Nonce of the `pin_seal` vector.
pub const SEAL_NONCE: &str = "C1fFGTac0ufPg2CHeEi5oszGudotFcP5xru1OMsM51g";
/// `wrong_nonce` of the `pin_seal` vector.
pub const SEAL_WRONG_NONCE: &str = "K4TVXk-PcMc_-PEXr31eEL6wQBnlNke_XfnwKOjSEnU";
/// `server_secret_hex` of the `pin_seal` vector: the fixed server key, so the vector's
/// sealed block (a seed) opens.
const SEAL_SERVER_SECRET: [u8; 32] = [
    0xe7, 0x49, 0x23, 0x6e, 0x0d, 0xeb, 0xaf, 0xff, 0x01, 0xcb, 0x2a, 0x82, 0xa4, 0xb7, 0x78, 0xd4,
    0x5a, 0x38, 0x06, 0x64, 0xd6, 0x0f, 0x53, 0xb0, 0x70, 0x3b, 0x4f, 0x4d, 0x3d, 0x0b, 0xeb, 0x52,
];

/// The fixed server PIN key pair of the `sealed_pin` target.
pub fn seal_key() -> &'static PinKeyPair {
    static KEY: OnceLock<PinKeyPair> = OnceLock::new();
    KEY.get_or_init(|| PinKeyPair::from_secret_bytes(SEAL_SERVER_SECRET))
}

/// Opening sealed PINs as the sandbox does (`sandbox/src/routes/beneficiary.rs`
/// `confirm`, then `sandbox/src/store/confirm.rs`).
///
/// The input is tried as a raw block and, when it is text, as the `sealed_pin` JSON
/// field: base64url without padding, 1 to 256 bytes, then opened. Invariants: no
/// panic; an opened block gives 4 to 6 ASCII digits and does not open under another
/// nonce or payment; `SealedPin::from_base64url` accepts only well-formed blocks. Then
/// a PIN drawn from the input is sealed with `seal_pin` and must open to itself.
pub fn sealed_pin(data: &[u8]) {
    check_open(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(block) = URL_SAFE_NO_PAD
            .decode(text.as_bytes())
            .ok()
            .filter(|b| !b.is_empty() && b.len() <= 256)
        {
            check_open(&block);
        }
        if let Ok(sealed) = SealedPin::from_base64url(text) {
            let bytes = sealed.as_bytes();
            assert!((53..=55).contains(&bytes.len()) && bytes[0] == 1, "{text}");
            assert_eq!(sealed.to_base64url(), text);
        }
    }

    // A PIN of 4 to 6 digits drawn from the input seals and opens again.
    let length = 4 + usize::from(data.first().copied().unwrap_or(0) % 3);
    let digits: String = (0..length)
        .map(|i| char::from(b'0' + data.get(i + 1).copied().unwrap_or(0) % 10))
        .collect();
    let key = seal_key();
    let pin = Pin::from_digits(&digits).expect("digits");
    let sealed = seal_pin(pin, &key.public_bytes(), SEAL_PAYMENT_ID, SEAL_NONCE)
        .expect("sealing to a valid key");
    let opened = open_sealed_pin(key, sealed.as_bytes(), SEAL_PAYMENT_ID, SEAL_NONCE)
        .expect("a fresh seal opens");
    assert_eq!(&opened[..], digits.as_bytes());
    assert!(open_sealed_pin(key, sealed.as_bytes(), SEAL_PAYMENT_ID, SEAL_WRONG_NONCE).is_err());
    let round = SealedPin::from_base64url(&sealed.to_base64url()).expect("wire form parses");
    assert_eq!(round, sealed);
}

fn check_open(block: &[u8]) {
    let key = seal_key();
    let Ok(digits) = open_sealed_pin(key, block, SEAL_PAYMENT_ID, SEAL_NONCE) else {
        return;
    };
    assert!((4..=6).contains(&digits.len()), "{} digits", digits.len());
    assert!(digits.iter().all(u8::is_ascii_digit));
    assert!(open_sealed_pin(key, block, SEAL_PAYMENT_ID, SEAL_WRONG_NONCE).is_err());
    assert!(open_sealed_pin(key, block, "pay_demo0002", SEAL_NONCE).is_err());
}
