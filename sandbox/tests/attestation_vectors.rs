//! The `attestation_evidence` vectors of docs/protocol-vectors.json, checked by the
//! reference backend's verifier with the settings the vectors give: both verify at their
//! time and level, and neither verifies for another challenge or another device key.

use std::collections::HashSet;
use std::sync::LazyLock;

use cvconnect_sandbox::attestation::{
    verify, AndroidPolicy, AppAttestEnvironment, ApplePolicy, AttestationConfig, AttestationError,
    Evidence, Policy, SecurityLevel,
};
use serde_json::Value;

static VECTORS: LazyLock<Value> = LazyLock::new(|| {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol-vectors.json");
    let text = std::fs::read_to_string(path).expect("docs/protocol-vectors.json");
    serde_json::from_str::<Value>(&text).expect("json")["attestation_evidence"].clone()
});

fn text(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key}"))
        .to_owned()
}

fn bytes(value: &Value, key: &str) -> Vec<u8> {
    unhex(&text(value, key))
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn config() -> AttestationConfig {
    let (android, apple) = (&VECTORS["android_key"], &VECTORS["apple_appattest"]);
    assert_eq!(text(apple, "environment"), "production");
    AttestationConfig {
        policy: Policy::Required,
        android: Some(AndroidPolicy {
            package_name: text(android, "package_name"),
            signing_cert_digests: vec![bytes(android, "signing_cert_digest_hex")
                .try_into()
                .expect("32 bytes")],
            roots: vec![bytes(android, "root_der_hex")],
            revoked_serials: HashSet::new(),
        }),
        apple: Some(ApplePolicy {
            team_id: text(apple, "team_id"),
            bundle_id: text(apple, "bundle_id"),
            roots: vec![bytes(apple, "root_der_hex")],
            environment: AppAttestEnvironment::Production,
        }),
    }
}

/// Verifies both vectors with `challenge` and `spki`: the Android and the Apple result.
fn verify_both(challenge: &[u8], spki: &[u8]) -> [Result<SecurityLevel, AttestationError>; 2] {
    let (android, apple) = (&VECTORS["android_key"], &VECTORS["apple_appattest"]);
    let chain: Vec<Vec<u8>> = android["certificate_chain_hex"]
        .as_array()
        .expect("chain")
        .iter()
        .map(|der| unhex(der.as_str().expect("hex")))
        .collect();
    let key_id = bytes(apple, "key_id_hex");
    let object = bytes(apple, "attestation_object_hex");
    let now = VECTORS["verify_at"].as_i64().expect("verify_at");
    let config = config();
    let android_evidence = Evidence::AndroidKey { chain: &chain };
    let apple_evidence = Evidence::AppleAppAttest {
        key_id: &key_id,
        attestation_object: &object,
    };
    [android_evidence, apple_evidence]
        .map(|evidence| verify(&config, evidence, challenge, spki, now).map(|v| v.level))
}

#[test]
fn attestation_vectors_verify_at_their_time_and_level() {
    let challenge = bytes(&VECTORS, "challenge_hex");
    let spki = bytes(&VECTORS, "public_key_spki_hex");
    let [android, apple] = verify_both(&challenge, &spki);
    assert_eq!(android.unwrap(), SecurityLevel::StrongBox);
    assert_eq!(apple.unwrap(), SecurityLevel::SecureEnclave);
    assert_eq!(
        text(&VECTORS["android_key"], "expected_security_level"),
        SecurityLevel::StrongBox.as_str()
    );
}

#[test]
fn attestation_vectors_are_refused_for_another_challenge_or_key() {
    let challenge = bytes(&VECTORS, "challenge_hex");
    let spki = bytes(&VECTORS, "public_key_spki_hex");
    let mut other_challenge = challenge.clone();
    other_challenge[0] ^= 1;
    let mut other_spki = spki.clone();
    *other_spki.last_mut().expect("a key") ^= 1;
    for (challenge, spki) in [(&other_challenge, &spki), (&challenge, &other_spki)] {
        for result in verify_both(challenge, spki) {
            assert!(result.is_err(), "{result:?}");
        }
    }
}
