//! The payment flow end to end over HTTP: enrollment, push, detail, confirm (full and
//! partial), decline, merchant cancel, bounds and expiry. The rules of the merchant's
//! requests and the push feed: `requests.rs`.

mod common;

use common::*;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;

#[tokio::test]
async fn partial_payment_end_to_end() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    assert_eq!(device.pin_length, 4);
    assert_eq!(device.balance().await.unwrap(), eur("200.00"));

    let created = env
        .merchant
        .create_payment(EMAIL, eur("250.00"), Some("CMD-42"))
        .await
        .unwrap();
    assert_eq!(created.status, PaymentStatus::Pending);
    assert_eq!(created.order_ref.as_deref(), Some("CMD-42"));
    assert_eq!(created.expires_at - created.created_at, 180);

    // The push gateway recorded one notification for the device, in both shapes.
    let feed = env.pushes(Some(&device.device_id), 1000).await;
    assert_eq!(feed.notifications.len(), 1);
    let push = &feed.notifications[0];
    assert_eq!(push.payment_id, created.id);
    assert_eq!(push.data["type"], "payment_request");
    assert_eq!(push.data["payment_id"], created.id);
    assert_eq!(push.fcm["message"]["token"], "fcm:test-token");
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

    let paid = device.pay(&created.id, eur("200.00"), PIN).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::PartiallyAuthorised);
    assert_eq!(paid.paid_amount, eur("200.00"));
    assert_eq!(paid.remaining_amount, eur("50.00"));
    assert_eq!(paid.balance, eur("0.00"));

    let merchant_view = env.merchant.payment(&created.id).await.unwrap();
    assert_eq!(merchant_view.status, PaymentStatus::PartiallyAuthorised);
    assert_eq!(merchant_view.paid_amount, Some(eur("200.00")));
    assert_eq!(merchant_view.remaining_amount, Some(eur("50.00")));

    let detail = device.payment(&created.id).await.unwrap();
    assert_eq!(detail.paid_amount, Some(eur("200.00")));
    assert_eq!(detail.remaining_amount, Some(eur("50.00")));

    let ledger = env.admin.ledger().await.unwrap();
    assert_eq!(ledger.entries.len(), 1);
    assert_eq!(ledger.entries[0].balance_after, eur("0.00"));
    assert_eq!(ledger.entries[0].device_id, device.device_id);

    // History lists the final payment; the pending list no longer does.
    let all = listed(&device, false).await;
    assert_eq!(all[0].status, PaymentStatus::PartiallyAuthorised);
    assert!(listed(&device, true).await.is_empty());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn full_payment_is_authorised() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    let id = env.request("150.00").await;
    let paid = device.pay(&id, eur("150.00"), PIN).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Authorised);
    assert_eq!(paid.remaining_amount, eur("0.00"));
    assert_eq!(paid.balance, eur("50.00"));
    let view = env.merchant.payment(&id).await.unwrap();
    assert_eq!(view.status, PaymentStatus::Authorised);
    assert_eq!(view.remaining_amount, None);
}

#[tokio::test]
async fn decline_cancels_and_is_final() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    let id = env.request("30.00").await;
    let declined = device.decline(&id).await.unwrap();
    assert_eq!(declined.status, PaymentStatus::Cancelled);
    assert_eq!(
        env.merchant.payment(&id).await.unwrap().status,
        PaymentStatus::Cancelled
    );
    let again = device.decline(&id).await.unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::PaymentNotPending));
    assert_eq!(again.info().unwrap().status, Some(PaymentStatus::Cancelled));
    let pay = device.pay(&id, eur("30.00"), PIN).await.unwrap_err();
    assert_eq!(pay.code(), Some(ErrorCode::PaymentNotPending));
    assert_eq!(device.balance().await.unwrap(), eur("200.00"));
}

#[tokio::test]
async fn merchant_cancel() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    let id = env.request("30.00").await;
    let cancelled = env.merchant.cancel(&id).await.unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);
    let again = env.merchant.cancel(&id).await.unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::PaymentNotPending));
    assert_eq!(again.status(), Some(409));
    let detail = device.payment(&id).await.unwrap();
    assert_eq!(detail.status, PaymentStatus::Cancelled);
    // Another merchant does not see it.
    let other = env.admin.create_merchant("Autre boutique").await.unwrap();
    let other = env.merchant_keyed(other.api_key);
    let read = other.payment(&id).await.unwrap_err();
    let cancel = other.cancel(&id).await.unwrap_err();
    for refused in [read, cancel] {
        assert_eq!(refused.code(), Some(ErrorCode::NotFound));
    }
}

#[tokio::test]
async fn amount_bounds_and_balance_never_negative() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    let id = env.request("150.00").await;
    env.admin.set_balance(EMAIL, eur("40.00")).await.unwrap();
    let detail = device.payment(&id).await.unwrap();
    assert_eq!(detail.max_amount, eur("40.00"));
    for amount in ["40.01", "150.00", "0.00"] {
        let err = device.pay(&id, eur(amount), PIN).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::AmountOutOfBounds), "{amount}");
    }
    // Out-of-bounds amounts are not PIN attempts and consume no nonce.
    let after = device.payment(&id).await.unwrap();
    assert_eq!(after.attempts_left, 3);
    assert_eq!(after.nonce, detail.nonce);
    let ok = device.pay(&id, eur("40.00"), PIN).await.unwrap();
    assert_eq!(ok.balance, eur("0.00"));
    assert_eq!(ok.remaining_amount, eur("110.00"));
    let id2 = env.request("20.00").await;
    let err = device.pay(&id2, eur("0.01"), PIN).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AmountOutOfBounds));
    assert_eq!(device.balance().await.unwrap(), eur("0.00"));
    // A negative balance cannot even be written.
    let path = "/admin/accounts/12345678901/balance";
    let body = br#"{"balance": "-1.00"}"#.to_vec();
    let (status, _) = env
        .raw(reqwest::Method::PUT, path, Some(ADMIN), Some(body))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn payments_of_another_account_are_not_found() {
    let env = start().await;
    let camille = env.device(EMAIL).await;
    let louis = env.device("louis.bernard@example.fr").await;
    let id = env.request("50.00").await;
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
    let env = start().await;
    let mut device = env.device(EMAIL).await;
    let id = env.request("60.00").await;
    let (_, request) = signed(&device, &id, "60.00", PIN, "idem_expiry_000000001").await;
    env.admin.advance_clock(179).await.unwrap();
    assert_eq!(
        env.merchant.payment(&id).await.unwrap().status,
        PaymentStatus::Pending
    );
    env.admin.advance_clock(1).await.unwrap();
    let err = device.confirm(&id, &request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::PaymentExpired));
    assert_eq!(err.status(), Some(410));
    assert_eq!(
        env.merchant.payment(&id).await.unwrap().status,
        PaymentStatus::Expired
    );
    assert_eq!(
        device.payment(&id).await.unwrap().status,
        PaymentStatus::Expired
    );
    assert_eq!(device.balance().await.unwrap(), eur("200.00"));
    // Expired requests leave the pending list and cannot be cancelled.
    let id2 = env.request("60.00").await;
    env.admin.advance_clock(200).await.unwrap();
    device.authenticate().await.unwrap();
    assert!(listed(&device, true).await.is_empty());
    let err = env.merchant.cancel(&id2).await.unwrap_err();
    assert_eq!(err.info().unwrap().status, Some(PaymentStatus::Expired));
}
