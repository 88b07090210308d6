//! A captured confirmation sent again: under its key (the stored answer), under a new
//! key, on another payment, or after the request expired.

use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{ConfirmResponse, PaymentStatus};
use cvconnect_testkit::eur;

use super::{key, victim};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_confirmation_debits_once() -> anyhow::Result<()> {
    let v = victim().await?;
    let (id, detail) = v.request("100.00").await?;
    let request = v.signed(&detail, "100.00", "replay");
    let first: ConfirmResponse = v.device.confirm(&id, &request).await.unwrap();

    // Same key: the same answer, no second debit.
    for _ in 0..3 {
        assert_eq!(v.device.confirm(&id, &request).await.unwrap(), first);
    }
    // Same body under a new key: the payment is no longer pending.
    let mut again = request.clone();
    again.idempotency_key = key("replay_new_key");
    let info = v.refuses(&id, &again, ErrorCode::PaymentNotPending).await;
    assert_eq!(info.status, Some(PaymentStatus::Authorised));
    // Same key, another body: a conflict, not a second attempt.
    let mut conflict = request.clone();
    conflict.amount = eur("99.00");
    v.refuses(&id, &conflict, ErrorCode::IdempotencyConflict)
        .await;
    assert_eq!(v.h.debits_for(&id).await?, 1);
    assert_eq!(v.h.balance_of(&v.account.email).await?, eur("100.00"));

    // The captured request replayed on another pending payment of the same amount.
    let (other_id, _) = v.request("100.00").await?;
    for key in [request.idempotency_key.clone(), key("replay_other")] {
        let mut replay = request.clone();
        replay.idempotency_key = key;
        v.refuses(&other_id, &replay, ErrorCode::NonceUsed).await;
    }
    v.assert_untouched(&other_id, "100.00", PaymentStatus::Pending)
        .await?;

    // A refused (wrong PIN) confirmation replayed under its key: the stored refusal,
    // not a second wrong attempt.
    let detail = v.device.payment(&other_id).await.unwrap();
    let wrong = v
        .device
        .confirm_request(&detail, eur("50.00"), "0000", &key("replay_wrong"))
        .unwrap();
    for _ in 0..3 {
        let info = v
            .refuses(&other_id, &wrong, ErrorCode::AuthenticationFailed)
            .await;
        assert_eq!(info.attempts_left, Some(2));
    }
    assert_eq!(v.device.payment(&other_id).await.unwrap().attempts_left, 2);
    v.assert_untouched(&other_id, "100.00", PaymentStatus::Pending)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_after_expiry_is_refused() -> anyhow::Result<()> {
    let v = victim().await?;
    let (id, detail) = v.request("100.00").await?;
    let request = v.signed(&detail, "100.00", "expired");
    v.h.advance_clock(181).await?;
    v.refuses(&id, &request, ErrorCode::PaymentExpired).await;
    let mut again = request.clone();
    again.idempotency_key = key("expired_new_key");
    v.refuses(&id, &again, ErrorCode::PaymentExpired).await;
    v.assert_untouched(&id, "200.00", PaymentStatus::Expired)
        .await?;
    assert_eq!(
        v.device.payment(&id).await.unwrap().status,
        PaymentStatus::Expired
    );
    Ok(())
}
