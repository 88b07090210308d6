//! The `request_proof` vector (§6.4): its canonical bytes and header through the core's
//! functions, and its signature, which verifies over its request and over no request
//! that differs by one field.

use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cvconnect_core::protocol::proof::{body_sha256, RequestProof, PROOF_ID_LEN};
use std::collections::BTreeSet;

/// The canonical bytes of a request as the vector writes it, once its body hash is
/// checked against the body text.
fn request_proof_bytes(request: &Value) -> Vec<u8> {
    let body_hash = body_sha256(text(request, "body").as_bytes());
    assert_eq!(hex(&body_hash), text(request, "body_sha256_hex"));
    request_bytes(
        text(request, "device_id"),
        text(request, "method"),
        text(request, "target"),
        &body_hash,
        request["timestamp"].as_i64().expect("timestamp"),
        text(request, "proof_id"),
    )
}

/// The vector's request with the fields of one `refused` case in place of its own.
fn changed_request(base: &Value, change: &Value) -> Value {
    let mut request = base.clone();
    for (key, value) in change.as_object().expect("a refused case is an object") {
        request[key] = value.clone();
    }
    request
}

#[test]
fn request_proof_bytes_and_header_match() {
    let r = section("request_proof");
    let expected = bytes(r, "expected_hex");
    assert_eq!(request_proof_bytes(r), expected);

    let header = text(r, "authorization");
    let proof = RequestProof::parse(header).expect("the vector's header is a proof");
    assert_eq!(proof.header_value(), header);
    assert_eq!(proof.device_id, text(r, "device_id"));
    assert_eq!(proof.timestamp, r["timestamp"].as_i64().unwrap());
    assert_eq!(proof.proof_id, text(r, "proof_id"));
    assert_eq!(proof.proof_id.len(), PROOF_ID_LEN);
    let signature = URL_SAFE_NO_PAD.decode(&proof.signature).expect("base64url");
    assert_eq!(signature, bytes(r, "signature_der_hex"));
    let unsigned = text(r, "header_without_signature");
    assert_eq!(format!("{unsigned}{}", proof.signature), header);

    let body_hash = body_sha256(text(r, "body").as_bytes());
    let signed = proof.signed_bytes(text(r, "method"), text(r, "target"), &body_hash);
    assert_eq!(signed, expected);
}

#[test]
fn request_proof_signature_verifies_only_its_request() {
    let r = section("request_proof");
    let spki = bytes(section("signature"), "public_key_spki_hex");
    let signature = bytes(r, "signature_der_hex");
    assert!(verify_p256(&spki, &bytes(r, "expected_hex"), &signature));

    let refused = r["refused"].as_array().expect("refused cases");
    let mut changed_fields = BTreeSet::new();
    for change in refused {
        let changed = bytes(change, "expected_hex");
        assert_eq!(request_proof_bytes(&changed_request(r, change)), changed);
        assert_ne!(changed, bytes(r, "expected_hex"), "{change}");
        assert!(!verify_p256(&spki, &changed, &signature), "{change}");
        changed_fields.extend(change.as_object().unwrap().keys().cloned());
    }
    let covered = ["method", "target", "body", "timestamp", "proof_id"];
    for field in covered {
        assert!(
            changed_fields.contains(field),
            "no refused case changes {field}"
        );
    }
    let empty_body = refused.iter().find(|change| change["body"] == "");
    let empty_body = empty_body.expect("a refused case without a body");
    assert_eq!(
        bytes(empty_body, "body_sha256_hex"),
        ring::digest::digest(&ring::digest::SHA256, b"").as_ref()
    );
}
