//! Prints the protocol test vectors (`docs/protocol-vectors.json`) as JSON.
//!
//! ```text
//! cargo run -p cvconnect-core --example gen_vectors --features backend > docs/protocol-vectors.json
//! ```
//!
//! Every value is derived from fixed labels, so a run reproduces the committed file
//! except `signature.signature_der_hex`: ECDSA signatures are randomized, the vector
//! only promises that the signature verifies. The sealed PIN uses a fixed ephemeral
//! key (derived here with x25519-dalek, never possible through `seal_pin`) so that
//! other implementations can check their sealing byte for byte.
//!
//! The PIN seal is computed here independently of `crypto::seal`, straight from
//! protocol.md §7, so the vector cross-checks the library rather than echoing it.

use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::signer::{
    spki_sha256_pin, verify_p256, DeviceSigner as _, SoftwareSigner,
};
use cvconnect_core::protocol::canonical::{
    auth_bytes, enrollment_bytes, pin_seal_aad, ConfirmationFields,
};
use ring::{aead, digest, hkdf};
use serde_json::json;

/// P-256 device key of the vectors: private scalar = SHA-256("cvconnect/test-vectors/p256-device-key"),
/// as PKCS#8 v1 DER with the public key (the form ring, Java and OpenSSL all read).
const DEVICE_KEY_PKCS8_HEX: &str = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420783692cba7d763fa0b217c63b1a7cf6c3d5cc012ca16ab649b2984926bac35a2a144034200047d81ec98a00b06229115f78970b117664bfac7cc621d133f4417a57d96078b9b14ef9a88b517493f1d90b2ee28d6ef22f28befa25e0e3acedad15af1e4c1913c";

const PAYMENT_ID: &str = "pay_demo0001";
const PAYEE_ID: &str = "mer_demo0001";
const PAYEE_NAME: &str = "Boutique Démo";
const DEVICE_ID: &str = "dev_demo0001";
const EXPIRES_AT: i64 = 1_790_000_180;
const PIN: &str = "4827";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
    out
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// §7 with a chosen ephemeral secret: returns (E, Z, K, sealed block).
fn seal_with_ephemeral(
    ephemeral_secret: [u8; 32],
    server_public: [u8; 32],
    pin: &[u8],
    aad: &[u8],
) -> ([u8; 32], [u8; 32], [u8; 32], Vec<u8>) {
    let e = x25519_dalek::StaticSecret::from(ephemeral_secret);
    let e_pub = x25519_dalek::PublicKey::from(&e).to_bytes();
    let z = e
        .diffie_hellman(&x25519_dalek::PublicKey::from(server_public))
        .to_bytes();
    let mut k = [0u8; 32];
    hkdf::Salt::new(hkdf::HKDF_SHA256, b"cvconnect/pin-seal/v1")
        .extract(&z)
        .expand(&[&e_pub, &server_public], hkdf::HKDF_SHA256)
        .expect("hkdf")
        .fill(&mut k)
        .expect("hkdf fill");
    let key =
        aead::LessSafeKey::new(aead::UnboundKey::new(&aead::CHACHA20_POLY1305, &k).expect("key"));
    let mut c = pin.to_vec();
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key([0; 12]),
        aead::Aad::from(aad),
        &mut c,
    )
    .expect("seal");
    let mut block = vec![0x01];
    block.extend_from_slice(&e_pub);
    block.extend_from_slice(&c);
    (e_pub, z, k, block)
}

fn main() {
    let nonce = b64url(&sha256(b"cvconnect/test-vectors/nonce"));
    let wrong_nonce = b64url(&sha256(b"cvconnect/test-vectors/nonce-2"));
    let challenge = b64url(&sha256(b"cvconnect/test-vectors/challenge"));

    // (e) PIN seal, first: its hash is a field of the confirmation.
    let server_secret = sha256(b"cvconnect/test-vectors/x25519-pin-key");
    let server_public =
        x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(server_secret)).to_bytes();
    let ephemeral_secret = sha256(b"cvconnect/test-vectors/x25519-ephemeral");
    let seal_aad = pin_seal_aad(PAYMENT_ID, &nonce);
    let (e_pub, z, k, sealed) =
        seal_with_ephemeral(ephemeral_secret, server_public, PIN.as_bytes(), &seal_aad);
    let sealed_hash = sha256(&sealed);

    // (a) Confirmation.
    let confirmation = ConfirmationFields {
        payment_id: PAYMENT_ID.into(),
        nonce: nonce.clone(),
        payee_id: PAYEE_ID.into(),
        payee_name: PAYEE_NAME.into(),
        total: Amount::from_plain("150.00").expect("total"),
        amount: Amount::from_plain("120.00").expect("amount"),
        expires_at: EXPIRES_AT,
        device_id: DEVICE_ID.into(),
        sealed_pin_hash: sealed_hash,
    };
    let confirmation_bytes = confirmation.encode();
    let tampered_bytes = ConfirmationFields {
        amount: Amount::from_plain("150.00").expect("amount"),
        ..confirmation.clone()
    }
    .encode();

    // (d) Signature.
    let signer = SoftwareSigner::from_pkcs8(&unhex(DEVICE_KEY_PKCS8_HEX)).expect("vector key");
    let spki = signer.public_key().expect("spki");
    let signature = signer.sign(&confirmation_bytes).expect("sign");
    assert!(verify_p256(&spki, &confirmation_bytes, &signature));
    assert!(!verify_p256(&spki, &tampered_bytes, &signature));

    // (b) Auth and enrollment.
    let auth = auth_bytes(DEVICE_ID, &challenge);
    let email = "  Camille@Example.FR ";
    let activation_code = "8K2F-9QXM";
    let enrollment = enrollment_bytes(email, activation_code, &spki);

    let vectors = json!({
        "version": 1,
        "description": {
            "about": "Test vectors of docs/protocol.md, shared by the Rust, Kotlin and Python suites. Byte strings are lowercase hex (*_hex); text is UTF-8. Regenerate with `cargo run -p cvconnect-core --example gen_vectors --features backend`; only signature.signature_der_hex changes between runs.",
            "confirmation": "§6.1: the confirmation fields (payee_name is non-ASCII on purpose; sealed_pin_hash_hex is SHA-256 of pin_seal.sealed_hex) and their canonical bytes; decoding expected_hex must give the fields back.",
            "auth": "§6.3: device id and challenge text, and the canonical bytes a device signs to get a token.",
            "enrollment": "§6.2: e-mail as typed (trimmed and lowercased before encoding, see email_normalized), activation code, SPKI of signature.public_key_spki_hex, and the enrollment proof bytes.",
            "pin_seal_aad": "§7 step 3: payment id and nonce, and the associated data of the PIN seal.",
            "signature": "§6: a fixed P-256 key (PKCS#8 and SPKI DER), message = confirmation.expected_hex, a DER ECDSA P-256 SHA-256 signature that must verify; tampered_message_hex (amount 150.00 instead of 120.00) must not verify with it. spki_sha256_pin is the HPKP-style pin of the SPKI.",
            "pin_seal": "§7: server X25519 key pair, payment id, nonce, PIN; a block sealed with the fixed ephemeral secret (intermediate Z, K given) that must open to pin; opening with wrong_nonce or wrong_payment_id, or after flipping any byte, must fail."
        },
        "confirmation": {
            "payment_id": PAYMENT_ID,
            "nonce": nonce,
            "payee_id": PAYEE_ID,
            "payee_name": PAYEE_NAME,
            "total": "150.00",
            "amount": "120.00",
            "currency": "EUR",
            "expires_at": EXPIRES_AT,
            "device_id": DEVICE_ID,
            "sealed_pin_hash_hex": hex(&sealed_hash),
            "expected_hex": hex(&confirmation_bytes),
        },
        "auth": {
            "device_id": DEVICE_ID,
            "challenge": challenge,
            "expected_hex": hex(&auth),
        },
        "enrollment": {
            "email": email,
            "email_normalized": email.trim().to_lowercase(),
            "activation_code": activation_code,
            "public_key_spki_hex": hex(&spki),
            "expected_hex": hex(&enrollment),
        },
        "pin_seal_aad": {
            "payment_id": PAYMENT_ID,
            "nonce": nonce,
            "expected_hex": hex(&seal_aad),
        },
        "signature": {
            "private_key_pkcs8_hex": DEVICE_KEY_PKCS8_HEX,
            "public_key_spki_hex": hex(&spki),
            "spki_sha256_pin": spki_sha256_pin(&spki),
            "message_hex": hex(&confirmation_bytes),
            "signature_der_hex": hex(&signature),
            "tampered_message_hex": hex(&tampered_bytes),
        },
        "pin_seal": {
            "server_secret_hex": hex(&server_secret),
            "server_public_hex": hex(&server_public),
            "payment_id": PAYMENT_ID,
            "nonce": nonce,
            "pin": PIN,
            "ephemeral_secret_hex": hex(&ephemeral_secret),
            "ephemeral_public_hex": hex(&e_pub),
            "shared_secret_hex": hex(&z),
            "key_hex": hex(&k),
            "aad_hex": hex(&seal_aad),
            "sealed_hex": hex(&sealed),
            "sealed_base64url": b64url(&sealed),
            "wrong_nonce": wrong_nonce,
            "wrong_payment_id": "pay_demo0002",
        },
    });
    println!("{}", serde_json::to_string_pretty(&vectors).expect("json"));
}
