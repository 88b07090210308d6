//! Issue 15, items 9 and 10: the merchant create's `Idempotency-Key`, and the exact
//! scope of the confirmation's idempotency keys (protocol.md §5.7, §8).

mod common;

use common::*;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_sandbox_client::MerchantClient;
use cvconnect_testkit::Fault;
use serde_json::{json, Value};

const KEY: &str = "order-2024-000001-try";

async fn create(world: &World, key: &str, body: Value) -> (u16, Value) {
    let response = world
        .http
        .post(world.url("/v1/merchant/payment-requests"))
        .bearer_auth(DEMO_MERCHANT_KEY)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn pending_count(device: &cvconnect_sandbox_client::SoftDevice) -> usize {
    device
        .api
        .payments(&device.access_token, true)
        .await
        .unwrap()
        .payments
        .len()
}

#[tokio::test]
async fn the_same_key_and_body_give_the_first_answer_and_create_nothing() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let body = json!({"account": DEMO_EMAIL, "total": "150.00", "order_ref": "CMD-42"});
    let first = create(&world, KEY, body.clone()).await;
    assert_eq!(first.0, 201);
    let again = create(&world, KEY, body.clone()).await;
    assert_eq!(again, first);
    assert_eq!(pending_count(&device).await, 1);
    // Even once the request is paid, the key replays the first answer.
    let id = first.1["id"].as_str().unwrap();
    device.pay(id, eur("150.00"), DEMO_PIN).await.unwrap();
    assert_eq!(create(&world, KEY, body).await, first);
    let feed = world
        .admin
        .push_feed(Some(&device.device_id), 0, 0)
        .await
        .unwrap();
    assert_eq!(feed.notifications.len(), 1, "one push for one request");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_conflict() {
    let world = start().await;
    let body = json!({"account": DEMO_EMAIL, "total": "150.00"});
    assert_eq!(create(&world, KEY, body).await.0, 201);
    for other in [
        json!({"account": DEMO_EMAIL, "total": "150.01"}),
        json!({"account": DEMO_ACCOUNT_NUMBER, "total": "150.00"}),
        json!({"account": DEMO_EMAIL, "total": "150.00", "order_ref": "X"}),
    ] {
        let (status, answer) = create(&world, KEY, other.clone()).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (409, Some("idempotency_conflict")),
            "{other}"
        );
    }
    // The same body, spelled otherwise (case of the e-mail, trailing zero), is the same.
    let same = json!({"account": "Camille.Martin@Example.fr", "total": "150.0"});
    assert_eq!(create(&world, KEY, same).await.0, 201);
}

#[tokio::test]
async fn keys_belong_to_one_merchant_and_refusals_are_not_remembered() {
    let world = start().await;
    let body = json!({"account": DEMO_EMAIL, "total": "150.00"});
    let (_, first) = create(&world, KEY, body.clone()).await;
    let other = world.admin.create_merchant("Autre boutique").await.unwrap();
    let other = MerchantClient::new(world.http.clone(), &world.base_url, other.api_key);
    let theirs = other
        .create_payment_with_key(DEMO_EMAIL, eur("150.00"), None, KEY)
        .await
        .unwrap();
    assert_ne!(theirs.id, first["id"].as_str().unwrap());
    // A refused create (total below the minimum) does not hold the key.
    let fresh = "order-2024-000002-try";
    let (status, _) = create(
        &world,
        fresh,
        json!({"account": DEMO_EMAIL, "total": "5.00"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(create(&world, fresh, body).await.0, 201);
    for bad in ["short", "has space in it 0123", &"k".repeat(65)] {
        let (status, answer) = create(
            &world,
            bad,
            json!({"account": DEMO_EMAIL, "total": "150.00"}),
        )
        .await;
        assert_eq!(
            (status, answer["error"]["field"].as_str()),
            (422, Some("idempotency_key")),
            "{bad}"
        );
    }
}

/// The answer is lost after the commit; the merchant retries with the same key and
/// gets the request that was created, not a second one.
#[tokio::test]
async fn a_retry_after_a_lost_answer_creates_no_second_request() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    world
        .inject_fault("/v1/merchant/payment-requests", Fault::DropAfterCommit, 1)
        .await
        .unwrap();
    let lost = world
        .merchant()
        .create_payment_with_key(DEMO_EMAIL, eur("80.00"), Some("CMD-7"), KEY)
        .await;
    assert!(lost.as_ref().is_err_and(|e| e.is_transport()), "{lost:?}");
    let retried = world
        .merchant()
        .create_payment_with_key(DEMO_EMAIL, eur("80.00"), Some("CMD-7"), KEY)
        .await
        .unwrap();
    let pending = device
        .api
        .payments(&device.access_token, true)
        .await
        .unwrap();
    let ids: Vec<&str> = pending
        .payments
        .iter()
        .map(|p| p.payment_id.as_str())
        .collect();
    assert_eq!(ids, [retried.id.as_str()]);
}

/// Confirmation keys are scoped to (payment, device, key): the same key on another
/// payment, or from another device, is a new request; only the same triple replays
/// or conflicts.
#[tokio::test]
async fn confirmation_keys_are_scoped_to_payment_and_device() {
    let world = start().await;
    let phone = world.device(DEMO_EMAIL).await;
    let tablet = world.device(DEMO_EMAIL).await;
    let key = "idem_scope_shared_key_01";
    let (a, b) = (world.request("40.00").await, world.request("60.00").await);

    let detail = phone.payment(&a).await.unwrap();
    let request = phone
        .confirm_request(&detail, eur("40.00"), DEMO_PIN, key)
        .unwrap();
    let paid = phone.confirm(&a, &request).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Authorised);

    // Same key, other payment, other body: processed on its own (here, it pays).
    let detail_b = phone.payment(&b).await.unwrap();
    let request_b = phone
        .confirm_request(&detail_b, eur("60.00"), DEMO_PIN, key)
        .unwrap();
    assert_eq!(
        phone.confirm(&b, &request_b).await.unwrap().status,
        PaymentStatus::Authorised
    );

    // Same key and payment from another device: not a replay of the phone's answer.
    let from_tablet = tablet
        .confirm_request(&detail, eur("40.00"), DEMO_PIN, key)
        .unwrap();
    let error = tablet.confirm(&a, &from_tablet).await.unwrap_err();
    assert_eq!(error.code_text(), Some("payment_not_pending"), "{error}");

    // Same triple: the same body replays, another body conflicts.
    assert_eq!(phone.confirm(&a, &request).await.unwrap(), paid);
    let other_body = phone
        .confirm_request(&detail, eur("39.00"), DEMO_PIN, key)
        .unwrap();
    let conflict = phone.confirm(&a, &other_body).await.unwrap_err();
    assert_eq!(conflict.code_text(), Some("idempotency_conflict"));
    assert_eq!(world.admin.ledger().await.unwrap().entries.len(), 2);
}
