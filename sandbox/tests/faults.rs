//! Faults injected through the admin API: an error does no work, a delay slows
//! `count` requests down, a connection dropped after the commit leaves the work done
//! and the answer replayable.

mod common;

use std::time::{Duration, Instant};

use common::*;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_testkit::Fault;

#[tokio::test]
async fn fault_error_does_not_do_the_work() {
    let world = start().await;
    world
        .inject_fault("/v1/merchant/payment-requests", Fault::Error, 1)
        .await
        .unwrap();
    let err = world.try_request("30.00").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InternalError));
    assert_eq!(err.status(), Some(500));
    // Disarmed after `count` hits; the failed call created nothing.
    let created = world.try_request("30.00").await.unwrap();
    let device = world.device(DEMO_EMAIL).await;
    let all = listed(&device, false).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].payment_id, created.id);
}

#[tokio::test]
async fn fault_delay_slows_down_count_times() {
    let world = start().await;
    let delay = Fault::Delay(Duration::from_millis(300));
    world
        .inject_fault("/v1/merchant/payment-requests/{id}", delay, 2)
        .await
        .unwrap();
    let id = world.request("30.00").await;
    for hits_left in [vec![1], vec![]] {
        let started = Instant::now();
        world.merchant().payment(&id).await.unwrap();
        // A lower bound only: a delayed answer cannot come early, however loaded the
        // machine; whether a request was delayed is read from the armed faults.
        assert!(started.elapsed() >= Duration::from_millis(300));
        let armed = world.armed_faults().await.unwrap();
        let left: Vec<u32> = armed.iter().map(|fault| fault.count).collect();
        assert_eq!(left, hits_left, "{armed:?}");
    }
    // Disarmed after `count` hits: nothing is left to delay the next request.
    world.merchant().payment(&id).await.unwrap();
    // Bad fault definitions.
    let unknown_kind = br#"{"route":"/x","kind":"explode"}"#.to_vec();
    let (status, value) = raw(
        &world,
        reqwest::Method::POST,
        "/admin/faults",
        Some(world.admin_token()),
        Some(unknown_kind),
    )
    .await;
    assert_eq!((status, code(&value)), (400, "bad_request"));
    world
        .inject_fault("/v1/merchant/payment-requests/{id}", Fault::Error, 5)
        .await
        .unwrap();
    world.clear_faults().await.unwrap();
    world.merchant().payment(&id).await.unwrap();
}

#[tokio::test]
async fn fault_drop_after_commit_commits_then_drops() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let id = world.request("80.00").await;
    let (_, request) = signed(&device, &id, "80.00", DEMO_PIN, "idem_drop_after_0001").await;
    world
        .inject_fault(
            "/v1/payments/{payment_id}/confirm",
            Fault::DropAfterCommit,
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
    assert_eq!(world.admin.ledger().await.unwrap().entries.len(), 1);
}
