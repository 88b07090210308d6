//! Device authentication and enrollment: bearer tokens and their single-use,
//! short-lived challenges, keys of the wrong kind refused, and activation codes that
//! are single use, bound to their e-mail and spent only by a valid proof of the key.

use cvconnect_core::crypto::signer::{DeviceSigner, SoftwareSigner};
use cvconnect_core::protocol::canonical::{auth_bytes, enrollment_bytes};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{EnrollRequest, Platform, TokenRequest};
use cvconnect_sandbox_client::SoftDevice;

use super::*;

/// A token request for `device_id` and `challenge`, signed by `device`'s key.
fn token_request(device: &SoftDevice, device_id: &str, challenge: &str) -> TokenRequest {
    let signature = device
        .signer
        .sign(&auth_bytes(device_id, challenge))
        .unwrap();
    TokenRequest {
        device_id: device_id.to_owned(),
        challenge: challenge.to_owned(),
        signature: b64(&signature),
    }
}

#[tokio::test]
async fn tokens_and_challenges() {
    let world = start().await;
    let api = world.beneficiary();
    let mut device = world.device(DEMO_EMAIL).await;
    // No token, bad token.
    assert_eq!(
        api.balance("nope").await.unwrap_err().code(),
        Some(ErrorCode::Unauthorized)
    );
    let response = world
        .http
        .get(world.url("/v1/balance"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // A merchant key is not a device token, and the other way round.
    let merchant_as_device = api.balance(DEMO_MERCHANT_KEY).await.unwrap_err();
    let as_merchant = world.merchant_with_key(&device.access_token);
    let device_as_merchant = as_merchant.payment("pay_x").await.unwrap_err();
    for refused in [merchant_as_device, device_as_merchant] {
        assert_eq!(refused.status(), Some(401));
    }

    // A challenge is single use.
    let challenge = api.challenge(&device.device_id).await.unwrap();
    let request = token_request(&device, &device.device_id, &challenge.challenge);
    api.token(&request).await.unwrap();
    let err = api.token(&request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidChallenge));
    assert_eq!(err.status(), Some(401));

    // A wrong signature consumes the challenge too.
    let challenge = api.challenge(&device.device_id).await.unwrap();
    let wrong_signature = TokenRequest {
        device_id: device.device_id.clone(),
        challenge: challenge.challenge.clone(),
        signature: b64(&device.signer.sign(b"something else").unwrap()),
    };
    // An unknown device gets a challenge like a known one, then invalid_challenge.
    let unknown = api.challenge("dev_unknown").await.unwrap();
    assert_eq!(unknown.challenge.len(), challenge.challenge.len());
    let unknown_device = token_request(&device, "dev_unknown", &unknown.challenge);
    for refused in [wrong_signature, unknown_device] {
        assert_eq!(
            api.token(&refused).await.unwrap_err().code(),
            Some(ErrorCode::InvalidChallenge),
            "{}",
            refused.device_id
        );
    }

    // An expired challenge.
    let challenge = api.challenge(&device.device_id).await.unwrap();
    world.admin.advance_clock(61).await.unwrap();
    let expired = token_request(&device, &device.device_id, &challenge.challenge);
    assert_eq!(
        api.token(&expired).await.unwrap_err().code(),
        Some(ErrorCode::InvalidChallenge)
    );

    // An expired token.
    device.authenticate().await.unwrap();
    assert!(device.balance().await.is_ok());
    world.admin.advance_clock(300).await.unwrap();
    assert_eq!(
        device.balance().await.unwrap_err().code(),
        Some(ErrorCode::Unauthorized)
    );
    device.authenticate().await.unwrap();
    assert!(device.balance().await.is_ok());
}

#[tokio::test]
async fn activation_codes_are_single_use_and_bound_to_the_email() {
    let world = start().await;
    let code = world.activation_code(DEMO_EMAIL).await.unwrap();
    // Another account's e-mail.
    let err = world
        .enroll("louis.bernard@example.fr", &code)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidActivationCode));
    assert_eq!(err.status(), Some(403));
    // E-mail case and spaces do not matter.
    let device = world
        .enroll(" Camille.Martin@Example.FR", &code)
        .await
        .unwrap();
    assert!(device.device_id.starts_with("dev_"));
    // Used, unknown, then expired after 24 h.
    let used = world.enroll(DEMO_EMAIL, &code).await.unwrap_err();
    let unknown = world.enroll(DEMO_EMAIL, "AAAA-BBBB").await.unwrap_err();
    let code = world.activation_code(DEMO_EMAIL).await.unwrap();
    world.admin.advance_clock(24 * 3600).await.unwrap();
    let expired = world.enroll(DEMO_EMAIL, &code).await.unwrap_err();
    for err in [used, unknown, expired] {
        assert_eq!(err.code(), Some(ErrorCode::InvalidActivationCode));
    }
    // A proof by another key is refused and does not consume the code.
    let code = world.activation_code(DEMO_EMAIL).await.unwrap();
    let key = SoftwareSigner::generate().unwrap();
    let other = SoftwareSigner::generate().unwrap();
    let public_key = key.public_key().unwrap();
    let signed_bytes = enrollment_bytes(DEMO_EMAIL, &code, &public_key);
    let mut request = EnrollRequest {
        email: DEMO_EMAIL.into(),
        activation_code: code.clone(),
        public_key: b64(&public_key),
        push_token: None,
        platform: Platform::Android,
        proof: b64(&other.sign(&signed_bytes).unwrap()),
        name: None,
        attestation: None,
    };
    let api = world.beneficiary();
    let err = api.enroll(&request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ValidationFailed));
    assert_eq!(err.info().unwrap().field.as_deref(), Some("proof"));
    request.proof = b64(&key.sign(&signed_bytes).unwrap());
    let enrolled = api.enroll(&request).await.unwrap();
    assert_eq!(enrolled.pin_length, 4);
}
