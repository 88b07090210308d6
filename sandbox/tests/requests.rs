//! The merchant's payment requests and their pushes: the business rules on a create,
//! unknown accounts told apart from nothing, the push feed's long poll and push tokens.

mod common;

use std::time::Duration;

use common::*;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;
use serde_json::{json, Value};

/// The longest wait the push feed grants a long poll (the sandbox's `MAX_WAIT_MS`).
const LONGEST_POLL_MS: u64 = 30_000;

#[tokio::test]
async fn total_below_minimum_and_bad_accounts() {
    let world = start().await;
    let err = world.try_request("19.99").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AmountBelowMinimum));
    assert_eq!(err.status(), Some(422));
    assert!(err
        .info()
        .unwrap()
        .message
        .contains(&eur("20.00").format_fr()));
    let bad_accounts = [
        "",
        "a@b",
        "no-at-sign.fr",
        "1234567890",
        "123456789012",
        "a@b@example.fr",
    ];
    for bad in bad_accounts {
        let err = world
            .merchant()
            .create_payment(bad, eur("50.00"), None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::ValidationFailed), "{bad}");
        assert_eq!(err.info().unwrap().field.as_deref(), Some("account"));
    }
    // The minimum itself is accepted; the 11-digit account number works as well as
    // the e-mail.
    for (account, total) in [(DEMO_EMAIL, "20.00"), (DEMO_ACCOUNT_NUMBER, "50.00")] {
        let created = world
            .merchant()
            .create_payment(account, eur(total), None)
            .await;
        assert!(created.is_ok(), "{account} {total}: {created:?}");
    }
    let bad_key = world.merchant_with_key("nope-nope");
    let refused = bad_key.create_payment(DEMO_EMAIL, eur("50.00"), None).await;
    assert_eq!(refused.unwrap_err().code(), Some(ErrorCode::Unauthorized));
}

#[tokio::test]
async fn unknown_account_is_indistinguishable() {
    let world = start().await;
    let _device = world.device(DEMO_EMAIL).await;
    let send = |account: &'static str| {
        let request = world
            .http
            .post(world.url("/v1/merchant/payment-requests"))
            .bearer_auth(DEMO_MERCHANT_KEY)
            .json(&json!({"account": account, "total": "80.00", "order_ref": "X"}));
        answer(request)
    };
    let (known_status, known) = send(DEMO_EMAIL).await;
    let (unknown_status, unknown) = send("nobody@example.fr").await;
    let (unknown_number_status, _) = send("99999999999").await;
    assert_eq!(known_status, 201);
    assert_eq!(unknown_status, known_status);
    assert_eq!(unknown_number_status, known_status);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&known), keys(&unknown));
    assert_eq!(known["status"], unknown["status"]);
    let validity =
        |v: &Value| v["expires_at"].as_i64().unwrap() - v["created_at"].as_i64().unwrap();
    assert_eq!(validity(&known), validity(&unknown));
    // Only the known account's device was notified; the unknown one expires.
    let feed = world.pushes(None, 0).await;
    assert_eq!(feed.notifications.len(), 1);
    world.admin.advance_clock(181).await.unwrap();
    let id = unknown["id"].as_str().unwrap();
    assert_eq!(
        world.merchant().payment(id).await.unwrap().status,
        PaymentStatus::Expired
    );
}

#[tokio::test]
async fn push_feed_long_poll_wakes_up() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let admin = world.admin.clone();
    let device_id = device.device_id.clone();
    let waiter =
        tokio::spawn(async move { admin.push_feed(Some(&device_id), 0, LONGEST_POLL_MS).await });
    tokio::task::yield_now().await;
    let id = world.request("25.00").await;
    // Without the wake-up the poll would answer only after its whole wait; the test
    // allows half of it, a deadline no healthy run comes near.
    let woken = Duration::from_millis(LONGEST_POLL_MS / 2);
    let feed = tokio::time::timeout(woken, waiter)
        .await
        .expect("the long poll woke up on the new push")
        .unwrap()
        .unwrap();
    assert_eq!(feed.notifications[0].payment_id, id);
    // Nothing after the last one: an empty answer after a short wait.
    let empty = world
        .admin
        .push_feed(Some(&device.device_id), feed.next_after, 50)
        .await
        .unwrap();
    assert!(empty.notifications.is_empty());
    assert_eq!(empty.next_after, feed.next_after);
}

#[tokio::test]
async fn push_token_update_is_used_for_the_next_push() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    device
        .api
        .set_push_token(&device.access_token, "apns:new-token")
        .await
        .unwrap();
    world.request("25.00").await;
    let feed = world.pushes(Some(&device.device_id), 0).await;
    assert_eq!(
        feed.notifications[0].push_token.as_deref(),
        Some("apns:new-token")
    );
}
