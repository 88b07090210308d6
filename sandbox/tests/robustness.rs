//! Bad input and fault injection: every answer is the protocol's JSON error, never a
//! 500 on bad input, never a partial write.

mod common;

use std::time::{Duration, Instant};

use common::*;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_sandbox_client::FaultKind;
use serde_json::{json, Value};

async fn raw(
    env: &Env,
    method: reqwest::Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let mut request = env.http.request(method, env.url(path));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{path}: not JSON ({status}): {text:?}"));
    (status, value)
}

/// Path, bearer, body, expected status, expected code.
type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, &'a str);

fn code(value: &Value) -> &str {
    value["error"]["code"].as_str().unwrap_or("<none>")
}

#[tokio::test]
async fn malformed_bodies_are_json_4xx() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    let id = env.request("30.00").await;
    let token = device.access_token.clone();
    let post = reqwest::Method::POST;
    let cases: Vec<Case<'_>> = vec![
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY), b"{".to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY), b"".to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY), b"[]".to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY), b"\xff\xfe".to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":150}"#.to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":"150.00","extra":1}"#.to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":"150,00"}"#.to_vec(), 422, "validation_failed"),
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":"1e3"}"#.to_vec(), 422, "validation_failed"),
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":"-20.00"}"#.to_vec(), 422, "validation_failed"),
        ("/v1/merchant/payment-requests", Some(MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":"99999999.00"}"#.to_vec(), 422, "validation_failed"),
        ("/v1/auth/challenge", None, br#"{"device_id":"bad id!"}"#.to_vec(), 422, "validation_failed"),
        ("/v1/auth/challenge", None, br#"{"device_id":null}"#.to_vec(), 400, "bad_request"),
        ("/v1/auth/token", None, br#"{"device_id":"dev_x","challenge":"c","signature":"%%"}"#.to_vec(),
         422, "validation_failed"),
        ("/v1/devices", None, br#"{"email":"a@example.fr"}"#.to_vec(), 400, "bad_request"),
        ("/v1/devices", None,
         br#"{"email":"a@example.fr","activation_code":"X","public_key":"AA","platform":"windows","proof":"AA"}"#.to_vec(),
         400, "bad_request"),
    ];
    // A body declared as another media type.
    let response = env
        .http
        .post(env.url("/v1/auth/challenge"))
        .header("content-type", "text/plain")
        .body(r#"{"device_id":"dev_x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    for (path, bearer, body, status, expected) in cases {
        let (got, value) = raw(&env, post.clone(), path, bearer, Some(body.clone())).await;
        assert_eq!(
            (got, code(&value)),
            (status, expected),
            "{path} {:?}",
            String::from_utf8_lossy(&body)
        );
        assert!(value["error"]["message"].as_str().is_some());
    }
    // Confirm: bad JSON, wrong types, unknown fields, bad amount.
    let path = format!("/v1/payments/{id}/confirm");
    for (body, status, expected) in [
        (json!({"amount": 30}), 400, "bad_request"),
        (
            json!({"amount": "30.00", "nonce": "n", "sealed_pin": "AA", "signature": "AA",
                "idempotency_key": "idem_malformed_00001", "pin": "4827"}),
            400,
            "bad_request",
        ),
        (
            json!({"amount": "30.001", "nonce": "n", "sealed_pin": "AA", "signature": "AA",
                "idempotency_key": "idem_malformed_00001"}),
            422,
            "validation_failed",
        ),
    ] {
        let response = env
            .http
            .post(env.url(&path))
            .bearer_auth(&token)
            .header("Idempotency-Key", "idem_malformed_00001")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{body}");
        let value: Value = response.json().await.unwrap();
        assert_eq!(code(&value), expected);
    }
    // Nothing was written: the payment is untouched and no attempt counted.
    let detail = device.payment(&id).await.unwrap();
    assert_eq!(detail.status, PaymentStatus::Pending);
    assert_eq!(detail.attempts_left, 3);
    assert!(env.admin.ledger().await.unwrap().entries.is_empty());
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let env = start().await;
    let big = format!(
        r#"{{"account":"a@example.fr","total":"150.00","order_ref":"{}"}}"#,
        "x".repeat(20 * 1024)
    );
    let (status, value) = raw(
        &env,
        reqwest::Method::POST,
        "/v1/merchant/payment-requests",
        Some(MERCHANT_KEY),
        Some(big.into_bytes()),
    )
    .await;
    assert_eq!((status, code(&value)), (413, "payload_too_large"));
    // Without a content length (chunked stream).
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|_| Ok(vec![b' '; 1024])).collect();
    let response = env
        .http
        .post(env.url("/v1/auth/challenge"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let value: Value = response.json().await.unwrap();
    assert_eq!(code(&value), "payload_too_large");
    // Just below the limit is parsed (and then judged on its content).
    let padded = format!(r#"{{"device_id":"dev_x"}}{}"#, " ".repeat(16 * 1024 - 30));
    let (status, _) = raw(
        &env,
        reqwest::Method::POST,
        "/v1/auth/challenge",
        None,
        Some(padded.into_bytes()),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn unknown_routes_methods_and_ids_are_json() {
    let env = start().await;
    let device = env.device(EMAIL).await;
    let (status, value) = raw(&env, reqwest::Method::GET, "/v1/nothing", None, None).await;
    assert_eq!((status, code(&value)), (404, "not_found"));
    let (status, value) = raw(
        &env,
        reqwest::Method::DELETE,
        "/v1/balance",
        Some(&device.access_token),
        None,
    )
    .await;
    assert_eq!(status, 405);
    assert_eq!(code(&value), "not_found");
    let (status, value) = raw(
        &env,
        reqwest::Method::GET,
        "/v1/payments/%20bad%20id",
        Some(&device.access_token),
        None,
    )
    .await;
    assert_eq!((status, code(&value)), (404, "not_found"));
    let (status, value) = raw(
        &env,
        reqwest::Method::GET,
        "/v1/payments?status=weird",
        Some(&device.access_token),
        None,
    )
    .await;
    assert_eq!((status, code(&value)), (422, "validation_failed"));
    // Admin: wrong token, and no admin routes at all without a token.
    let (status, value) = raw(
        &env,
        reqwest::Method::GET,
        "/admin/ledger",
        Some("wrong"),
        None,
    )
    .await;
    assert_eq!((status, code(&value)), (401, "unauthorized"));
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir);
    config.admin_token = None;
    let closed = start_with(dir, config).await;
    let (status, value) = raw(
        &closed,
        reqwest::Method::GET,
        "/admin/ledger",
        Some(ADMIN),
        None,
    )
    .await;
    assert_eq!((status, code(&value)), (404, "not_found"));
}

#[tokio::test]
async fn checkout_page_openapi_and_health() {
    let env = start().await;
    let page = env.http.get(env.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Payer avec Chèque-Vacances Connect"));
    assert!(html.contains("Votre achat est validé !"));
    let openapi: Value = env
        .http
        .get(env.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.0"));
    for path in [
        "/v1/devices",
        "/v1/auth/challenge",
        "/v1/auth/token",
        "/v1/devices/me/push-token",
        "/v1/balance",
        "/v1/payments",
        "/v1/payments/{payment_id}",
        "/v1/payments/{payment_id}/confirm",
        "/v1/payments/{payment_id}/decline",
        "/v1/merchant/payment-requests",
        "/v1/merchant/payment-requests/{id}",
        "/v1/merchant/payment-requests/{id}/cancel",
    ] {
        assert!(
            openapi["paths"][path].is_object(),
            "{path} missing from openapi.json"
        );
    }
    // The checkout routes act as the demo merchant.
    let device = env.device(EMAIL).await;
    let created: Value = env
        .http
        .post(env.url("/checkout/api/payments"))
        .json(&json!({"email": EMAIL, "total": "150.00"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "PENDING");
    device.pay(&id, eur("120.00"), PIN).await.unwrap();
    let status: Value = env
        .http
        .get(env.url(&format!("/checkout/api/payments/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "PARTIALLY_AUTHORISED");
    assert_eq!(status["remaining_amount"], "30.00");
    assert_eq!(status["remaining_fr"], eur("30.00").format_fr());
    assert_eq!(
        env.merchant.payment(&id).await.unwrap().paid_amount,
        Some(eur("120.00"))
    );
    let health = env.http.get(env.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn fault_error_does_not_do_the_work() {
    let env = start().await;
    env.admin
        .set_fault("/v1/merchant/payment-requests", FaultKind::Error, None, 1)
        .await
        .unwrap();
    let err = env
        .merchant
        .create_payment(EMAIL, eur("30.00"), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InternalError));
    assert_eq!(err.status(), Some(500));
    // Disarmed after `count` hits; the failed call created nothing.
    let created = env
        .merchant
        .create_payment(EMAIL, eur("30.00"), None)
        .await
        .unwrap();
    let device = env.device(EMAIL).await;
    let all = device
        .api
        .payments(&device.access_token, false)
        .await
        .unwrap();
    assert_eq!(all.payments.len(), 1);
    assert_eq!(all.payments[0].payment_id, created.id);
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
    let (status, value) = raw(
        &env,
        reqwest::Method::POST,
        "/admin/faults",
        Some(ADMIN),
        Some(br#"{"route":"/x","kind":"explode"}"#.to_vec()),
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
    let detail = device.payment(&id).await.unwrap();
    let request = device
        .confirm_request(&detail, eur("80.00"), PIN, "idem_drop_after_0001")
        .unwrap();
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
