//! Tampered and replayed confirmations: a changed amount, payee or total breaks the
//! device signature; a replay with the same idempotency key gets the first answer
//! again, a new key or another payment is refused, and the key itself is checked.

use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;

use super::*;

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
