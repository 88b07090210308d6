//! Faults injected through the admin API: an error does no work, a delay slows
//! `count` requests down, a connection dropped after the commit leaves the work done
//! and the answer replayable.

mod common;

use std::time::{Duration, Instant};

use common::*;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_sandbox_client::FaultKind;

#[tokio::test]
async fn fault_error_does_not_do_the_work() {
    let env = start().await;
    env.admin
        .set_fault("/v1/merchant/payment-requests", FaultKind::Error, None, 1)
        .await
        .unwrap();
    let err = env.try_request("30.00").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InternalError));
    assert_eq!(err.status(), Some(500));
    // Disarmed after `count` hits; the failed call created nothing.
    let created = env.try_request("30.00").await.unwrap();
    let device = env.device(EMAIL).await;
    let all = listed(&device, false).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].payment_id, created.id);
}

#[tokio::test]
async fn fault_delay_slows_down_count_times() {
    let env = start().await;
    env.admin
        .set_fault(
            "/v1/merchant/payment-requests/{id}",
            FaultKind::Delay,
            Some(300),
            2,
        )
        .await
        .unwrap();
    let id = env.request("30.00").await;
    for _ in 0..2 {
        let started = Instant::now();
        env.merchant.payment(&id).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(300));
    }
    let started = Instant::now();
    env.merchant.payment(&id).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(300));
    // Bad fault definitions.
    let unknown_kind = br#"{"route":"/x","kind":"explode"}"#.to_vec();
    let (status, value) = env
        .raw(
            reqwest::Method::POST,
            "/admin/faults",
            Some(ADMIN),
            Some(unknown_kind),
        )
        .await;
    assert_eq!((status, code(&value)), (400, "bad_request"));
    env.admin
        .set_fault(
            "/v1/merchant/payment-requests/{id}",
            FaultKind::Error,
            None,
            5,
        )
        .await
        .unwrap();
    env.admin.clear_faults().await.unwrap();
    env.merchant.payment(&id).await.unwrap();
}

#[tokio::test]
async fn fault_drop_after_commit_commits_then_drops() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    let id = env.request("80.00").await;
    let (_, request) = signed(&device, &id, "80.00", PIN, "idem_drop_after_0001").await;
    env.admin
        .set_fault(
            "/v1/payments/{payment_id}/confirm",
            FaultKind::DropAfterCommit,
            None,
            1,
        )
        .await
        .unwrap();
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert!(
        err.is_transport(),
        "expected a transport error, got {err:?}"
    );
    // The work was committed: the detail shows the true outcome ...
    let detail = device.payment(&id).await.unwrap();
    assert_eq!(detail.status, PaymentStatus::Authorised);
    assert_eq!(detail.paid_amount, Some(eur("80.00")));
    // ... and the replay with the same key returns the answer that was lost.
    let replay = device.confirm(&id, &request).await.unwrap();
    assert_eq!(replay.status, PaymentStatus::Authorised);
    assert_eq!(replay.balance, eur("120.00"));
    assert_eq!(env.admin.ledger().await.unwrap().entries.len(), 1);
}
