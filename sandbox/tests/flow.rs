//! The payment flow end to end over HTTP: enrollment, push, detail, confirm (full and
//! partial), decline, merchant cancel, bounds and expiry. The rules of the merchant's
//! requests and the push feed: `requests.rs`.

mod common;

use common::*;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;

#[tokio::test]
async fn partial_payment_end_to_end() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    assert_eq!(device.pin_length, 4);
    assert_eq!(device.balance().await.unwrap(), eur("200.00"));

    let created = world
        .merchant()
        .create_payment(DEMO_EMAIL, eur("250.00"), Some("CMD-42"))
        .await
        .unwrap();
    assert_eq!(created.status, PaymentStatus::Pending);
    assert_eq!(created.order_ref.as_deref(), Some("CMD-42"));
    assert_eq!(created.expires_at - created.created_at, 180);

    // The push gateway recorded one notification for the device, in both shapes.
    let feed = world.pushes(Some(&device.device_id), 1000).await;
    assert_eq!(feed.notifications.len(), 1);
    let push = &feed.notifications[0];
    assert_eq!(push.payment_id, created.id);
    assert_eq!(push.data["type"], "payment_request");
    assert_eq!(push.data["payment_id"], created.id);
    // The FCM message goes to the push token the device enrolled with.
    let push_token = push.push_token.as_deref().unwrap();
    assert!(push_token.starts_with("push-soft-"), "{push_token}");
    assert_eq!(push.fcm["message"]["token"], push_token);
    assert_eq!(
        push.fcm["message"]["data"]["message_id"],
        push.message_id.as_str()
    );
    assert_eq!(push.apns["Simulator Target Bundle"], "fr.ancv.cvconnect");
    assert_eq!(
        push.apns["aps"]["alert"]["body"],
        format!("Boutique Démo vous demande {}", eur("250.00").format_fr())
    );
    assert_eq!(push.apns["payment_id"], created.id.as_str());

    // The pending list covers a lost push.
    let pending = listed(&device, true).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].payee.name, "Boutique Démo");

    let detail = device.payment(&created.id).await.unwrap();
    assert_eq!(detail.max_amount, eur("200.00"));
    assert_eq!(detail.min_amount, eur("0.01"));
    assert_eq!(detail.attempts_left, 3);
    assert_eq!(detail.pin_length, 4);
    assert!(detail.pin_key.key_id.starts_with("pk_"));

    let paid = device
        .pay(&created.id, eur("200.00"), DEMO_PIN)
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::PartiallyAuthorised);
    assert_eq!(paid.paid_amount, eur("200.00"));
    assert_eq!(paid.remaining_amount, eur("50.00"));
    assert_eq!(paid.balance, eur("0.00"));

    let merchant_view = world.merchant().payment(&created.id).await.unwrap();
    assert_eq!(merchant_view.status, PaymentStatus::PartiallyAuthorised);
    assert_eq!(merchant_view.paid_amount, Some(eur("200.00")));
    assert_eq!(merchant_view.remaining_amount, Some(eur("50.00")));

    let detail = device.payment(&created.id).await.unwrap();
    assert_eq!(detail.paid_amount, Some(eur("200.00")));
    assert_eq!(detail.remaining_amount, Some(eur("50.00")));

    let ledger = world.admin.ledger().await.unwrap();
    assert_eq!(ledger.entries.len(), 1);
    assert_eq!(ledger.entries[0].balance_after, eur("0.00"));
    assert_eq!(ledger.entries[0].device_id, device.device_id);

    // History lists the final payment; the pending list no longer does.
    let all = listed(&device, false).await;
    assert_eq!(all[0].status, PaymentStatus::PartiallyAuthorised);
    assert!(listed(&device, true).await.is_empty());
    world.shutdown().await;
}

#[tokio::test]
async fn full_payment_is_authorised() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let id = world.request("150.00").await;
    let paid = device.pay(&id, eur("150.00"), DEMO_PIN).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Authorised);
    assert_eq!(paid.remaining_amount, eur("0.00"));
    assert_eq!(paid.balance, eur("50.00"));
    let view = world.merchant().payment(&id).await.unwrap();
    assert_eq!(view.status, PaymentStatus::Authorised);
    assert_eq!(view.remaining_amount, None);
}

#[tokio::test]
async fn decline_cancels_and_is_final() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let id = world.request("30.00").await;
    let declined = device.decline(&id).await.unwrap();
    assert_eq!(declined.status, PaymentStatus::Cancelled);
    assert_eq!(
        world.merchant().payment(&id).await.unwrap().status,
        PaymentStatus::Cancelled
    );
    let again = device.decline(&id).await.unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::PaymentNotPending));
    assert_eq!(again.info().unwrap().status, Some(PaymentStatus::Cancelled));
    let pay = device.pay(&id, eur("30.00"), DEMO_PIN).await.unwrap_err();
    assert_eq!(pay.code(), Some(ErrorCode::PaymentNotPending));
    assert_eq!(device.balance().await.unwrap(), eur("200.00"));
}

#[tokio::test]
async fn merchant_cancel() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let id = world.request("30.00").await;
    let cancelled = world.merchant().cancel(&id).await.unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);
    let again = world.merchant().cancel(&id).await.unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::PaymentNotPending));
    assert_eq!(again.status(), Some(409));
    let detail = device.payment(&id).await.unwrap();
    assert_eq!(detail.status, PaymentStatus::Cancelled);
    // Another merchant does not see it.
    let other = world.admin.create_merchant("Autre boutique").await.unwrap();
    let other = world.merchant_with_key(&other.api_key);
    let read = other.payment(&id).await.unwrap_err();
    let cancel = other.cancel(&id).await.unwrap_err();
    for refused in [read, cancel] {
        assert_eq!(refused.code(), Some(ErrorCode::NotFound));
    }
}

#[tokio::test]
async fn amount_bounds_and_balance_never_negative() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let id = world.request("150.00").await;
    world
        .admin
        .set_balance(DEMO_EMAIL, eur("40.00"))
        .await
        .unwrap();
    let detail = device.payment(&id).await.unwrap();
    assert_eq!(detail.max_amount, eur("40.00"));
    for amount in ["40.01", "150.00", "0.00"] {
        let err = device.pay(&id, eur(amount), DEMO_PIN).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::AmountOutOfBounds), "{amount}");
    }
    // Out-of-bounds amounts are not DEMO_PIN attempts and consume no nonce.
    let after = device.payment(&id).await.unwrap();
    assert_eq!(after.attempts_left, 3);
    assert_eq!(after.nonce, detail.nonce);
    let ok = device.pay(&id, eur("40.00"), DEMO_PIN).await.unwrap();
    assert_eq!(ok.balance, eur("0.00"));
    assert_eq!(ok.remaining_amount, eur("110.00"));
    let id2 = world.request("20.00").await;
    let err = device.pay(&id2, eur("0.01"), DEMO_PIN).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AmountOutOfBounds));
    assert_eq!(device.balance().await.unwrap(), eur("0.00"));
    // A negative balance cannot even be written.
    let path = "/admin/accounts/12345678901/balance";
    let body = br#"{"balance": "-1.00"}"#.to_vec();
    let (status, _) = raw(
        &world,
        reqwest::Method::PUT,
        path,
        Some(world.admin_token()),
        Some(body),
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn payments_of_another_account_are_not_found() {
    let world = start().await;
    let camille = world.device(DEMO_EMAIL).await;
    let louis = world.device("louis.bernard@example.fr").await;
    let id = world.request("50.00").await;
    let err = louis.payment(&id).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
    assert_eq!(err.status(), Some(404));
    let detail = camille.payment(&id).await.unwrap();
    let request = louis
        .confirm_request(&detail, eur("50.00"), "1593", "idem_0123456789abcdef")
        .unwrap();
    let confirm = louis.confirm(&id, &request).await.unwrap_err();
    let decline = louis.decline(&id).await.unwrap_err();
    let missing = camille.payment("pay_doesnotexist").await.unwrap_err();
    for refused in [confirm, decline, missing] {
        assert_eq!(refused.code(), Some(ErrorCode::NotFound));
    }
}

#[tokio::test]
async fn expiry_by_clock_advance() {
    let world = start().await;
    let mut device = world.device(DEMO_EMAIL).await;
    let id = world.request("60.00").await;
    let (_, request) = signed(&device, &id, "60.00", DEMO_PIN, "idem_expiry_000000001").await;
    world.admin.advance_clock(179).await.unwrap();
    assert_eq!(
        world.merchant().payment(&id).await.unwrap().status,
        PaymentStatus::Pending
    );
    world.admin.advance_clock(1).await.unwrap();
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::PaymentExpired));
    assert_eq!(err.status(), Some(410));
    assert_eq!(
        world.merchant().payment(&id).await.unwrap().status,
        PaymentStatus::Expired
    );
    assert_eq!(
        device.payment(&id).await.unwrap().status,
        PaymentStatus::Expired
    );
    assert_eq!(device.balance().await.unwrap(), eur("200.00"));
    // Expired requests leave the pending list and cannot be cancelled.
    let id2 = world.request("60.00").await;
    world.admin.advance_clock(200).await.unwrap();
    device.authenticate().await.unwrap();
    assert!(listed(&device, true).await.is_empty());
    let err = world.merchant().cancel(&id2).await.unwrap_err();
    assert_eq!(err.info().unwrap().status, Some(PaymentStatus::Expired));
}
