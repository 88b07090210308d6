//! Tampering, replays, wrong PINs, device authentication and enrollment rules.

mod common;

use common::*;
use cvconnect_core::crypto::seal::SealedPin;
use cvconnect_core::crypto::signer::{DeviceSigner, SoftwareSigner};
use cvconnect_core::protocol::canonical::{auth_bytes, enrollment_bytes, ConfirmationFields};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{
    ConfirmRequest, EnrollRequest, PaymentStatus, Platform, TokenRequest,
};
use cvconnect_sandbox_client::{ClientError, SoftDevice};

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A refused confirmation: its code and the attempts it says are left.
fn refusal(err: &ClientError) -> (Option<ErrorCode>, Option<u8>) {
    (err.code(), err.info().unwrap().attempts_left)
}

#[tokio::test]
async fn tampered_amount_is_refused() {
    let (_env, device, id) = start_paying("150.00").await;
    let (detail, mut request) =
        signed(&device, &id, "10.00", DEMO_PIN, "idem_tamper_amount_01").await;
    request.amount = eur("150.00");
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(
        refusal(&err),
        (Some(ErrorCode::AuthenticationFailed), Some(2))
    );
    assert_eq!(err.status(), Some(403));
    assert_eq!(device.balance().await.unwrap(), eur("200.00"));
    // The nonce was consumed: a new read gives a new one.
    assert_ne!(device.payment(&id).await.unwrap().nonce, detail.nonce);
}

#[tokio::test]
async fn tampered_payee_is_refused() {
    let (_env, device, id) = start_paying("150.00").await;
    let mut detail = device.payment(&id).await.unwrap();
    detail.payee.name = "Boutique Pirate".into();
    let request = device
        .confirm_request(&detail, eur("150.00"), DEMO_PIN, "idem_tamper_payee_01")
        .unwrap();
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AuthenticationFailed));
    let mut detail = device.payment(&id).await.unwrap();
    detail.total = eur("15.00");
    let request = device
        .confirm_request(&detail, eur("15.00"), DEMO_PIN, "idem_tamper_total_01")
        .unwrap();
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(
        refusal(&err),
        (Some(ErrorCode::AuthenticationFailed), Some(1))
    );
    assert_eq!(device.balance().await.unwrap(), eur("200.00"));
}

#[tokio::test]
async fn replay_same_key_is_idempotent_new_key_is_refused() {
    let (world, device, id) = start_paying("100.00").await;
    let (_, request) = signed(&device, &id, "100.00", DEMO_PIN, "idem_replay_0000001").await;
    let first = device.confirm(&id, &request).await.unwrap();
    let second = device.confirm(&id, &request).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(second.balance, eur("100.00"));
    // Same body, new key: the payment is final.
    let mut other = request.clone();
    other.idempotency_key = "idem_replay_0000002".into();
    let err = device.confirm(&id, &other).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::PaymentNotPending));
    assert_eq!(err.info().unwrap().status, Some(PaymentStatus::Authorised));
    // Same key, other body.
    let mut conflict = request.clone();
    conflict.amount = eur("99.00");
    let err = device.confirm(&id, &conflict).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::IdempotencyConflict));
    assert_eq!(world.admin.ledger().await.unwrap().entries.len(), 1);
    assert_eq!(device.balance().await.unwrap(), eur("100.00"));
}

#[tokio::test]
async fn replay_on_another_payment_uses_the_wrong_nonce() {
    let (world, device, a) = start_paying("30.00").await;
    let b = world.request("30.00").await;
    let (_, request) = signed(&device, &a, "30.00", DEMO_PIN, "idem_cross_payment_01").await;
    let err = device.confirm(&b, &request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NonceUsed));
    assert_eq!(err.status(), Some(409));
}

#[tokio::test]
async fn wrong_pins_lock_with_warning_and_unlock() {
    let (world, device, id) = start_paying("50.00").await;
    let err = device.pay(&id, eur("50.00"), "0000").await.unwrap_err();
    assert_eq!(
        refusal(&err),
        (Some(ErrorCode::AuthenticationFailed), Some(2))
    );
    assert_eq!(device.payment(&id).await.unwrap().attempts_left, 2);
    let err = device.pay(&id, eur("50.00"), "1111").await.unwrap_err();
    assert_eq!(err.info().unwrap().attempts_left, Some(1));
    assert!(err.info().unwrap().message.contains("dernier essai"));
    let err = device.pay(&id, eur("50.00"), "2222").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::PinLocked));
    assert_eq!(err.status(), Some(403));
    assert_eq!(
        world.merchant().payment(&id).await.unwrap().status,
        PaymentStatus::Refused
    );
    // Locked: even the right DEMO_PIN on a new request answers pin_locked.
    let id2 = world.request("50.00").await;
    let err = device.pay(&id2, eur("50.00"), DEMO_PIN).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::PinLocked));
    assert_eq!(device.payment(&id2).await.unwrap().attempts_left, 0);
    assert!(world.admin.account(DEMO_EMAIL).await.unwrap().pin_locked);
    world.admin.unlock(DEMO_EMAIL).await.unwrap();
    let ok = device.pay(&id2, eur("50.00"), DEMO_PIN).await.unwrap();
    assert_eq!(ok.balance, eur("150.00"));
}

#[tokio::test]
async fn correct_pin_resets_the_counter() {
    let (world, device, id) = start_paying("20.00").await;
    device.pay(&id, eur("20.00"), "9999").await.unwrap_err();
    device.pay(&id, eur("20.00"), "9998").await.unwrap_err();
    device.pay(&id, eur("20.00"), DEMO_PIN).await.unwrap();
    let id = world.request("20.00").await;
    let err = device.pay(&id, eur("20.00"), "9999").await.unwrap_err();
    assert_eq!(err.info().unwrap().attempts_left, Some(2));
}

#[tokio::test]
async fn bad_sealed_pins_count_as_wrong_pins() {
    let (world, device, id) = start_paying("20.00").await;
    // The right PIN sealed for an earlier nonce, under a valid signature over the
    // current one: it opens only if the nonce was not drawn again after the wrong PIN.
    let (_, stale) = signed(&device, &id, "20.00", DEMO_PIN, "idem_stale_seal_0001").await;
    device.pay(&id, eur("20.00"), "0000").await.unwrap_err();
    let detail = device.payment(&id).await.unwrap();
    let sealed = SealedPin::from_base64url(&stale.sealed_pin).unwrap();
    let fields =
        ConfirmationFields::for_payment(&detail, eur("20.00"), &device.device_id, sealed.sha256());
    let request = ConfirmRequest {
        nonce: detail.nonce.clone(),
        signature: b64(&device.signer.sign(&fields.encode()).unwrap()),
        idempotency_key: "idem_stale_seal_0002".into(),
        ..stale
    };
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(
        refusal(&err),
        (Some(ErrorCode::AuthenticationFailed), Some(1))
    );
    // Garbage that is valid base64url: also a failure (and the lock).
    let (_, mut request) = signed(&device, &id, "20.00", DEMO_PIN, "idem_garbage_seal_01").await;
    request.sealed_pin = b64(&[1u8; 40]);
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::PinLocked));
    // Not base64url at all: a validation error, no attempt counted.
    world.admin.unlock(DEMO_EMAIL).await.unwrap();
    let id = world.request("20.00").await;
    let (_, mut request) = signed(&device, &id, "20.00", DEMO_PIN, "idem_not_base64_001").await;
    request.sealed_pin = "***".into();
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ValidationFailed));
    assert_eq!(err.info().unwrap().field.as_deref(), Some("sealed_pin"));
    assert_eq!(device.payment(&id).await.unwrap().attempts_left, 3);
}

#[tokio::test]
async fn another_devices_signature_is_refused() {
    let (world, device, id) = start_paying("20.00").await;
    let mut thief = world.device(DEMO_EMAIL).await;
    let detail = device.payment(&id).await.unwrap();
    // A request signed by `thief` sent with `device`'s token.
    let thief_id = std::mem::replace(&mut thief.device_id, device.device_id.clone());
    let request = thief
        .confirm_request(&detail, eur("20.00"), DEMO_PIN, "idem_other_device_01")
        .unwrap();
    thief.device_id = thief_id;
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AuthenticationFailed));
}

/// The raw answers (status and JSON body) to three confirmations of a new request of
/// the demo account, each refused for `failing`: the wrong element, in a world of its
/// own so that the counters start equal.
async fn three_refusals(failing: Element) -> Vec<(u16, serde_json::Value)> {
    let (world, device, id) = start_paying("20.00").await;
    // Another enrolled key of the same account, signing the bytes `device` would sign.
    let mut thief = world.device(DEMO_EMAIL).await;
    thief.device_id = device.device_id.clone();
    let mut answers = Vec::new();
    for attempt in 1..=3 {
        let key = format!("idem_which_element_{attempt:02}");
        let detail = device.payment(&id).await.unwrap();
        let request = match failing {
            Element::Pin => device.confirm_request(&detail, eur("20.00"), "0000", &key),
            Element::Signature => thief.confirm_request(&detail, eur("20.00"), DEMO_PIN, &key),
        }
        .unwrap();
        let post = world
            .http
            .post(world.url(&format!("/v1/payments/{id}/confirm")))
            .bearer_auth(&device.access_token)
            .header("idempotency-key", &key)
            .json(&request);
        answers.push(answer(post).await);
    }
    assert_eq!(device.balance().await.unwrap(), eur("200.00"));
    answers
}

#[derive(Debug, Clone, Copy)]
enum Element {
    Pin,
    Signature,
}

/// PSD2 RTS art. 4(3)(a): a refusal does not tell which element was wrong. A wrong PIN
/// and a wrong signature get the same status and the same body, `attempts_left` and
/// message included, at every attempt up to the lock, so they also count the same.
#[tokio::test]
async fn a_wrong_pin_and_a_wrong_signature_get_the_same_answers() {
    let wrong_pin = three_refusals(Element::Pin).await;
    let wrong_signature = three_refusals(Element::Signature).await;
    assert_eq!(wrong_pin, wrong_signature);
    let seen: Vec<(u16, &str, Option<u64>)> = wrong_pin
        .iter()
        .map(|(status, body)| (*status, code(body), body["error"]["attempts_left"].as_u64()))
        .collect();
    assert_eq!(
        seen,
        [
            (403, "authentication_failed", Some(2)),
            (403, "authentication_failed", Some(1)),
            (403, "pin_locked", None),
        ]
    );
}

#[tokio::test]
async fn idempotency_key_rules() {
    let (world, device, id) = start_paying("20.00").await;
    let (detail, request) = signed(&device, &id, "20.00", DEMO_PIN, "short").await;
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(
        err.info().unwrap().field.as_deref(),
        Some("idempotency_key")
    );
    // Header and body must agree: another key in the header, or none, is refused.
    let request = device
        .confirm_request(&detail, eur("20.00"), DEMO_PIN, "idem_header_body_001")
        .unwrap();
    for header in [Some("idem_header_body_002"), None] {
        let mut confirm = world
            .http
            .post(world.url(&format!("/v1/payments/{id}/confirm")))
            .bearer_auth(&device.access_token)
            .json(&request);
        if let Some(key) = header {
            confirm = confirm.header("Idempotency-Key", key);
        }
        let (status, _) = answer(confirm).await;
        assert_eq!(status, 422, "{header:?}");
    }
}

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
    };
    let api = world.beneficiary();
    let err = api.enroll(&request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ValidationFailed));
    assert_eq!(err.info().unwrap().field.as_deref(), Some("proof"));
    request.proof = b64(&key.sign(&signed_bytes).unwrap());
    let enrolled = api.enroll(&request).await.unwrap();
    assert_eq!(enrolled.pin_length, 4);
}
