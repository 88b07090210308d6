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
        assert!(
            !debug.contains(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&secret[..]))
        );
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
