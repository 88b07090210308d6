//! The payment flow end to end over HTTP: enrollment, push, detail, confirm (full and
//! partial), decline, merchant cancel and status, business rules.

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
    let feed = env
        .admin
        .push_feed(Some(&device.device_id), 0, 1000)
        .await
        .unwrap();
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
    let pending = device
        .api
        .payments(&device.access_token, true)
        .await
        .unwrap();
    assert_eq!(pending.payments.len(), 1);
    assert_eq!(pending.payments[0].payee.name, "Boutique Démo");

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
    let all = device
        .api
        .payments(&device.access_token, false)
        .await
        .unwrap();
    assert_eq!(all.payments[0].status, PaymentStatus::PartiallyAuthorised);
    assert!(device
        .api
        .payments(&device.access_token, true)
        .await
        .unwrap()
        .payments
        .is_empty());
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
    let other =
        cvconnect_sandbox_client::MerchantClient::new(env.http.clone(), &env.base, other.api_key);
    assert_eq!(
        other.payment(&id).await.unwrap_err().code(),
        Some(ErrorCode::NotFound)
    );
    assert_eq!(
        other.cancel(&id).await.unwrap_err().code(),
        Some(ErrorCode::NotFound)
    );
}

#[tokio::test]
async fn total_below_minimum_and_bad_accounts() {
    let env = start().await;
    let err = env
        .merchant
        .create_payment(EMAIL, eur("19.99"), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AmountBelowMinimum));
    assert_eq!(err.status(), Some(422));
    assert!(err
        .info()
        .unwrap()
        .message
        .contains(&eur("20.00").format_fr()));
    assert!(env
        .merchant
        .create_payment(EMAIL, eur("20.00"), None)
        .await
        .is_ok());
    for bad in [
        "",
        "a@b",
        "no-at-sign.fr",
        "1234567890",
        "123456789012",
        "a@b@example.fr",
    ] {
        let err = env
            .merchant
            .create_payment(bad, eur("50.00"), None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::ValidationFailed), "{bad}");
        assert_eq!(err.info().unwrap().field.as_deref(), Some("account"));
    }
    // The 11-digit account number works as well as the e-mail.
    assert!(env
        .merchant
        .create_payment(NUMBER, eur("50.00"), None)
        .await
        .is_ok());
    let bad_key =
        cvconnect_sandbox_client::MerchantClient::new(env.http.clone(), &env.base, "nope-nope");
    assert_eq!(
        bad_key
            .create_payment(EMAIL, eur("50.00"), None)
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::Unauthorized)
    );
}

#[tokio::test]
async fn unknown_account_is_indistinguishable() {
    let env = start().await;
    let _device = env.device(EMAIL).await;
    let send = |account: &'static str| {
        let http = env.http.clone();
        let url = env.url("/v1/merchant/payment-requests");
        async move {
            let response = http
                .post(url)
                .bearer_auth(MERCHANT_KEY)
                .json(&serde_json::json!({"account": account, "total": "80.00", "order_ref": "X"}))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap();
            (status, body)
        }
    };
    let (known_status, known) = send(EMAIL).await;
    let (unknown_status, unknown) = send("nobody@example.fr").await;
    let (unknown_number_status, _) = send("99999999999").await;
    assert_eq!(known_status, 201);
    assert_eq!(unknown_status, known_status);
    assert_eq!(unknown_number_status, known_status);
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&known), keys(&unknown));
    assert_eq!(known["status"], unknown["status"]);
    assert_eq!(
        known["expires_at"].as_i64().unwrap() - known["created_at"].as_i64().unwrap(),
        unknown["expires_at"].as_i64().unwrap() - unknown["created_at"].as_i64().unwrap()
    );
    // Only the known account's device was notified; the unknown one expires.
    let feed = env.admin.push_feed(None, 0, 0).await.unwrap();
    assert_eq!(feed.notifications.len(), 1);
    env.admin.advance_clock(181).await.unwrap();
    let id = unknown["id"].as_str().unwrap();
    assert_eq!(
        env.merchant.payment(id).await.unwrap().status,
        PaymentStatus::Expired
    );
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
    let response = env
        .http
        .put(env.url("/admin/accounts/12345678901/balance"))
        .bearer_auth(ADMIN)
        .json(&serde_json::json!({"balance": "-1.00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
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
    let err = louis.confirm(&id, &request).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
    assert_eq!(
        louis.decline(&id).await.unwrap_err().code(),
        Some(ErrorCode::NotFound)
    );
    assert_eq!(
        camille
            .payment("pay_doesnotexist")
            .await
            .unwrap_err()
            .code(),
        Some(ErrorCode::NotFound)
    );
}

#[tokio::test]
async fn expiry_by_clock_advance() {
    let env = start().await;
    let mut device = env.device(EMAIL).await;
    let id = env.request("60.00").await;
    let detail = device.payment(&id).await.unwrap();
    let request = device
        .confirm_request(&detail, eur("60.00"), PIN, "idem_expiry_000000001")
        .unwrap();
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
    assert!(device
        .api
        .payments(&device.access_token, true)
        .await
        .unwrap()
        .payments
        .is_empty());
    let err = env.merchant.cancel(&id2).await.unwrap_err();
    assert_eq!(err.info().unwrap().status, Some(PaymentStatus::Expired));
}

#[tokio::test]
async fn push_feed_long_poll_wakes_up() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    let admin = env.admin.clone();
    let device_id = device.device_id.clone();
    let waiter = tokio::spawn(async move { admin.push_feed(Some(&device_id), 0, 10_000).await });
    tokio::task::yield_now().await;
    let started = std::time::Instant::now();
    let id = env.request("25.00").await;
    let feed = waiter.await.unwrap().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(feed.notifications[0].payment_id, id);
    // Nothing after the last one: an empty answer after a short wait.
    let empty = env
        .admin
        .push_feed(Some(&device.device_id), feed.next_after, 50)
        .await
        .unwrap();
    assert!(empty.notifications.is_empty());
    assert_eq!(empty.next_after, feed.next_after);
}

#[tokio::test]
async fn push_token_update_is_used_for_the_next_push() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    device
        .api
        .set_push_token(&device.access_token, "apns:new-token")
        .await
        .unwrap();
    env.request("25.00").await;
    let feed = env
        .admin
        .push_feed(Some(&device.device_id), 0, 0)
        .await
        .unwrap();
    assert_eq!(
        feed.notifications[0].push_token.as_deref(),
        Some("apns:new-token")
    );
}
