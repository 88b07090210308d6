//! Checks every vector of `docs/protocol-vectors.json` against the library.
//!
//! The Kotlin and Python suites read the same file, so a change of the canonical bytes
//! or of the PIN seal in any implementation fails somewhere. Without the `backend`
//! feature everything but the server-side opening runs (the PIN seal is then checked
//! with a reference implementation of protocol.md §7 written here, on the
//! x25519-dalek dev-dependency and ring).

use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::seal::{seal_pin, SealedPin};
use cvconnect_core::crypto::signer::{
    point_from_spki, spki_from_point, spki_sha256_pin, verify_p256, DeviceSigner as _,
    SoftwareSigner,
};
use cvconnect_core::pin::Pin;
use cvconnect_core::protocol::canonical::{
    auth_bytes, enrollment_bytes, pin_seal_aad, ConfirmationFields,
};
use ring::{aead, hkdf};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol-vectors.json");
    let text = std::fs::read_to_string(path).expect("read docs/protocol-vectors.json");
    serde_json::from_str(&text).expect("vectors are JSON")
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn bytes(v: &Value, key: &str) -> Vec<u8> {
    unhex(text(v, key))
}

fn array32(v: &Value, key: &str) -> [u8; 32] {
    bytes(v, key).try_into().expect("32 bytes")
}

fn confirmation_fields(c: &Value) -> ConfirmationFields {
    ConfirmationFields {
        payment_id: text(c, "payment_id").into(),
        nonce: text(c, "nonce").into(),
        payee_id: text(c, "payee_id").into(),
        payee_name: text(c, "payee_name").into(),
        total: Amount::from_plain(text(c, "total")).unwrap(),
        amount: Amount::from_plain(text(c, "amount")).unwrap(),
        expires_at: c["expires_at"].as_i64().unwrap(),
        device_id: text(c, "device_id").into(),
        sealed_pin_hash: array32(c, "sealed_pin_hash_hex"),
    }
}

#[test]
fn every_vector_is_described() {
    let v = vectors();
    assert_eq!(v["version"], 1);
    for name in [
        "confirmation",
        "auth",
        "enrollment",
        "pin_seal_aad",
        "signature",
        "pin_seal",
    ] {
        assert!(v[name].is_object(), "{name}");
        assert!(!text(&v["description"], name).is_empty(), "{name}");
    }
}

#[test]
fn confirmation_encodes_byte_exact() {
    let v = vectors();
    let c = &v["confirmation"];
    assert_eq!(text(c, "currency"), "EUR");
    assert!(!text(c, "payee_name").is_ascii(), "the vector covers UTF-8");
    assert_eq!(confirmation_fields(c).encode(), bytes(c, "expected_hex"));
}

#[test]
fn confirmation_decodes_back() {
    let v = vectors();
    let c = &v["confirmation"];
    let encoded = bytes(c, "expected_hex");
    assert_eq!(
        ConfirmationFields::decode(&encoded),
        Some(confirmation_fields(c))
    );
    // Any truncation or extension is rejected.
    assert_eq!(
        ConfirmationFields::decode(&encoded[..encoded.len() - 1]),
        None
    );
    let mut longer = encoded.clone();
    longer.push(0);
    assert_eq!(ConfirmationFields::decode(&longer), None);
}

#[test]
fn protocol_text_quotes_the_confirmation_vector() {
    // protocol.md §6.1 quotes the first three fields of this vector in hex.
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md"))
        .expect("read docs/protocol.md");
    let example = &doc[doc.find("Example (vector `confirmation`").expect("example")..];
    let block = example
        .split("```")
        .nth(1)
        .expect("example block")
        .trim_start_matches("text");
    let quoted: String = block
        .split_whitespace()
        .filter(|token| token.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect();
    assert!(quoted.len() > 100, "{quoted}");
    let v = vectors();
    assert!(text(&v["confirmation"], "expected_hex").starts_with(&quoted));
}

#[test]
fn auth_bytes_match() {
    let v = vectors();
    let a = &v["auth"];
    assert_eq!(
        auth_bytes(text(a, "device_id"), text(a, "challenge")),
        bytes(a, "expected_hex")
    );
}

#[test]
fn enrollment_bytes_match() {
    let v = vectors();
    let e = &v["enrollment"];
    let expected = bytes(e, "expected_hex");
    let spki = bytes(e, "public_key_spki_hex");
    assert_eq!(spki, bytes(&v["signature"], "public_key_spki_hex"));
    let code = text(e, "activation_code");
    assert_eq!(enrollment_bytes(text(e, "email"), code, &spki), expected);
    assert_eq!(
        enrollment_bytes(text(e, "email_normalized"), code, &spki),
        expected
    );
}

#[test]
fn pin_seal_aad_matches() {
    let v = vectors();
    let p = &v["pin_seal_aad"];
    let aad = pin_seal_aad(text(p, "payment_id"), text(p, "nonce"));
    assert_eq!(aad, bytes(p, "expected_hex"));
    let s = &v["pin_seal"];
    assert_eq!(
        pin_seal_aad(text(s, "payment_id"), text(s, "nonce")),
        bytes(s, "aad_hex")
    );
}

#[test]
fn signature_verifies_and_tampering_does_not() {
    let v = vectors();
    let s = &v["signature"];
    let spki = bytes(s, "public_key_spki_hex");
    let message = bytes(s, "message_hex");
    let signature = bytes(s, "signature_der_hex");
    assert_eq!(message, bytes(&v["confirmation"], "expected_hex"));
    assert!(verify_p256(&spki, &message, &signature));
    assert!(!verify_p256(
        &spki,
        &bytes(s, "tampered_message_hex"),
        &signature
    ));
    let mut flipped = signature.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(!verify_p256(&spki, &message, &flipped));
    assert!(!verify_p256(&spki[1..], &message, &signature));
}

#[test]
fn software_signer_from_the_vector_key() {
    let v = vectors();
    let s = &v["signature"];
    let spki = bytes(s, "public_key_spki_hex");
    let signer = SoftwareSigner::from_pkcs8(&bytes(s, "private_key_pkcs8_hex")).unwrap();
    assert_eq!(signer.public_key().unwrap(), spki);
    assert_eq!(signer.pkcs8_der(), bytes(s, "private_key_pkcs8_hex"));
    let message = bytes(s, "message_hex");
    let signature = signer.sign(&message).unwrap();
    assert!(verify_p256(&spki, &message, &signature));
    assert!(!verify_p256(
        &spki,
        &bytes(s, "tampered_message_hex"),
        &signature
    ));
    assert_eq!(spki_sha256_pin(&spki), text(s, "spki_sha256_pin"));
    let point = point_from_spki(&spki).unwrap();
    assert_eq!(spki_from_point(&point), spki);
}

/// Protocol.md §7 written out with a chosen ephemeral secret: the sealed block.
fn reference_seal(
    ephemeral_secret: [u8; 32],
    server_public: [u8; 32],
    pin: &[u8],
    aad: &[u8],
) -> Vec<u8> {
    let e = x25519_dalek::StaticSecret::from(ephemeral_secret);
    let e_pub = x25519_dalek::PublicKey::from(&e).to_bytes();
    let z = e.diffie_hellman(&x25519_dalek::PublicKey::from(server_public));
    let key = reference_key(z.as_bytes(), &e_pub, &server_public);
    let mut c = pin.to_vec();
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key([0; 12]),
        aead::Aad::from(aad),
        &mut c,
    )
    .unwrap();
    let mut block = vec![0x01];
    block.extend_from_slice(&e_pub);
    block.extend_from_slice(&c);
    block
}

/// Protocol.md §7 opening, independent of `open_sealed_pin` (runs without `backend`).
fn reference_open(server_secret: [u8; 32], block: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    let (&version, rest) = block.split_first()?;
    if version != 1 {
        return None;
    }
    let (e_pub, c) = rest.split_first_chunk::<32>()?;
    let s = x25519_dalek::StaticSecret::from(server_secret);
    let s_pub = x25519_dalek::PublicKey::from(&s).to_bytes();
    let z = s.diffie_hellman(&x25519_dalek::PublicKey::from(*e_pub));
    let key = reference_key(z.as_bytes(), e_pub, &s_pub);
    let mut buf = c.to_vec();
    let len = key
        .open_in_place(
            aead::Nonce::assume_unique_for_key([0; 12]),
            aead::Aad::from(aad),
            &mut buf,
        )
        .ok()?
        .len();
    buf.truncate(len);
    Some(buf)
}

fn reference_key(z: &[u8], e_pub: &[u8; 32], s_pub: &[u8; 32]) -> aead::LessSafeKey {
    let mut k = [0u8; 32];
    hkdf::Salt::new(hkdf::HKDF_SHA256, b"cvconnect/pin-seal/v1")
        .extract(z)
        .expand(&[e_pub, s_pub], hkdf::HKDF_SHA256)
        .unwrap()
        .fill(&mut k)
        .unwrap();
    aead::LessSafeKey::new(aead::UnboundKey::new(&aead::CHACHA20_POLY1305, &k).unwrap())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn pin_seal_vector_is_reproducible() {
    let v = vectors();
    let s = &v["pin_seal"];
    let server_secret = array32(s, "server_secret_hex");
    let server_public = array32(s, "server_public_hex");
    assert_eq!(
        x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(server_secret)).to_bytes(),
        server_public
    );
    let aad = bytes(s, "aad_hex");
    let ephemeral_secret = array32(s, "ephemeral_secret_hex");
    let block = reference_seal(
        ephemeral_secret,
        server_public,
        text(s, "pin").as_bytes(),
        &aad,
    );
    assert_eq!(hex(&block), text(s, "sealed_hex"));
    assert_eq!(hex(&block[1..33]), text(s, "ephemeral_public_hex"));
    let z = x25519_dalek::StaticSecret::from(ephemeral_secret)
        .diffie_hellman(&x25519_dalek::PublicKey::from(server_public));
    assert_eq!(hex(z.as_bytes()), text(s, "shared_secret_hex"));
    let mut k = [0u8; 32];
    hkdf::Salt::new(hkdf::HKDF_SHA256, b"cvconnect/pin-seal/v1")
        .extract(z.as_bytes())
        .expand(&[&block[1..33], &server_public], hkdf::HKDF_SHA256)
        .unwrap()
        .fill(&mut k)
        .unwrap();
    assert_eq!(hex(&k), text(s, "key_hex"));
}

#[test]
fn sealed_vector_parses_and_hashes_into_the_confirmation() {
    let v = vectors();
    let s = &v["pin_seal"];
    let sealed = SealedPin::from_base64url(text(s, "sealed_base64url")).unwrap();
    assert_eq!(sealed.as_bytes(), bytes(s, "sealed_hex"));
    assert_eq!(sealed.to_base64url(), text(s, "sealed_base64url"));
    assert_eq!(
        sealed.sha256(),
        array32(&v["confirmation"], "sealed_pin_hash_hex")
    );
    assert_eq!(
        text(s, "payment_id"),
        text(&v["confirmation"], "payment_id")
    );
    assert_eq!(text(s, "nonce"), text(&v["confirmation"], "nonce"));
}

#[test]
fn seal_pin_opens_with_the_reference_opener() {
    let v = vectors();
    let s = &v["pin_seal"];
    let (payment_id, nonce) = (text(s, "payment_id"), text(s, "nonce"));
    let sealed = seal_pin(
        Pin::from_digits(text(s, "pin")).unwrap(),
        &bytes(s, "server_public_hex"),
        payment_id,
        nonce,
    )
    .unwrap();
    let server_secret = array32(s, "server_secret_hex");
    assert_eq!(
        reference_open(
            server_secret,
            sealed.as_bytes(),
            &pin_seal_aad(payment_id, nonce)
        ),
        Some(text(s, "pin").as_bytes().to_vec())
    );
    assert_eq!(
        reference_open(
            server_secret,
            sealed.as_bytes(),
            &pin_seal_aad(payment_id, text(s, "wrong_nonce"))
        ),
        None
    );
    // The reference opener agrees with the vector too.
    assert_eq!(
        reference_open(server_secret, &bytes(s, "sealed_hex"), &bytes(s, "aad_hex")),
        Some(b"4827".to_vec())
    );
}

#[cfg(feature = "backend")]
mod backend {
    use super::*;
    use cvconnect_core::crypto::seal::{open_sealed_pin, PinKeyPair, SealError};

    fn key_pair(s: &Value) -> PinKeyPair {
        let key = PinKeyPair::from_secret_bytes(array32(s, "server_secret_hex"));
        assert_eq!(key.public_bytes(), array32(s, "server_public_hex"));
        key
    }

    #[test]
    fn vector_block_opens_to_the_pin() {
        let v = vectors();
        let s = &v["pin_seal"];
        let opened = open_sealed_pin(
            &key_pair(s),
            &bytes(s, "sealed_hex"),
            text(s, "payment_id"),
            text(s, "nonce"),
        )
        .unwrap();
        assert_eq!(&opened[..], text(s, "pin").as_bytes());
        assert_eq!(&opened[..], b"4827");
    }

    #[test]
    fn vector_block_fails_elsewhere() {
        let v = vectors();
        let s = &v["pin_seal"];
        let key = key_pair(s);
        let block = bytes(s, "sealed_hex");
        let (payment_id, nonce) = (text(s, "payment_id"), text(s, "nonce"));
        assert_eq!(
            open_sealed_pin(&key, &block, payment_id, text(s, "wrong_nonce")),
            Err(SealError::OpenFailed)
        );
        assert_eq!(
            open_sealed_pin(&key, &block, text(s, "wrong_payment_id"), nonce),
            Err(SealError::OpenFailed)
        );
        for i in 0..block.len() {
            let mut flipped = block.clone();
            flipped[i] ^= 0x80;
            let result = open_sealed_pin(&key, &flipped, payment_id, nonce);
            if i == 0 {
                assert_eq!(result, Err(SealError::UnsupportedVersion { version: 0x81 }));
            } else {
                assert_eq!(result, Err(SealError::OpenFailed), "byte {i}");
            }
        }
        let other = PinKeyPair::from_secret_bytes([7u8; 32]);
        assert_eq!(
            open_sealed_pin(&other, &block, payment_id, nonce),
            Err(SealError::OpenFailed)
        );
    }

    #[test]
    fn fresh_seal_round_trips() {
        let v = vectors();
        let s = &v["pin_seal"];
        let key = key_pair(s);
        let (payment_id, nonce) = (text(s, "payment_id"), text(s, "nonce"));
        let sealed = seal_pin(
            Pin::from_digits("4827").unwrap(),
            &key.public_bytes(),
            payment_id,
            nonce,
        )
        .unwrap();
        assert_ne!(
            sealed.as_bytes(),
            bytes(s, "sealed_hex"),
            "fresh ephemeral key"
        );
        let wire = SealedPin::from_base64url(&sealed.to_base64url()).unwrap();
        let opened = open_sealed_pin(&key, wire.as_bytes(), payment_id, nonce).unwrap();
        assert_eq!(&opened[..], b"4827");
        assert_eq!(
            open_sealed_pin(&key, wire.as_bytes(), payment_id, text(s, "wrong_nonce")),
            Err(SealError::OpenFailed)
        );
    }
}
