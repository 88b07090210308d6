//! Key attestation at enrollment (protocol v1.2 §5.1.1), end to end: the real core asks
//! the backend for a challenge, its signer attests the key for it (with the test kit's
//! Android Key Attestation chains and App Attest objects, under test roots the sandbox
//! trusts), and the sandbox enrolls a device only as its policy allows. A refusal
//! enrolls nothing, leaves the activation code usable, and says nothing of which check
//! failed.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cvconnect_core::client::{Client, ClientConfig, ClientError, EnrolledDevice, HttpError};
use cvconnect_core::crypto::signer::{DeviceSigner, SoftwareSigner};
use cvconnect_core::crypto::DeviceAttestation;
use cvconnect_core::protocol::canonical::enrollment_bytes;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{
    AttestationEvidence, AttestationPolicy, AttestationStatement, EnrollRequest, Platform,
};
use cvconnect_sandbox::attestation::AttestationConfig;
use cvconnect_testkit::attestation::android::AndroidChainBuilder;
use cvconnect_testkit::attestation::apple::AppAttestBuilder;
use cvconnect_testkit::attestation::signer::AttestingSigner;
use cvconnect_testkit::attestation::{android, apple};
use cvconnect_testkit::{Options, World};

async fn world(policy: AttestationPolicy) -> World {
    let mut options = Options::default();
    options.sandbox.attestation = AttestationConfig {
        policy,
        android: Some(android::test_policy()),
        apple: Some(apple::test_policy()),
    };
    World::start(options).await.unwrap()
}

/// Enrolls a new phone with `signer` on a new account; the account's e-mail, the
/// activation code, and what the enrollment gave.
async fn enroll(
    world: &World,
    signer: Arc<dyn DeviceSigner>,
) -> (String, String, Result<EnrolledDevice, ClientError>) {
    let account = world.account("100.00").await.unwrap();
    let code = world.activation_code(&account.email).await.unwrap();
    let result = enroll_with(world, signer, &account.email, &code).await;
    (account.email, code, result)
}

async fn enroll_with(
    world: &World,
    signer: Arc<dyn DeviceSigner>,
    email: &str,
    code: &str,
) -> Result<EnrolledDevice, ClientError> {
    let config = ClientConfig::new(&world.base_url, world.new_dir("phone"));
    let client = Client::new(config, signer, None).unwrap();
    let result = client.enroll(email, code, None, Platform::Android).await;
    assert_eq!(client.is_enrolled().unwrap(), result.is_ok());
    result
}

fn refused_with(result: Result<EnrolledDevice, ClientError>, expected: ErrorCode) -> String {
    match result {
        Err(ClientError::Http(HttpError::Api { code, message, .. })) if code == expected => message,
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

/// The security levels the admin API shows for the account's devices.
async fn levels(world: &World, email: &str) -> Vec<Option<String>> {
    let listed = world.admin.devices(email).await.unwrap().devices;
    listed
        .into_iter()
        .map(|device| device.attestation.map(|a| a.security_level))
        .collect()
}

#[tokio::test]
async fn required_attestation_enrolls_a_strongbox_android_phone_and_records_its_level() {
    let world = world(AttestationPolicy::Required).await;
    let signer = AttestingSigner::android(|builder| builder);
    let (email, _, enrolled) = enroll(&world, signer.clone()).await;
    enrolled.unwrap();
    assert_eq!(signer.challenges().len(), 1);
    assert_eq!(
        signer.challenges()[0].len(),
        32,
        "the server's 32-byte challenge"
    );
    assert_eq!(levels(&world, &email).await, [Some("strongbox".to_owned())]);
}

#[tokio::test]
async fn required_attestation_enrolls_an_iphone_with_app_attest_and_lists_it() {
    let world = world(AttestationPolicy::Required).await;
    let signer = AttestingSigner::apple(|builder| builder);
    let account = world.account("100.00").await.unwrap();
    let code = world.activation_code(&account.email).await.unwrap();
    let config = ClientConfig::new(&world.base_url, world.new_dir("phone"));
    let client = Client::new(config, signer, None).unwrap();
    client
        .enroll(&account.email, &code, None, Platform::Ios)
        .await
        .unwrap();
    let devices = client.devices().await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(
        devices[0].attested_security_level.as_deref(),
        Some("secure_enclave")
    );
}

#[tokio::test]
async fn required_attestation_refuses_a_phone_without_one_and_keeps_its_activation_code() {
    let world = world(AttestationPolicy::Required).await;
    let software = Arc::new(SoftwareSigner::generate().unwrap());
    let (email, code, enrolled) = enroll(&world, software).await;
    refused_with(enrolled, ErrorCode::AttestationRequired);
    assert!(levels(&world, &email).await.is_empty(), "nothing enrolled");
    // The same code still enrolls the phone once it attests its key.
    let signer = AttestingSigner::android(AndroidChainBuilder::tee);
    enroll_with(&world, signer, &email, &code).await.unwrap();
    assert_eq!(
        levels(&world, &email).await,
        [Some("trusted_environment".to_owned())]
    );
}

#[tokio::test]
async fn a_software_key_attestation_is_refused_without_saying_which_check_failed() {
    let world = world(AttestationPolicy::Required).await;
    let signer = AttestingSigner::android(AndroidChainBuilder::software);
    let (email, code, enrolled) = enroll(&world, signer).await;
    let message = refused_with(enrolled, ErrorCode::AttestationRefused);
    assert_eq!(message, ErrorCode::AttestationRefused.message_fr());
    assert!(levels(&world, &email).await.is_empty(), "nothing enrolled");
    let genuine = AttestingSigner::android(|builder| builder);
    enroll_with(&world, genuine, &email, &code).await.unwrap();
}

#[tokio::test]
async fn an_attestation_of_another_key_than_the_one_enrolled_is_refused() {
    let world = world(AttestationPolicy::Required).await;
    let other_key = android::fresh_device_spki();
    let signer = AttestingSigner::android(move |builder| builder.certified_key(&other_key));
    let (email, _, enrolled) = enroll(&world, signer).await;
    refused_with(enrolled, ErrorCode::AttestationRefused);
    assert!(levels(&world, &email).await.is_empty());
}

#[tokio::test]
async fn an_attestation_made_for_another_challenge_is_refused() {
    let world = world(AttestationPolicy::Required).await;
    let signer = AttestingSigner::with(|_, spki| {
        let attestation = AppAttestBuilder::new(&[7u8; 32], spki).build();
        Some(DeviceAttestation::AppleAppAttest {
            key_id: attestation.key_id,
            attestation_object: attestation.attestation_object,
        })
    });
    let (email, _, enrolled) = enroll(&world, signer).await;
    refused_with(enrolled, ErrorCode::AttestationRefused);
    assert!(levels(&world, &email).await.is_empty());
}

#[tokio::test]
async fn optional_attestation_enrolls_an_unattested_phone_as_unattested() {
    let world = world(AttestationPolicy::Optional).await;
    let software = Arc::new(SoftwareSigner::generate().unwrap());
    let (email, _, enrolled) = enroll(&world, software).await;
    enrolled.unwrap();
    let attested = AttestingSigner::android(|builder| builder);
    let code = world.activation_code(&email).await.unwrap();
    enroll_with(&world, attested, &email, &code).await.unwrap();
    assert_eq!(
        levels(&world, &email).await,
        [None, Some("strongbox".to_owned())]
    );
}

#[tokio::test]
async fn with_attestation_off_the_signer_is_never_asked() {
    let world = world(AttestationPolicy::Off).await;
    let signer = AttestingSigner::android(|builder| builder);
    let (email, _, enrolled) = enroll(&world, signer.clone()).await;
    enrolled.unwrap();
    assert!(signer.challenges().is_empty());
    assert_eq!(levels(&world, &email).await, [None]);
}

/// A raw enrollment (the sandbox's own client) with `key`, attested for `challenge`.
async fn raw_enroll(
    world: &World,
    email: &str,
    key: &SoftwareSigner,
    challenge: &[u8],
) -> Option<ErrorCode> {
    let code = world.activation_code(email).await.unwrap();
    let spki = key.public_key_spki();
    let chain = AndroidChainBuilder::new(&spki, challenge).build().chain;
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let request = EnrollRequest {
        email: email.to_owned(),
        activation_code: code.clone(),
        public_key: b64(&spki),
        push_token: None,
        platform: Platform::Android,
        proof: b64(&key.sign(&enrollment_bytes(email, &code, &spki)).unwrap()),
        name: None,
        attestation: Some(AttestationEvidence {
            challenge: b64(challenge),
            statement: AttestationStatement::AndroidKey {
                certificate_chain: chain.iter().map(|der| b64(der)).collect(),
            },
        }),
    };
    world.beneficiary().enroll(&request).await.err()?.code()
}

#[tokio::test]
async fn an_enrollment_challenge_is_single_use() {
    let world = world(AttestationPolicy::Required).await;
    let account = world.account("100.00").await.unwrap();
    let issued = world.beneficiary().enrollment_challenge().await.unwrap();
    assert_eq!(issued.policy, AttestationPolicy::Required);
    let challenge = URL_SAFE_NO_PAD.decode(&issued.challenge).unwrap();
    let first = SoftwareSigner::generate().unwrap();
    assert_eq!(
        raw_enroll(&world, &account.email, &first, &challenge).await,
        None
    );
    let second = SoftwareSigner::generate().unwrap();
    assert_eq!(
        raw_enroll(&world, &account.email, &second, &challenge).await,
        Some(ErrorCode::AttestationRefused)
    );
    assert_eq!(levels(&world, &account.email).await.len(), 1);
}

#[tokio::test]
async fn an_expired_or_unknown_enrollment_challenge_is_refused() {
    let world = world(AttestationPolicy::Required).await;
    let account = world.account("100.00").await.unwrap();
    let key = SoftwareSigner::generate().unwrap();
    let unknown = [9u8; 32];
    assert_eq!(
        raw_enroll(&world, &account.email, &key, &unknown).await,
        Some(ErrorCode::AttestationRefused)
    );
    let issued = world.beneficiary().enrollment_challenge().await.unwrap();
    world.advance_clock(301).await.unwrap();
    let challenge = URL_SAFE_NO_PAD.decode(&issued.challenge).unwrap();
    assert_eq!(
        raw_enroll(&world, &account.email, &key, &challenge).await,
        Some(ErrorCode::AttestationRefused)
    );
    assert!(levels(&world, &account.email).await.is_empty());
}
