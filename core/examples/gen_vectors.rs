//! Prints the protocol test vectors (`docs/protocol-vectors.json`) as JSON.
//!
//! ```text
//! cargo run -p cvconnect-core --example gen_vectors --features backend > docs/protocol-vectors.json
//! ```
//!
//! Every value is derived from fixed labels, so a run reproduces the committed file
//! except the two `signature_der_hex` (and `request_proof.authorization`, which holds
//! one): ECDSA signatures are randomized, the vectors only promise that they verify. The sealed PIN uses a fixed ephemeral
//! key (derived here with x25519-dalek, never possible through `seal_pin`) so that
//! other implementations can check their sealing byte for byte.
//!
//! The PIN seal is computed by the reference implementation the vector tests share
//! (`tests/support/reference_seal.rs`), written from protocol.md §7 independently of
//! `crypto::seal`, so the vector cross-checks the library rather than echoing it.

#[path = "../tests/support/reference_seal.rs"]
mod reference_seal;

use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::signer::{
    spki_sha256_pin, verify_p256, DeviceSigner as _, SoftwareSigner,
};
use cvconnect_core::protocol::canonical::{
    attestation_client_data, auth_bytes, enrollment_bytes, pin_seal_aad, request_bytes,
    ConfirmationFields,
};
use cvconnect_core::protocol::proof::{body_sha256, RequestProof};
use reference_seal::{hex, unhex};
use ring::digest;
use serde_json::{json, Map, Value};

/// P-256 device key of the vectors: private scalar = SHA-256("cvconnect/test-vectors/p256-device-key"),
/// as PKCS#8 v1 DER with the public key (the form ring, Java and OpenSSL all read).
const DEVICE_KEY_PKCS8_HEX: &str = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420783692cba7d763fa0b217c63b1a7cf6c3d5cc012ca16ab649b2984926bac35a2a144034200047d81ec98a00b06229115f78970b117664bfac7cc621d133f4417a57d96078b9b14ef9a88b517493f1d90b2ee28d6ef22f28befa25e0e3acedad15af1e4c1913c";

const PAYMENT_ID: &str = "pay_demo0001";
const PAYEE_ID: &str = "mer_demo0001";
const PAYEE_NAME: &str = "Boutique Démo";
const DEVICE_ID: &str = "dev_demo0001";
const EXPIRES_AT: i64 = 1_790_000_180;
const PIN: &str = "4827";
const EMAIL: &str = "  Camille@Example.FR ";
const ACTIVATION_CODE: &str = "8K2F-9QXM";
const PROOF_BODY: &str = r#"{"amount":"120.00","idempotency_key":"idem_demo0001"}"#;
const PROOF_TIMESTAMP: i64 = 1_790_000_000;

const ABOUT: &str = "Test vectors of docs/protocol.md, shared by the Rust, Kotlin, Python and Swift suites. Byte strings are lowercase hex (*_hex); text is UTF-8. Regenerate with `cargo run -p cvconnect-core --example gen_vectors --features backend`; only signature.signature_der_hex, request_proof.signature_der_hex and request_proof.authorization change between runs.";

fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
    out
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// One vector: its name, what it covers (for the `description` object), its values.
type Section = (&'static str, &'static str, Value);

/// The values of a vector whose bytes encode two text fields.
fn two_fields((k1, v1): (&str, &str), (k2, v2): (&str, &str), expected: &[u8]) -> Value {
    json!({ k1: v1, k2: v2, "expected_hex": hex(expected) })
}

/// §7: the PIN sealed with a fixed ephemeral secret; first, as its hash is a field of
/// the confirmation. Returns the section and the sealed block.
fn pin_seal(nonce: &str) -> (Section, Vec<u8>) {
    let server_secret = sha256(b"cvconnect/test-vectors/x25519-pin-key");
    let server_public =
        x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(server_secret)).to_bytes();
    let ephemeral_secret = sha256(b"cvconnect/test-vectors/x25519-ephemeral");
    let aad = pin_seal_aad(PAYMENT_ID, nonce);
    let sealed = reference_seal::seal(ephemeral_secret, server_public, PIN.as_bytes(), &aad);
    let opened = reference_seal::open(server_secret, &sealed.block, &aad);
    assert_eq!(opened.as_deref(), Some(PIN.as_bytes()));
    let values = json!({
        "server_secret_hex": hex(&server_secret),
        "server_public_hex": hex(&server_public),
        "payment_id": PAYMENT_ID,
        "nonce": nonce,
        "pin": PIN,
        "ephemeral_secret_hex": hex(&ephemeral_secret),
        "ephemeral_public_hex": hex(&sealed.ephemeral_public),
        "shared_secret_hex": hex(&sealed.shared_secret),
        "key_hex": hex(&sealed.key),
        "aad_hex": hex(&aad),
        "sealed_hex": hex(&sealed.block),
        "sealed_base64url": b64url(&sealed.block),
        "wrong_nonce": b64url(&sha256(b"cvconnect/test-vectors/nonce-2")),
        "wrong_payment_id": "pay_demo0002",
    });
    let about = "§7: server X25519 key pair, payment id, nonce, PIN; a block sealed with the fixed ephemeral secret (intermediate Z, K given) that must open to pin; opening with wrong_nonce or wrong_payment_id, or after flipping any byte, must fail.";
    (("pin_seal", about, values), sealed.block)
}

/// §6.1: the confirmation fields and their canonical bytes, and the same bytes with the
/// amount tampered with.
fn confirmation(nonce: &str, sealed_block: &[u8]) -> (Section, Vec<u8>, Vec<u8>) {
    let fields = ConfirmationFields {
        payment_id: PAYMENT_ID.into(),
        nonce: nonce.into(),
        payee_id: PAYEE_ID.into(),
        payee_name: PAYEE_NAME.into(),
        total: Amount::from_plain("150.00").expect("total"),
        amount: Amount::from_plain("120.00").expect("amount"),
        expires_at: EXPIRES_AT,
        device_id: DEVICE_ID.into(),
        sealed_pin_hash: sha256(sealed_block),
    };
    let bytes = fields.encode();
    let tampered = ConfirmationFields {
        amount: Amount::from_plain("150.00").expect("amount"),
        ..fields.clone()
    }
    .encode();
    let values = json!({
        "payment_id": PAYMENT_ID,
        "nonce": nonce,
        "payee_id": PAYEE_ID,
        "payee_name": PAYEE_NAME,
        "total": "150.00",
        "amount": "120.00",
        "currency": "EUR",
        "expires_at": EXPIRES_AT,
        "device_id": DEVICE_ID,
        "sealed_pin_hash_hex": hex(&fields.sealed_pin_hash),
        "expected_hex": hex(&bytes),
    });
    let about = "§6.1: the confirmation fields (payee_name is non-ASCII on purpose; sealed_pin_hash_hex is SHA-256 of pin_seal.sealed_hex) and their canonical bytes; decoding expected_hex must give the fields back.";
    (("confirmation", about, values), bytes, tampered)
}

/// The vectors' fixed device key.
fn device_signer() -> SoftwareSigner {
    SoftwareSigner::from_pkcs8(&unhex(DEVICE_KEY_PKCS8_HEX)).expect("vector key")
}

/// §6: the device key signs the confirmation; the signature must not verify the
/// tampered bytes. Returns the section and the key's SPKI.
fn signature(message: &[u8], tampered: &[u8]) -> (Section, Vec<u8>) {
    let signer = device_signer();
    let spki = signer.public_key().expect("spki");
    let signature = signer.sign(message).expect("sign");
    assert!(verify_p256(&spki, message, &signature));
    assert!(!verify_p256(&spki, tampered, &signature));
    let values = json!({
        "private_key_pkcs8_hex": DEVICE_KEY_PKCS8_HEX,
        "public_key_spki_hex": hex(&spki),
        "spki_sha256_pin": spki_sha256_pin(&spki),
        "message_hex": hex(message),
        "signature_der_hex": hex(&signature),
        "tampered_message_hex": hex(tampered),
    });
    let about = "§6: a fixed P-256 key (PKCS#8 and SPKI DER), message = confirmation.expected_hex, a DER ECDSA P-256 SHA-256 signature that must verify; tampered_message_hex (amount 150.00 instead of 120.00) must not verify with it. spki_sha256_pin is the HPKP-style pin of the SPKI.";
    (("signature", about, values), spki)
}

/// §6.2: the enrollment proof bytes for the vector key.
fn enrollment(spki: &[u8]) -> Section {
    let values = json!({
        "email": EMAIL,
        "email_normalized": EMAIL.trim().to_lowercase(),
        "activation_code": ACTIVATION_CODE,
        "public_key_spki_hex": hex(spki),
        "expected_hex": hex(&enrollment_bytes(EMAIL, ACTIVATION_CODE, spki)),
    });
    let about = "§6.2: e-mail as typed (trimmed and lowercased before encoding, see email_normalized), activation code, SPKI of signature.public_key_spki_hex, and the enrollment proof bytes.";
    ("enrollment", about, values)
}

/// §5.1.1 (v1.2): the client data an App Attest key attests, and its hash.
fn attestation_client_data_section(spki: &[u8]) -> Section {
    let challenge = sha256(b"cvconnect/test-vectors/enrollment-challenge");
    let client_data = attestation_client_data(&challenge, spki);
    let values = json!({
        "challenge_hex": hex(&challenge),
        "challenge": b64url(&challenge),
        "public_key_spki_hex": hex(spki),
        "client_data_hex": hex(&client_data),
        "client_data_hash_hex": hex(&sha256(&client_data)),
    });
    let about = "§5.1.1 and docs/attestation.md (v1.2): the enrollment challenge (raw bytes, and as the server sends it), the SPKI of signature.public_key_spki_hex, the canonical client data (tag cvconnect/attest/v1, challenge bytes, SPKI) and its SHA-256: the clientDataHash an iOS app passes to attestKey, which the backend recomputes.";
    ("attestation_client_data", about, values)
}

/// The canonical bytes of a request given as the vector writes it (body as text).
fn request_proof_bytes(request: &Value) -> Vec<u8> {
    let field = |key: &str| request[key].as_str().expect("text field");
    request_bytes(
        field("device_id"),
        field("method"),
        field("target"),
        &body_sha256(field("body").as_bytes()),
        request["timestamp"].as_i64().expect("timestamp"),
        field("proof_id"),
    )
}

/// §6.4: a confirm request signed by the vector key, its `Authorization` header, and
/// the same signature over requests that differ by one field, which must not verify.
fn request_proof(spki: &[u8]) -> Section {
    let proof_id = b64url(&sha256(b"cvconnect/test-vectors/proof-id")[..16]);
    let mut values = json!({
        "device_id": DEVICE_ID,
        "method": "POST",
        "target": format!("/v1/payments/{PAYMENT_ID}/confirm"),
        "body": PROOF_BODY,
        "body_sha256_hex": hex(&body_sha256(PROOF_BODY.as_bytes())),
        "timestamp": PROOF_TIMESTAMP,
        "proof_id": proof_id,
    });
    let bytes = request_proof_bytes(&values);
    let signature = device_signer().sign(&bytes).expect("sign");
    assert!(verify_p256(spki, &bytes, &signature));
    let proof = RequestProof {
        device_id: DEVICE_ID.into(),
        timestamp: PROOF_TIMESTAMP,
        proof_id,
        signature: b64url(&signature),
    };
    let body_hash = body_sha256(PROOF_BODY.as_bytes());
    assert_eq!(
        proof.signed_bytes("POST", values["target"].as_str().unwrap(), &body_hash),
        bytes
    );
    let refused = [
        json!({ "method": "GET" }),
        json!({ "target": "/v1/payments/pay_demo0002/confirm" }),
        json!({ "body": PROOF_BODY.replace("120.00", "150.00") }),
        json!({ "body": "" }),
        json!({ "timestamp": PROOF_TIMESTAMP + 1 }),
        json!({ "proof_id": b64url(&sha256(b"cvconnect/test-vectors/proof-id-2")[..16]) }),
    ]
    .map(|mut change| {
        let mut request = values.clone();
        for (key, value) in change.as_object().expect("object") {
            request[key] = value.clone();
        }
        let changed = request_proof_bytes(&request);
        assert!(!verify_p256(spki, &changed, &signature));
        if let Some(body) = change["body"].as_str() {
            change["body_sha256_hex"] = json!(hex(&body_sha256(body.as_bytes())));
        }
        change["expected_hex"] = json!(hex(&changed));
        change
    });
    let header = proof.header_value();
    let unsigned = header
        .strip_suffix(&proof.signature)
        .expect("signature last");
    values["expected_hex"] = json!(hex(&bytes));
    values["header_without_signature"] = json!(unsigned);
    values["signature_der_hex"] = json!(hex(&signature));
    values["authorization"] = json!(header);
    values["refused"] = json!(refused);
    let about = "§6.4: a request (device id, method, target as sent, body as UTF-8 text and its SHA-256, timestamp, proof_id = base64url of 16 bytes) and its canonical bytes; signature_der_hex, by the key of signature.public_key_spki_hex, must verify over them; authorization is the header value: header_without_signature, then the base64url of the signature. Each case of refused changes one field of the request (a body with its SHA-256; the empty body is a request without one: the SHA-256 of nothing) and gives its bytes, over which the same signature must not verify.";
    ("request_proof", about, values)
}

fn main() {
    let nonce = b64url(&sha256(b"cvconnect/test-vectors/nonce"));
    let challenge = b64url(&sha256(b"cvconnect/test-vectors/challenge"));
    let (seal_section, sealed_block) = pin_seal(&nonce);
    let (confirmation_section, message, tampered) = confirmation(&nonce, &sealed_block);
    let (signature_section, spki) = signature(&message, &tampered);
    let sections = [
        confirmation_section,
        (
            "auth",
            "§6.3: device id and challenge text, and the canonical bytes a device signs to get a token.",
            two_fields(
                ("device_id", DEVICE_ID),
                ("challenge", &challenge),
                &auth_bytes(DEVICE_ID, &challenge),
            ),
        ),
        enrollment(&spki),
        attestation_client_data_section(&spki),
        request_proof(&spki),
        (
            "pin_seal_aad",
            "§7 step 3: payment id and nonce, and the associated data of the PIN seal.",
            two_fields(
                ("payment_id", PAYMENT_ID),
                ("nonce", &nonce),
                &pin_seal_aad(PAYMENT_ID, &nonce),
            ),
        ),
        signature_section,
        seal_section,
    ];
    let mut description = Map::from_iter([("about".to_owned(), json!(ABOUT))]);
    let mut vectors = Map::from_iter([("version".to_owned(), json!(1))]);
    for (name, about, values) in sections {
        description.insert(name.to_owned(), json!(about));
        vectors.insert(name.to_owned(), values);
    }
    vectors.insert("description".to_owned(), Value::Object(description));
    let text = serde_json::to_string_pretty(&Value::Object(vectors)).expect("json");
    println!("{text}");
}
