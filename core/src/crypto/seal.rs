//! PIN sealing (protocol.md §7): the device encrypts the PIN to the backend's X25519
//! PIN key so that the digits never travel in clear, not even inside TLS.
//!
//! # Why this shape
//!
//! - **Defence in depth over TLS.** A TLS-terminating proxy, a request log or a
//!   debugging tool on the server side never sees the digits: only the holder of the
//!   PIN key can open the block.
//! - **Bound to one attempt.** The associated data is the payment id and the payment's
//!   current single-use nonce, so a block captured from one confirmation cannot be
//!   replayed for another payment or a later attempt. The block's SHA-256 is also a
//!   field of the signed confirmation bytes, so the device signature covers it.
//! - **One fixed construction, no negotiation.** X25519 + HKDF-SHA-256 +
//!   ChaCha20-Poly1305, version byte `0x01`. The AEAD nonce is all zeros, which is safe
//!   because every seal draws a fresh ephemeral key and so a fresh AEAD key.
//! - **Digits are wiped.** [`seal_pin`] consumes the [`Pin`] and copies the digits only
//!   into a zeroizing buffer that is encrypted in place; [`open_sealed_pin`] returns the
//!   digits in a zeroizing buffer too. Buffers get their final capacity up front so
//!   that no reallocation leaves a stray copy behind.
//! - **Opening is server-side only.** [`PinKeyPair`] and [`open_sealed_pin`] are behind
//!   the `backend` feature (the sandbox); the mobile library cannot open blocks.
//! - **No panics on any input.** Every length is checked before slicing; every
//!   failure is a [`SealError`].

use base64::Engine as _;
use ring::{aead, agreement, hkdf, rand::SystemRandom};
use zeroize::Zeroizing;

use crate::pin::Pin;
use crate::protocol::canonical;

/// Version byte that starts every sealed block of protocol v1.
pub const SEAL_VERSION: u8 = 1;
/// Shortest PIN the protocol allows.
pub const MIN_PIN_LEN: usize = 4;
/// Longest PIN the protocol allows.
pub const MAX_PIN_LEN: usize = 6;

/// HKDF salt (§7 step 2).
const HKDF_SALT: &[u8] = b"cvconnect/pin-seal/v1";
/// Length of an X25519 public key.
const X25519_LEN: usize = 32;
/// Version byte and ephemeral public key.
const HEADER_LEN: usize = 1 + X25519_LEN;
/// Poly1305 tag length.
const TAG_LEN: usize = 16;
/// Shortest and longest valid sealed blocks.
const MIN_SEALED_LEN: usize = HEADER_LEN + MIN_PIN_LEN + TAG_LEN;
const MAX_SEALED_LEN: usize = HEADER_LEN + MAX_PIN_LEN + TAG_LEN;
/// Longest base64url text of a valid block, checked before decoding.
const MAX_SEALED_B64_LEN: usize = MAX_SEALED_LEN.div_ceil(3) * 4;

/// Why sealing or opening failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The server PIN key is not a usable X25519 public key (wrong length, or a
    /// low-order point giving an all-zero shared secret).
    #[error("invalid server PIN key")]
    InvalidServerKey,
    /// The block (or the PIN to seal) does not have the expected structure: bad
    /// base64url, wrong length, not 4 to 6 ASCII digits.
    #[error("malformed sealed PIN")]
    Malformed,
    /// The block starts with a version byte this code does not know.
    #[error("unsupported sealed PIN version {version}")]
    UnsupportedVersion { version: u8 },
    /// The block did not authenticate: wrong key, wrong payment or nonce, tampering.
    #[error("sealed PIN does not open")]
    OpenFailed,
    /// The cryptographic library failed (randomness, key setup).
    #[error("cryptographic failure")]
    Crypto,
}

/// A sealed PIN block: `0x01 ‖ E ‖ C` (§7 step 5). Not secret: it can be logged and
/// stored, only the PIN key opens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPin(Vec<u8>);

impl SealedPin {
    /// The raw block.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The block as sent on the wire: base64url without padding.
    pub fn to_base64url(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.0)
    }

    /// Parses the wire form. Checks the version byte and the length (a 4 to 6 digit
    /// PIN), not the authenticity: that is [`open_sealed_pin`]'s job.
    pub fn from_base64url(text: &str) -> Result<Self, SealError> {
        if text.len() > MAX_SEALED_B64_LEN {
            return Err(SealError::Malformed);
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| SealError::Malformed)?;
        split_block(&bytes)?;
        Ok(SealedPin(bytes))
    }

    /// SHA-256 of the raw block: field 10 of the confirmation bytes (§6.1).
    pub fn sha256(&self) -> [u8; 32] {
        let digest = ring::digest::digest(&ring::digest::SHA256, &self.0);
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_ref());
        out
    }
}

/// Seals `pin` to the server PIN key `server_public_key` (32 raw bytes) for one
/// confirmation attempt of `payment_id` with the payment's current `nonce`.
///
/// The PIN is consumed (and wiped when dropped). It must be 4 to 6 ASCII digits,
/// otherwise [`SealError::Malformed`].
pub fn seal_pin(
    pin: Pin,
    server_public_key: &[u8],
    payment_id: &str,
    nonce: &str,
) -> Result<SealedPin, SealError> {
    let digits = pin.expose_ascii();
    if !(MIN_PIN_LEN..=MAX_PIN_LEN).contains(&digits.len())
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return Err(SealError::Malformed);
    }
    let server_key: [u8; X25519_LEN] = server_public_key
        .try_into()
        .map_err(|_| SealError::InvalidServerKey)?;

    let rng = SystemRandom::new();
    let ephemeral = agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng)
        .map_err(|_| SealError::Crypto)?;
    let ephemeral_public: [u8; X25519_LEN] = ephemeral
        .compute_public_key()
        .map_err(|_| SealError::Crypto)?
        .as_ref()
        .try_into()
        .map_err(|_| SealError::Crypto)?;
    // ring rejects an all-zero shared secret (low-order server point).
    let key = agreement::agree_ephemeral(
        ephemeral,
        &agreement::UnparsedPublicKey::new(&agreement::X25519, &server_key),
        |shared| derive_key(shared, &ephemeral_public, &server_key),
    )
    .map_err(|_| SealError::InvalidServerKey)??;

    // Exact capacity: appending the tag must not reallocate and leave the digits in
    // a freed, un-wiped allocation.
    let mut block = Zeroizing::new(Vec::with_capacity(HEADER_LEN + digits.len() + TAG_LEN));
    block.push(SEAL_VERSION);
    block.extend_from_slice(&ephemeral_public);
    block.extend_from_slice(digits);
    drop(pin);

    let aad = canonical::pin_seal_aad(payment_id, nonce);
    let tag = key
        .seal_in_place_separate_tag(zero_nonce(), aead::Aad::from(aad), &mut block[HEADER_LEN..])
        .map_err(|_| SealError::Crypto)?;
    block.extend_from_slice(tag.as_ref());
    // The buffer now holds only ciphertext; move it out (the wrapper keeps an empty Vec).
    Ok(SealedPin(std::mem::take(&mut *block)))
}

/// The AEAD nonce: all zeros, safe because each key seals exactly one message.
fn zero_nonce() -> aead::Nonce {
    aead::Nonce::assume_unique_for_key([0u8; aead::NONCE_LEN])
}

/// `K = HKDF-SHA-256(salt, ikm = Z, info = E ‖ S)` as a ChaCha20-Poly1305 key.
fn derive_key(
    shared_secret: &[u8],
    ephemeral_public: &[u8; X25519_LEN],
    server_public: &[u8; X25519_LEN],
) -> Result<aead::LessSafeKey, SealError> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(shared_secret);
    let info: [&[u8]; 2] = [ephemeral_public, server_public];
    let okm = prk
        .expand(&info, &aead::CHACHA20_POLY1305)
        .map_err(|_| SealError::Crypto)?;
    let mut key_bytes = Zeroizing::new([0u8; 32]);
    okm.fill(&mut key_bytes[..])
        .map_err(|_| SealError::Crypto)?;
    let unbound = aead::UnboundKey::new(&aead::CHACHA20_POLY1305, &key_bytes[..])
        .map_err(|_| SealError::Crypto)?;
    Ok(aead::LessSafeKey::new(unbound))
}

/// Checks version and length; returns the ephemeral public key and `C`.
fn split_block(sealed: &[u8]) -> Result<([u8; X25519_LEN], &[u8]), SealError> {
    let (&version, rest) = sealed.split_first().ok_or(SealError::Malformed)?;
    if version != SEAL_VERSION {
        return Err(SealError::UnsupportedVersion { version });
    }
    if !(MIN_SEALED_LEN..=MAX_SEALED_LEN).contains(&sealed.len()) {
        return Err(SealError::Malformed);
    }
    let (ephemeral, ciphertext) = rest
        .split_first_chunk::<X25519_LEN>()
        .ok_or(SealError::Malformed)?;
    Ok((*ephemeral, ciphertext))
}

/// The backend's X25519 PIN key pair (server side only).
#[cfg(feature = "backend")]
pub struct PinKeyPair {
    secret: x25519_dalek::StaticSecret,
    public: [u8; X25519_LEN],
}

#[cfg(feature = "backend")]
impl PinKeyPair {
    /// Draws a new key pair from the system CSPRNG.
    pub fn generate() -> Result<Self, SealError> {
        use ring::rand::SecureRandom as _;
        let mut bytes = Zeroizing::new([0u8; 32]);
        SystemRandom::new()
            .fill(&mut bytes[..])
            .map_err(|_| SealError::Crypto)?;
        Ok(Self::from_secret_bytes(*bytes))
    }

    /// Loads a key pair from its 32-byte secret (as given by [`Self::secret_bytes`]).
    pub fn from_secret_bytes(secret: [u8; 32]) -> Self {
        let secret = x25519_dalek::StaticSecret::from(secret);
        let public = x25519_dalek::PublicKey::from(&secret).to_bytes();
        PinKeyPair { secret, public }
    }

    /// The secret, to persist it. Wiped when the returned value is dropped.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.to_bytes())
    }

    /// The public key, published as `pin_key.public_key`.
    pub fn public_bytes(&self) -> [u8; 32] {
        self.public
    }
}

#[cfg(feature = "backend")]
impl std::fmt::Debug for PinKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinKeyPair")
            .field(
                "public",
                &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.public),
            )
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Opens a sealed block with the server key, for `payment_id` and the payment's
/// **current** nonce from the server's own record. Returns the PIN as ASCII digits in
/// a zeroizing buffer.
///
/// Errors: [`SealError::UnsupportedVersion`] for another version byte,
/// [`SealError::Malformed`] for a wrong length or a plaintext that is not digits,
/// [`SealError::OpenFailed`] when the block does not authenticate (wrong key, payment
/// or nonce, tampering, low-order ephemeral key).
#[cfg(feature = "backend")]
pub fn open_sealed_pin(
    key: &PinKeyPair,
    sealed: &[u8],
    payment_id: &str,
    nonce: &str,
) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let (ephemeral_public, ciphertext) = split_block(sealed)?;
    let shared = key
        .secret
        .diffie_hellman(&x25519_dalek::PublicKey::from(ephemeral_public));
    if !shared.was_contributory() {
        return Err(SealError::OpenFailed);
    }
    let aead_key = derive_key(shared.as_bytes(), &ephemeral_public, &key.public)?;
    drop(shared);

    let aad = canonical::pin_seal_aad(payment_id, nonce);
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let pin_len = aead_key
        .open_in_place(zero_nonce(), aead::Aad::from(aad), &mut buffer[..])
        .map_err(|_| SealError::OpenFailed)?
        .len();
    // Shrinking never reallocates; the wrapper wipes the whole capacity on drop.
    buffer.truncate(pin_len);
    if !buffer.iter().all(u8::is_ascii_digit) {
        return Err(SealError::Malformed);
    }
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pin(digits: &str) -> Pin {
        Pin::from_digits(digits).unwrap()
    }

    /// A server key from the dev-dependency (works without the `backend` feature).
    fn server_key() -> [u8; 32] {
        x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from([9u8; 32])).to_bytes()
    }

    #[test]
    fn block_layout() {
        let sealed = seal_pin(pin("4827"), &server_key(), "pay_1", "n1").unwrap();
        assert_eq!(sealed.as_bytes().len(), 1 + 32 + 4 + 16);
        assert_eq!(sealed.as_bytes()[0], SEAL_VERSION);
        let text = sealed.to_base64url();
        assert!(!text.contains('=') && !text.contains('+') && !text.contains('/'));
        assert_eq!(SealedPin::from_base64url(&text).unwrap(), sealed);
        let six = seal_pin(pin("123456"), &server_key(), "pay_1", "n1").unwrap();
        assert_eq!(six.as_bytes().len(), MAX_SEALED_LEN);
        assert!(MAX_SEALED_B64_LEN >= six.to_base64url().len());
    }

    #[test]
    fn every_seal_is_fresh() {
        let a = seal_pin(pin("4827"), &server_key(), "pay_1", "n1").unwrap();
        let b = seal_pin(pin("4827"), &server_key(), "pay_1", "n1").unwrap();
        assert_ne!(a.as_bytes()[1..33], b.as_bytes()[1..33]);
        assert_ne!(a.sha256(), b.sha256());
    }

    #[test]
    fn sha256_is_over_the_raw_block() {
        let sealed = seal_pin(pin("4827"), &server_key(), "pay_1", "n1").unwrap();
        let expected = ring::digest::digest(&ring::digest::SHA256, sealed.as_bytes());
        assert_eq!(sealed.sha256()[..], *expected.as_ref());
    }

    #[test]
    fn pin_length_is_enforced() {
        for digits in ["", "1", "123", "1234567", "12345678901234567890"] {
            assert_eq!(
                seal_pin(pin(digits), &server_key(), "p", "n"),
                Err(SealError::Malformed),
                "{digits:?}"
            );
        }
        for digits in ["1234", "12345", "123456"] {
            assert!(seal_pin(pin(digits), &server_key(), "p", "n").is_ok());
        }
    }

    #[test]
    fn bad_server_keys_are_rejected() {
        let key = server_key();
        for bad in [&key[..31], &[0u8; 33][..], &[][..]] {
            assert_eq!(
                seal_pin(pin("4827"), bad, "p", "n"),
                Err(SealError::InvalidServerKey)
            );
        }
        // Low-order points give an all-zero shared secret.
        let mut one = [0u8; 32];
        one[0] = 1;
        for low_order in [[0u8; 32], one] {
            assert_eq!(
                seal_pin(pin("4827"), &low_order, "p", "n"),
                Err(SealError::InvalidServerKey)
            );
        }
    }

    #[test]
    fn from_base64url_checks_structure() {
        let sealed = seal_pin(pin("4827"), &server_key(), "p", "n").unwrap();
        let mut bytes = sealed.as_bytes().to_vec();
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);

        assert_eq!(SealedPin::from_base64url(""), Err(SealError::Malformed));
        assert_eq!(SealedPin::from_base64url("!!!!"), Err(SealError::Malformed));
        // Padding and the standard alphabet are not the wire form.
        let padded = base64::engine::general_purpose::URL_SAFE.encode(&bytes);
        assert_eq!(
            SealedPin::from_base64url(&padded),
            Err(SealError::Malformed)
        );
        assert_eq!(
            SealedPin::from_base64url(&"A".repeat(10_000)),
            Err(SealError::Malformed)
        );
        assert_eq!(
            SealedPin::from_base64url(&b64(&bytes[..52])),
            Err(SealError::Malformed)
        );
        bytes[0] = 2;
        assert_eq!(
            SealedPin::from_base64url(&b64(&bytes)),
            Err(SealError::UnsupportedVersion { version: 2 })
        );
    }

    proptest! {
        #[test]
        fn from_base64url_never_panics(text in ".{0,120}") {
            let _ = SealedPin::from_base64url(&text);
        }

        #[test]
        fn seal_never_panics(key in proptest::collection::vec(any::<u8>(), 0..40),
                             payment_id in ".{0,40}", nonce in ".{0,40}") {
            let _ = seal_pin(pin("4827"), &key, &payment_id, &nonce);
        }
    }

    #[cfg(feature = "backend")]
    mod backend {
        use super::*;

        fn key_pair() -> PinKeyPair {
            PinKeyPair::from_secret_bytes([9u8; 32])
        }

        /// Seals arbitrary plaintext with a chosen ephemeral secret (tests only).
        fn seal_raw(plaintext: &[u8], server: &[u8; 32], ephemeral_secret: [u8; 32]) -> Vec<u8> {
            let e = x25519_dalek::StaticSecret::from(ephemeral_secret);
            let e_pub = x25519_dalek::PublicKey::from(&e).to_bytes();
            let z = e.diffie_hellman(&x25519_dalek::PublicKey::from(*server));
            let key = derive_key(z.as_bytes(), &e_pub, server).unwrap();
            let mut c = plaintext.to_vec();
            let aad = canonical::pin_seal_aad("p", "n");
            key.seal_in_place_append_tag(zero_nonce(), aead::Aad::from(aad), &mut c)
                .unwrap();
            let mut block = vec![SEAL_VERSION];
            block.extend_from_slice(&e_pub);
            block.extend_from_slice(&c);
            block
        }

        #[test]
        fn key_pair_round_trip_and_debug() {
            let key = PinKeyPair::generate().unwrap();
            let again = PinKeyPair::from_secret_bytes(*key.secret_bytes());
            assert_eq!(key.public_bytes(), again.public_bytes());
            assert_eq!(key.public_bytes(), server_key_of(&key));
            let debug = format!("{key:?}");
            assert!(debug.contains("<redacted>"));
            let secret = key.secret_bytes();
            assert!(!debug.contains(&format!("{:?}", &secret[..])));
            assert!(!debug
                .contains(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&secret[..])));
        }

        fn server_key_of(key: &PinKeyPair) -> [u8; 32] {
            x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(*key.secret_bytes()))
                .to_bytes()
        }

        #[test]
        fn seal_then_open() {
            let key = key_pair();
            assert_eq!(key.public_bytes(), server_key());
            for digits in ["0000", "4827", "12345", "987654"] {
                let sealed = seal_pin(pin(digits), &key.public_bytes(), "pay_1", "n1").unwrap();
                let opened = open_sealed_pin(&key, sealed.as_bytes(), "pay_1", "n1").unwrap();
                assert_eq!(&opened[..], digits.as_bytes());
            }
        }

        #[test]
        fn binding_to_payment_nonce_and_key() {
            let key = key_pair();
            let sealed = seal_pin(pin("4827"), &key.public_bytes(), "pay_1", "n1").unwrap();
            let block = sealed.as_bytes();
            let open = |b: &[u8], p: &str, n: &str| open_sealed_pin(&key, b, p, n);
            assert_eq!(open(block, "pay_1", "n2"), Err(SealError::OpenFailed));
            assert_eq!(open(block, "pay_2", "n1"), Err(SealError::OpenFailed));
            // Field boundaries matter: the aad is length-prefixed.
            assert_eq!(open(block, "pay_1n", "1"), Err(SealError::OpenFailed));
            let other = PinKeyPair::from_secret_bytes([10u8; 32]);
            assert_eq!(
                open_sealed_pin(&other, block, "pay_1", "n1"),
                Err(SealError::OpenFailed)
            );
            for i in 1..block.len() {
                let mut tampered = block.to_vec();
                tampered[i] ^= 0x01;
                assert_eq!(
                    open(&tampered, "pay_1", "n1"),
                    Err(SealError::OpenFailed),
                    "{i}"
                );
            }
        }

        #[test]
        fn structural_errors() {
            let key = key_pair();
            let sealed = seal_pin(pin("4827"), &key.public_bytes(), "p", "n").unwrap();
            let block = sealed.as_bytes();
            let open = |b: &[u8]| open_sealed_pin(&key, b, "p", "n");
            assert_eq!(open(&[]), Err(SealError::Malformed));
            assert_eq!(open(&block[..52]), Err(SealError::Malformed));
            assert_eq!(open(&[1u8; 56]), Err(SealError::Malformed));
            let mut v2 = block.to_vec();
            v2[0] = 2;
            assert_eq!(open(&v2), Err(SealError::UnsupportedVersion { version: 2 }));
            assert_eq!(
                open(&[0]),
                Err(SealError::UnsupportedVersion { version: 0 })
            );
        }

        #[test]
        fn low_order_ephemeral_is_rejected() {
            let key = key_pair();
            let mut block = vec![SEAL_VERSION];
            block.extend_from_slice(&[0u8; 32]);
            block.extend_from_slice(&[0u8; 20]);
            assert_eq!(
                open_sealed_pin(&key, &block, "p", "n"),
                Err(SealError::OpenFailed)
            );
        }

        #[test]
        fn only_digits_are_accepted() {
            let key = key_pair();
            let server = key.public_bytes();
            let good = seal_raw(b"4827", &server, [3u8; 32]);
            assert_eq!(
                &open_sealed_pin(&key, &good, "p", "n").unwrap()[..],
                b"4827"
            );
            for bad in [&b"48a7"[..], b"48 7", b"\x0048\x00", b"12345\xff"] {
                let block = seal_raw(bad, &server, [3u8; 32]);
                assert_eq!(
                    open_sealed_pin(&key, &block, "p", "n"),
                    Err(SealError::Malformed)
                );
            }
            for wrong_len in [&b"123"[..], b"1234567"] {
                let block = seal_raw(wrong_len, &server, [3u8; 32]);
                assert_eq!(
                    open_sealed_pin(&key, &block, "p", "n"),
                    Err(SealError::Malformed)
                );
            }
        }

        proptest! {
            #[test]
            fn open_never_panics(block in proptest::collection::vec(any::<u8>(), 0..80),
                                 version_one in any::<bool>()) {
                let mut block = block;
                if version_one && !block.is_empty() {
                    block[0] = SEAL_VERSION;
                }
                let _ = open_sealed_pin(&key_pair(), &block, "p", "n");
            }
        }
    }
}
