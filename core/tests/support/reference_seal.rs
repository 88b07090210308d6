//! Protocol.md §7 written out from the text, independently of `crypto::seal`, with the
//! ephemeral secret chosen by the caller (which `seal_pin` never allows).
//!
//! Shared by the vector generator (`examples/gen_vectors.rs`), which prints the values
//! computed here, and the vector tests (`tests/vectors.rs`), which check the library
//! against them: so the vectors cross-check the library rather than echo it. Hex
//! helpers come along, since both sides read and write the vectors' hex.

use ring::{aead, hkdf};

/// HKDF salt of §7 step 2.
const SALT: &[u8] = b"cvconnect/pin-seal/v1";

/// Version byte of a v1 block.
const VERSION: u8 = 0x01;

/// A block sealed by [`seal`], with the intermediate values a vector publishes.
pub struct Sealed {
    /// `E`, the ephemeral public key.
    pub ephemeral_public: [u8; 32],
    /// `Z`, the X25519 shared secret.
    pub shared_secret: [u8; 32],
    /// `K`, the ChaCha20-Poly1305 key.
    pub key: [u8; 32],
    /// `0x01 ‖ E ‖ C`.
    pub block: Vec<u8>,
}

/// Seals `pin` to `server_public` with `ephemeral_secret`, under `aad` (§7 steps 1-5).
pub fn seal(ephemeral_secret: [u8; 32], server_public: [u8; 32], pin: &[u8], aad: &[u8]) -> Sealed {
    let e = x25519_dalek::StaticSecret::from(ephemeral_secret);
    let ephemeral_public = x25519_dalek::PublicKey::from(&e).to_bytes();
    let shared_secret = e
        .diffie_hellman(&x25519_dalek::PublicKey::from(server_public))
        .to_bytes();
    let key = derive_key(&shared_secret, &ephemeral_public, &server_public);
    let mut c = pin.to_vec();
    aead_key(&key)
        .seal_in_place_append_tag(zero_nonce(), aead::Aad::from(aad), &mut c)
        .expect("seal");
    let mut block = vec![VERSION];
    block.extend_from_slice(&ephemeral_public);
    block.extend_from_slice(&c);
    Sealed {
        ephemeral_public,
        shared_secret,
        key,
        block,
    }
}

/// Opens `block` with `server_secret` under `aad`; `None` when it does not open.
pub fn open(server_secret: [u8; 32], block: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    let (&version, rest) = block.split_first()?;
    if version != VERSION {
        return None;
    }
    let (ephemeral_public, c) = rest.split_first_chunk::<32>()?;
    let s = x25519_dalek::StaticSecret::from(server_secret);
    let server_public = x25519_dalek::PublicKey::from(&s).to_bytes();
    let z = s.diffie_hellman(&x25519_dalek::PublicKey::from(*ephemeral_public));
    let key = derive_key(z.as_bytes(), ephemeral_public, &server_public);
    let mut buffer = c.to_vec();
    let len = aead_key(&key)
        .open_in_place(zero_nonce(), aead::Aad::from(aad), &mut buffer)
        .ok()?
        .len();
    buffer.truncate(len);
    Some(buffer)
}

/// `K = HKDF-SHA-256(salt, ikm = Z, info = E ‖ S)`.
fn derive_key(z: &[u8], ephemeral_public: &[u8; 32], server_public: &[u8; 32]) -> [u8; 32] {
    let mut key = [0u8; 32];
    hkdf::Salt::new(hkdf::HKDF_SHA256, SALT)
        .extract(z)
        .expand(&[ephemeral_public, server_public], hkdf::HKDF_SHA256)
        .expect("hkdf")
        .fill(&mut key)
        .expect("hkdf fill");
    key
}

fn aead_key(key: &[u8; 32]) -> aead::LessSafeKey {
    aead::LessSafeKey::new(aead::UnboundKey::new(&aead::CHACHA20_POLY1305, key).expect("key"))
}

/// The all-zero AEAD nonce: each key seals one message only.
fn zero_nonce() -> aead::Nonce {
    aead::Nonce::assume_unique_for_key([0; aead::NONCE_LEN])
}

/// Lowercase hex, as the vectors write bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Inverse of [`hex`]; panics on anything else (the vectors are ours).
pub fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}
