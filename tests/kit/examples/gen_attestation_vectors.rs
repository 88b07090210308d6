//! Prints the `attestation_evidence` section of `docs/protocol-vectors.json`: one Android
//! Key Attestation chain and one App Attest object, with the test roots, app identities,
//! challenge and device key they were made for, and the time to verify them at. A
//! backend implementing protocol v1.2 checks that both verify with these settings and
//! that changing the challenge refuses them. The keys are random: regenerating changes
//! every byte. Run: `cargo run -p cvconnect-testkit --example gen_attestation_vectors`.

use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_testkit::attestation::android::{self, AndroidChainBuilder};
use cvconnect_testkit::attestation::apple::{self, AppAttestBuilder};
use serde_json::json;

/// 2026-11-30T00:00:00Z: inside every test certificate's validity.
const VERIFY_AT: i64 = 1_795_996_800;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    let spki = SoftwareSigner::generate().expect("key").public_key_spki();
    let challenge: Vec<u8> = (0u8..32).collect();
    let chain = AndroidChainBuilder::new(&spki, &challenge)
        .at(VERIFY_AT)
        .build()
        .chain;
    let app_attest = AppAttestBuilder::new(&challenge, &spki)
        .at(VERIFY_AT)
        .build();
    let section = json!({
        "challenge_hex": hex(&challenge),
        "public_key_spki_hex": hex(&spki),
        "verify_at": VERIFY_AT,
        "android_key": {
            "root_der_hex": hex(android::test_root().der()),
            "package_name": android::PACKAGE_NAME,
            "signing_cert_digest_hex": hex(&android::SIGNING_CERT_DIGEST),
            "certificate_chain_hex": chain.iter().map(|der| hex(der)).collect::<Vec<_>>(),
            "expected_security_level": "strongbox",
        },
        "apple_appattest": {
            "root_der_hex": hex(apple::test_ca().root_der()),
            "team_id": apple::TEAM_ID,
            "bundle_id": apple::BUNDLE_ID,
            "environment": "production",
            "key_id_hex": hex(&app_attest.key_id),
            "attestation_object_hex": hex(&app_attest.attestation_object),
            "expected_security_level": "secure_enclave",
        },
    });
    println!("{}", serde_json::to_string_pretty(&section).expect("json"));
}
