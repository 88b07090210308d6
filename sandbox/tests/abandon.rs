//! Abandoning a confirmation whose answer was lost (protocol.md §5.7.1, v1.3): the
//! fence that makes "pending, same nonce" mean "never processed", even for a request
//! still on its way or held inside the server.

mod common;

use std::time::Duration;

use common::*;
use cvconnect_core::protocol::wire::{AbandonState, PaymentStatus};
use cvconnect_testkit::{Fault, CONFIRM_ROUTE};
use serde_json::json;

const KEY: &str = "idem_abandon_test_key_01";
/// Keys one device may abandon on one payment (protocol.md §5.7.1).
const MAX_TOMBSTONES: usize = 16;

#[tokio::test]
async fn an_abandoned_key_refuses_its_confirmation_and_leaves_the_payment_as_it_was() {
    let (world, device, id) = start_paying("40.00").await;
    let (before, request) = signed(&device, &id, "40.00", DEMO_PIN, KEY).await;

    for _ in 0..2 {
        let answer = device.abandon(&id, KEY).await.unwrap();
        assert_eq!(
            (
                answer.payment_id.as_str(),
                answer.idempotency_key.as_str(),
                answer.state
            ),
            (id.as_str(), KEY, AbandonState::Abandoned)
        );
    }
    let refused = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(
        refused.code_text(),
        Some("idempotency_conflict"),
        "{refused}"
    );

    let after = device.payment(&id).await.unwrap();
    assert_eq!(after.status, PaymentStatus::Pending);
    assert_eq!(after.nonce, before.nonce, "no nonce spent");
    assert_eq!(
        after.attempts_left, before.attempts_left,
        "no attempt counted"
    );
    assert_eq!(world.debits_for(&id).await.unwrap(), 0);
    // A new confirmation, under a new key, pays.
    device.pay(&id, eur("40.00"), DEMO_PIN).await.unwrap();
    assert_eq!(world.debits_for(&id).await.unwrap(), 1);
}

#[tokio::test]
async fn a_key_already_processed_is_answered_whatever_its_answer_was() {
    let (_world, device, id) = start_paying("40.00").await;
    let (_, wrong) = signed(&device, &id, "40.00", "9999", "idem_abandon_wrong_pin").await;
    let refused = device.confirm(&id, &wrong).await.unwrap_err();
    assert_eq!(refused.code_text(), Some("authentication_failed"));
    let (_, right) = signed(&device, &id, "40.00", DEMO_PIN, KEY).await;
    device.confirm(&id, &right).await.unwrap();

    for key in ["idem_abandon_wrong_pin", KEY] {
        let answer = device.abandon(&id, key).await.unwrap();
        assert_eq!(answer.state, AbandonState::Answered, "{key}");
        assert_eq!(
            device.abandon(&id, key).await.unwrap().state,
            AbandonState::Answered
        );
    }
    // The answered key still replays its own answer.
    assert_eq!(
        device.confirm(&id, &right).await.unwrap().paid_amount,
        eur("40.00")
    );
}

/// The race the fence exists for: the confirmation is held inside the server (as a
/// request of a killed app may be) while the device abandons its key.
#[tokio::test]
async fn a_confirmation_held_in_the_server_meets_the_fence() {
    let (world, device, id) = start_paying("40.00").await;
    let (_, request) = signed(&device, &id, "40.00", DEMO_PIN, KEY).await;
    world
        .inject_fault(CONFIRM_ROUTE, Fault::Delay(Duration::from_secs(3)), 1)
        .await
        .unwrap();
    let held = tokio::spawn({
        let api = device.api.clone();
        let (token, id) = (device.access_token.clone(), id.clone());
        async move { api.confirm(&token, &id, &request).await }
    });
    world.faults_played(CONFIRM_ROUTE).await.unwrap();

    let answer = device.abandon(&id, KEY).await.unwrap();
    assert_eq!(answer.state, AbandonState::Abandoned);
    let late = held.await.unwrap().unwrap_err();
    assert_eq!(late.code_text(), Some("idempotency_conflict"), "{late}");
    assert_eq!(world.debits_for(&id).await.unwrap(), 0);
    assert_eq!(
        world.merchant_status(&id).await.unwrap(),
        PaymentStatus::Pending
    );
}

#[tokio::test]
async fn keys_are_checked_and_scoped_to_payment_and_device() {
    let (world, phone, id) = start_paying("40.00").await;
    for bad in ["short", "has space in it 0123", &"k".repeat(65)] {
        let error = phone.abandon(&id, bad).await.unwrap_err();
        let field = error.info().and_then(|info| info.field.as_deref());
        assert_eq!(field, Some("idempotency_key"), "{bad}: {error}");
    }
    let (status, value) = raw(
        &world,
        reqwest::Method::POST,
        &format!("/v1/payments/{id}/abandon"),
        Some(&phone.access_token),
        Some(
            json!({"idempotency_key": KEY, "extra": 1})
                .to_string()
                .into_bytes(),
        ),
    )
    .await;
    assert_eq!((status, code(&value)), (400, "bad_request"));

    // Another account's payment is not found; the key of another device is its own.
    let stranger = world
        .device(&world.account("50.00").await.unwrap().email)
        .await;
    let error = stranger.abandon(&id, KEY).await.unwrap_err();
    assert_eq!(error.code_text(), Some("not_found"));
    let tablet = world.device(DEMO_EMAIL).await;
    assert_eq!(
        tablet.abandon(&id, KEY).await.unwrap().state,
        AbandonState::Abandoned
    );
    let (_, request) = signed(&phone, &id, "40.00", DEMO_PIN, KEY).await;
    phone.confirm(&id, &request).await.unwrap();

    // A final payment refuses every confirmation already: nothing to fence.
    let answer = phone.abandon(&id, "idem_after_the_end_01").await.unwrap();
    assert_eq!(answer.state, AbandonState::Abandoned);
}

#[tokio::test]
async fn tombstones_of_one_device_on_one_payment_are_bounded() {
    let (_world, device, id) = start_paying("40.00").await;
    for n in 0..MAX_TOMBSTONES {
        let key = format!("idem_tombstone_{n:04}_x");
        assert_eq!(
            device.abandon(&id, &key).await.unwrap().state,
            AbandonState::Abandoned
        );
    }
    let error = device
        .abandon(&id, "idem_tombstone_over_x")
        .await
        .unwrap_err();
    assert_eq!(error.code_text(), Some("rate_limited"), "{error}");
    // A key already buried still answers.
    let again = device.abandon(&id, "idem_tombstone_0000_x").await.unwrap();
    assert_eq!(again.state, AbandonState::Abandoned);
    device.pay(&id, eur("40.00"), DEMO_PIN).await.unwrap();
}
