//! iOS App Attest verification (issue 18): real attestation objects built by the test kit
//! under its test root, a valid one per environment, then one refusal per check, each
//! with its exact error.

use cvconnect_sandbox::attestation::apple::{self, AppleError, Input, MAX_OBJECT_LEN};
use cvconnect_sandbox::attestation::{
    AppAttestEnvironment, ApplePolicy, AttestedPlatform, ChainError, SecurityLevel, Verified,
};
use cvconnect_testkit::attestation::apple::{
    test_policy, AppAttestBuilder, AppAttestation, Defect, BUNDLE_ID,
};
use rcgen::PublicKeyData;

const CHALLENGE: &[u8] = b"single-use enrollment challenge";
/// The verification time (2030); the builder's certificates are valid around it.
const NOW: i64 = 1_900_000_000;
/// Length of the kit's authData: 37 fixed bytes, 16 aaguid, 2 + 32 credential id, 77 COSE.
const AUTH_DATA_LEN: usize = 164;

const VERIFIED: Verified = Verified {
    platform: AttestedPlatform::Ios,
    level: SecurityLevel::SecureEnclave,
};

/// A fresh device signing key, P-256 SPKI DER, as the phone enrolls it.
fn device_spki() -> Vec<u8> {
    rcgen::KeyPair::generate()
        .expect("device key")
        .subject_public_key_info()
}

/// Verifies an attestation made by `alter(builder for CHALLENGE and a device key)` as
/// the server does for that same challenge and key.
fn verify_built(
    policy: &ApplePolicy,
    alter: impl FnOnce(AppAttestBuilder) -> AppAttestBuilder,
) -> Result<Verified, AppleError> {
    let spki = device_spki();
    let attestation = alter(AppAttestBuilder::new(CHALLENGE, &spki).at(NOW)).build();
    verify(
        policy,
        &attestation.key_id,
        &attestation.attestation_object,
        &spki,
    )
}

/// A valid attestation for `challenge` and `device_spki`.
fn attest(challenge: &[u8], device_spki: &[u8]) -> AppAttestation {
    AppAttestBuilder::new(challenge, device_spki)
        .at(NOW)
        .build()
}

fn verify(
    policy: &ApplePolicy,
    key_id: &[u8],
    attestation_object: &[u8],
    device_spki: &[u8],
) -> Result<Verified, AppleError> {
    let input = Input {
        key_id,
        attestation_object,
        challenge: CHALLENGE,
        device_spki,
    };
    apple::verify(policy, &input, NOW)
}

fn development_policy() -> ApplePolicy {
    ApplePolicy {
        environment: AppAttestEnvironment::Development,
        ..test_policy()
    }
}

#[test]
fn attestation_valid_in_production() {
    assert_eq!(verify_built(&test_policy(), |b| b), Ok(VERIFIED));
}

#[test]
fn attestation_valid_in_development_with_a_development_policy() {
    let development = |b: AppAttestBuilder| b.environment(AppAttestEnvironment::Development);
    assert_eq!(
        verify_built(&development_policy(), development),
        Ok(VERIFIED)
    );
}

/// One test per refusal: the attestation `alter` makes, verified under `policy`, is
/// refused with exactly `refusal`.
macro_rules! refused {
    ($($name:ident: $policy:expr, $alter:expr => $refusal:expr;)+) => {$(
        #[test]
        fn $name() {
            assert_eq!(verify_built(&$policy, $alter), Err($refusal));
        }
    )+};
}

refused! {
    attestation_refused_for_auth_data_altered_after_the_nonce:
        test_policy(), |b| b.defect(Defect::TamperedAuthData) => AppleError::NonceMismatch;
    attestation_refused_for_another_app_id:
        test_policy(), |b| b.app("ZYXWV98765", BUNDLE_ID) => AppleError::RpIdMismatch;
    attestation_refused_for_a_non_zero_counter:
        test_policy(), |b| b.sign_count(1) => AppleError::NonZeroCounter;
    attestation_refused_for_a_development_aaguid_in_production:
        test_policy(), |b| b.environment(AppAttestEnvironment::Development)
        => AppleError::AaguidMismatch;
    attestation_refused_for_a_production_aaguid_in_development:
        development_policy(), |b| b => AppleError::AaguidMismatch;
    attestation_refused_for_a_credential_id_other_than_the_key_id:
        test_policy(), |b| b.credential_id(&[7; 32]) => AppleError::CredentialIdMismatch;
    attestation_refused_for_a_key_id_other_than_the_certified_keys:
        test_policy(), |b| b.key_id(&[7; 32]) => AppleError::KeyIdMismatch;
    attestation_refused_for_a_cose_key_other_than_the_certified_key:
        test_policy(), |b| b.defect(Defect::ForeignCoseKey) => AppleError::PublicKeyMismatch;
    attestation_refused_under_another_root:
        test_policy(), |b| b.defect(Defect::RogueRoot)
        => AppleError::Chain(ChainError::UntrustedRoot);
    attestation_refused_for_an_expired_credential_certificate:
        test_policy(), |b| b.defect(Defect::ExpiredCredCert)
        => AppleError::Chain(ChainError::Expired { index: 0 });
    attestation_refused_for_another_statement_format:
        test_policy(), |b| b.format("packed") => AppleError::WrongFormat;
}

#[test]
fn attestation_refused_for_another_challenge() {
    let spki = device_spki();
    let attestation = attest(b"an earlier challenge", &spki);
    let result = verify(
        &test_policy(),
        &attestation.key_id,
        &attestation.attestation_object,
        &spki,
    );
    assert_eq!(result, Err(AppleError::NonceMismatch));
}

#[test]
fn attestation_refused_for_another_device_key() {
    let attestation = attest(CHALLENGE, &device_spki());
    let (key_id, object) = (&attestation.key_id, &attestation.attestation_object);
    let result = verify(&test_policy(), key_id, object, &device_spki());
    assert_eq!(result, Err(AppleError::NonceMismatch));
}

#[test]
fn attestation_refused_for_any_altered_auth_data_byte() {
    let spki = device_spki();
    let attestation = attest(CHALLENGE, &spki);
    let object = &attestation.attestation_object;
    // authData is the object's last field: its bytes end the CBOR.
    for position in object.len() - AUTH_DATA_LEN..object.len() {
        let mut altered = object.clone();
        altered[position] ^= 0x01;
        let result = verify(&test_policy(), &attestation.key_id, &altered, &spki);
        assert!(result.is_err(), "byte {position} of authData is not bound");
    }
}

#[test]
fn attestation_refused_for_truncated_auth_data_at_every_length() {
    for len in 0..AUTH_DATA_LEN {
        let result = verify_built(&test_policy(), |b| b.defect(Defect::TruncatedAuthData(len)));
        assert_eq!(
            result,
            Err(AppleError::TruncatedAuthData),
            "authData cut at {len}"
        );
    }
}

#[test]
fn attestation_refused_for_garbage_cbor_without_panic() {
    let garbage: [&[u8]; 8] = [
        b"",
        b"not CBOR at all",
        &[0x18, 0x2a],                                           // the integer 42
        &[0xa0],                                                 // an empty map
        &[0xa1, 0x63, b'f', b'm', b't', 0x01],                   // fmt: 1
        &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // bytes of 2^64-1, absent
        &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // array of 2^64-1, absent
        &[0x81; 4096],                                           // arrays nested 4096 deep
    ];
    for bytes in garbage {
        let result = verify(&test_policy(), &[0; 32], bytes, &device_spki());
        assert_eq!(result, Err(AppleError::MalformedCbor), "{bytes:02x?}");
    }
}

#[test]
fn attestation_refused_for_every_truncation_of_the_object_without_panic() {
    let spki = device_spki();
    let attestation = attest(CHALLENGE, &spki);
    let object = &attestation.attestation_object;
    for len in 0..object.len() {
        let result = verify(&test_policy(), &attestation.key_id, &object[..len], &spki);
        assert_eq!(
            result,
            Err(AppleError::MalformedCbor),
            "object cut at {len}"
        );
    }
}

#[test]
fn attestation_refused_when_larger_than_the_bound() {
    let oversized = vec![0; MAX_OBJECT_LEN + 1];
    let result = verify(&test_policy(), &[0; 32], &oversized, &device_spki());
    assert_eq!(result, Err(AppleError::TooLarge));
}
