//! Wrong PINs and wrong signatures: counted, warned about before the last attempt,
//! locked after the third, unlocked by support; a sealed PIN that does not open counts
//! as a wrong PIN; and a refusal never tells which element was wrong (PSD2 RTS
//! art. 4(3)(a)).

use cvconnect_core::crypto::seal::SealedPin;
use cvconnect_core::crypto::signer::DeviceSigner;
use cvconnect_core::protocol::canonical::ConfirmationFields;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{ConfirmRequest, PaymentStatus};

use super::*;

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

/// `--max-attempts` above 5 is clamped to 5 (PSD2 RTS art. 4(3)(b)): a sandbox asked
/// for 9 locks at the fifth wrong PIN.
#[tokio::test]
async fn the_lock_limit_is_at_most_five_whatever_the_configuration() {
    let world = start_changed(|config| config.max_pin_attempts = 9).await;
    let device = world.device(DEMO_EMAIL).await;
    let id = world.request("20.00").await;
    assert_eq!(device.payment(&id).await.unwrap().attempts_left, 5);
    for left in (1..=4).rev() {
        let err = device.pay(&id, eur("20.00"), "0000").await.unwrap_err();
        assert_eq!(
            refusal(&err),
            (Some(ErrorCode::AuthenticationFailed), Some(left))
        );
    }
    let err = device.pay(&id, eur("20.00"), "0000").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::PinLocked));
    assert!(world.admin.account(DEMO_EMAIL).await.unwrap().pin_locked);
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
