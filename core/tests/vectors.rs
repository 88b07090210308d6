//! Checks every vector of `docs/protocol-vectors.json` against the library.
//!
//! The Kotlin, Python and Swift suites read the same file, so a change of the canonical bytes
//! or of the PIN seal in any implementation fails somewhere. Without the `backend`
//! feature everything but the server-side opening runs (the PIN seal is then checked
//! with the reference implementation of protocol.md §7 in `support/reference_seal.rs`,
//! on the x25519-dalek dev-dependency and ring). The request proof's checks are in
//! `vectors/request_proof.rs`.

#[path = "support/reference_seal.rs"]
mod reference_seal;
#[path = "vectors/request_proof.rs"]
mod request_proof;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::app_attest_client_data_hash;
use cvconnect_core::crypto::seal::{seal_pin, SealedPin};
use cvconnect_core::crypto::signer::{
    point_from_spki, spki_from_point, spki_sha256_pin, verify_p256, DeviceSigner as _,
    SoftwareSigner,
};
use cvconnect_core::pin::Pin;
use cvconnect_core::protocol::canonical::{
    attestation_client_data, auth_bytes, enrollment_bytes, pin_seal_aad, request_bytes,
    ConfirmationFields,
};
use reference_seal::{hex, unhex};
use serde_json::Value;
use std::sync::LazyLock;

/// The vector file, read once for all the tests.
fn vectors() -> &'static Value {
    static VECTORS: LazyLock<Value> = LazyLock::new(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol-vectors.json");
        let text = std::fs::read_to_string(path).expect("read docs/protocol-vectors.json");
        serde_json::from_str(&text).expect("vectors are JSON")
    });
    &VECTORS
}

/// One vector of the file (`"confirmation"`, `"pin_seal"`…).
fn section(name: &str) -> &'static Value {
    let section = &vectors()[name];
    assert!(section.is_object(), "no vector {name}");
    section
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string"))
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
        "request_proof",
        "attestation_client_data",
    ] {
        assert!(v[name].is_object(), "{name}");
        assert!(!text(&v["description"], name).is_empty(), "{name}");
    }
}

#[test]
fn confirmation_encodes_byte_exact() {
    let c = section("confirmation");
    assert_eq!(text(c, "currency"), "EUR");
    assert!(!text(c, "payee_name").is_ascii(), "the vector covers UTF-8");
    assert_eq!(confirmation_fields(c).encode(), bytes(c, "expected_hex"));
}

#[test]
fn confirmation_decodes_back() {
    let c = section("confirmation");
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
    assert!(text(section("confirmation"), "expected_hex").starts_with(&quoted));
}

#[test]
fn two_field_encodings_match() {
    type Encode = fn(&str, &str) -> Vec<u8>;
    let cases: [(&str, [&str; 2], Encode, &str); 3] = [
        (
            "auth",
            ["device_id", "challenge"],
            auth_bytes,
            "expected_hex",
        ),
        (
            "pin_seal_aad",
            ["payment_id", "nonce"],
            pin_seal_aad,
            "expected_hex",
        ),
        ("pin_seal", ["payment_id", "nonce"], pin_seal_aad, "aad_hex"),
    ];
    for (name, [first, second], encode, expected) in cases {
        let vector = section(name);
        let encoded = encode(text(vector, first), text(vector, second));
        assert_eq!(encoded, bytes(vector, expected), "{name}");
    }
}

#[test]
fn enrollment_bytes_match() {
    let e = section("enrollment");
    let spki = bytes(e, "public_key_spki_hex");
    assert_eq!(spki, bytes(section("signature"), "public_key_spki_hex"));
    // The e-mail as typed and as normalized give the same bytes.
    for email in ["email", "email_normalized"] {
        let encoded = enrollment_bytes(text(e, email), text(e, "activation_code"), &spki);
        assert_eq!(encoded, bytes(e, "expected_hex"), "{email}");
    }
}

#[test]
fn attestation_client_data_and_its_hash_match() {
    let a = section("attestation_client_data");
    let challenge = bytes(a, "challenge_hex");
    let spki = bytes(a, "public_key_spki_hex");
    assert_eq!(spki, bytes(section("signature"), "public_key_spki_hex"));
    assert_eq!(
        URL_SAFE_NO_PAD.decode(text(a, "challenge")).unwrap(),
        challenge
    );
    let client_data = attestation_client_data(&challenge, &spki);
    assert_eq!(client_data, bytes(a, "client_data_hex"));
    let hash = app_attest_client_data_hash(&challenge, &spki);
    assert_eq!(hash.to_vec(), bytes(a, "client_data_hash_hex"));
}

/// `signature` verifies the vector's message under `spki`, and not its tampered copy.
fn assert_signs_only_the_message(s: &Value, spki: &[u8], signature: &[u8]) {
    assert!(verify_p256(spki, &bytes(s, "message_hex"), signature));
    let tampered = bytes(s, "tampered_message_hex");
    assert!(!verify_p256(spki, &tampered, signature));
}

#[test]
fn signature_verifies_and_tampering_does_not() {
    let s = section("signature");
    let spki = bytes(s, "public_key_spki_hex");
    let message = bytes(s, "message_hex");
    let signature = bytes(s, "signature_der_hex");
    assert_eq!(message, bytes(section("confirmation"), "expected_hex"));
    assert_signs_only_the_message(s, &spki, &signature);
    let mut flipped = signature.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(!verify_p256(&spki, &message, &flipped));
    assert!(!verify_p256(&spki[1..], &message, &signature));
}

#[test]
fn software_signer_from_the_vector_key() {
    let s = section("signature");
    let spki = bytes(s, "public_key_spki_hex");
    let signer = SoftwareSigner::from_pkcs8(&bytes(s, "private_key_pkcs8_hex")).unwrap();
    assert_eq!(signer.public_key().unwrap(), spki);
    assert_eq!(signer.pkcs8_der(), bytes(s, "private_key_pkcs8_hex"));
    let message = bytes(s, "message_hex");
    let signature = signer.sign(&message).unwrap();
    assert_signs_only_the_message(s, &spki, &signature);
    assert_eq!(spki_sha256_pin(&spki), text(s, "spki_sha256_pin"));
    let point = point_from_spki(&spki).unwrap();
    assert_eq!(spki_from_point(&point), spki);
}

#[test]
fn pin_seal_vector_is_reproducible() {
    let s = section("pin_seal");
    let server_secret = array32(s, "server_secret_hex");
    let server_public = array32(s, "server_public_hex");
    assert_eq!(
        x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(server_secret)).to_bytes(),
        server_public
    );
    let aad = bytes(s, "aad_hex");
    let ephemeral_secret = array32(s, "ephemeral_secret_hex");
    let pin = text(s, "pin").as_bytes();
    let sealed = reference_seal::seal(ephemeral_secret, server_public, pin, &aad);
    assert_eq!(hex(&sealed.block), text(s, "sealed_hex"));
    assert_eq!(hex(&sealed.block[1..33]), text(s, "ephemeral_public_hex"));
    assert_eq!(sealed.ephemeral_public[..], sealed.block[1..33]);
    assert_eq!(hex(&sealed.shared_secret), text(s, "shared_secret_hex"));
    assert_eq!(hex(&sealed.key), text(s, "key_hex"));
}

#[test]
fn sealed_vector_parses_and_hashes_into_the_confirmation() {
    let s = section("pin_seal");
    let sealed = SealedPin::from_base64url(text(s, "sealed_base64url")).unwrap();
    assert_eq!(sealed.as_bytes(), bytes(s, "sealed_hex"));
    assert_eq!(sealed.to_base64url(), text(s, "sealed_base64url"));
    assert_eq!(
        sealed.sha256(),
        array32(section("confirmation"), "sealed_pin_hash_hex")
    );
    assert_eq!(
        text(s, "payment_id"),
        text(section("confirmation"), "payment_id")
    );
    assert_eq!(text(s, "nonce"), text(section("confirmation"), "nonce"));
}

#[test]
fn seal_pin_opens_with_the_reference_opener() {
    let s = section("pin_seal");
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
        reference_seal::open(
            server_secret,
            sealed.as_bytes(),
            &pin_seal_aad(payment_id, nonce)
        ),
        Some(text(s, "pin").as_bytes().to_vec())
    );
    assert_eq!(
        reference_seal::open(
            server_secret,
            sealed.as_bytes(),
            &pin_seal_aad(payment_id, text(s, "wrong_nonce"))
        ),
        None
    );
    // The reference opener agrees with the vector too.
    assert_eq!(
        reference_seal::open(server_secret, &bytes(s, "sealed_hex"), &bytes(s, "aad_hex")),
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
        let s = section("pin_seal");
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
        let s = section("pin_seal");
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
        let s = section("pin_seal");
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
