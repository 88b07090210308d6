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
//! - **Digits are wiped.** [`seal_pin`] consumes the [`Pin`] (wiped as it drops) and
//!   copies the digits only into its plaintext block, which is encrypted in place: the
//!   ciphertext overwrites the digits, and the block is wiped if sealing fails before.
//!   [`open_sealed_pin`] returns the digits in a zeroizing buffer. Buffers get their
//!   final capacity up front so that no reallocation leaves a stray copy behind.
//! - **Opening is server-side only.** [`PinKeyPair`] and [`open_sealed_pin`] are behind
//!   the `backend` feature (the sandbox); the mobile library cannot open blocks.
//! - **No panics on any input.** Every length is checked before slicing; every
//!   failure is a [`SealError`].

use base64::Engine as _;
use ring::{aead, agreement, hkdf, rand::SystemRandom};
use zeroize::Zeroizing;

use crate::pin::buffer::{PinBytes, SealPlaintext};
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
    UnsupportedVersion {
        /// The block's first byte.
        version: u8,
    },
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
    let mut block = PinBytes::<SealPlaintext>::with_capacity(HEADER_LEN + digits.len() + TAG_LEN);
    block.push(SEAL_VERSION);
    block.extend_from_slice(&ephemeral_public);
    block.extend_from_slice(digits);
    drop(pin);
    #[cfg(feature = "test-hooks")]
    crate::test_hooks::wiping::leave_seal_plaintext(block.as_slice());

    let aad = canonical::pin_seal_aad(payment_id, nonce);
    let tag = key
        .seal_in_place_separate_tag(
            zero_nonce(),
            aead::Aad::from(aad),
            &mut block.as_mut_slice()[HEADER_LEN..],
        )
        .map_err(|_| SealError::Crypto)?;
    block.extend_from_slice(tag.as_ref());
    // The block now holds the header and the ciphertext only: nothing secret.
    Ok(SealedPin(block.into_public()))
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
mod tests;
