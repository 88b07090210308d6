//! Bad input: every answer is the protocol's JSON error, never a 500 on bad input,
//! never a partial write; the page, the OpenAPI document and the health check answer.
//! Injected faults: `faults.rs`.

mod common;

use common::*;
use cvconnect_core::protocol::wire::PaymentStatus;
use serde_json::json;

/// Path, bearer, body, expected status, expected code.
type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, &'a str);

#[tokio::test]
async fn malformed_bodies_are_json_4xx() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let id = world.request("30.00").await;
    let token = device.access_token.clone();
    let post = reqwest::Method::POST;
    let cases: Vec<Case<'_>> = vec![
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY), b"{".to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY), b"".to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY), b"[]".to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY), b"\xff\xfe".to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":150}"#.to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":"150.00","extra":1}"#.to_vec(), 400, "bad_request"),
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":"150,00"}"#.to_vec(), 422, "validation_failed"),
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":"1e3"}"#.to_vec(), 422, "validation_failed"),
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY),
         br#"{"account":"a@example.fr","total":"-20.00"}"#.to_vec(), 422, "validation_failed"),
        ("/v1/merchant/payment-requests", Some(DEMO_MERCHANT_KEY),
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
    let response = world
        .http
        .post(world.url("/v1/auth/challenge"))
        .header("content-type", "text/plain")
        .body(r#"{"device_id":"dev_x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    for (path, bearer, body, status, expected) in cases {
        let (got, value) = raw(&world, post.clone(), path, bearer, Some(body.clone())).await;
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
        let request = world
            .http
            .post(world.url(&path))
            .bearer_auth(&token)
            .header("Idempotency-Key", "idem_malformed_00001")
            .json(&body);
        let (got, value) = answer(request).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(code(&value), expected);
    }
    // Nothing was written: the payment is untouched and no attempt counted.
    let detail = device.payment(&id).await.unwrap();
    assert_eq!(detail.status, PaymentStatus::Pending);
    assert_eq!(detail.attempts_left, 3);
    assert!(world.admin.ledger().await.unwrap().entries.is_empty());
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let world = start().await;
    let post = reqwest::Method::POST;
    let big = format!(
        r#"{{"account":"a@example.fr","total":"150.00","order_ref":"{}"}}"#,
        "x".repeat(20 * 1024)
    );
    let path = "/v1/merchant/payment-requests";
    let (status, value) = raw(
        &world,
        post.clone(),
        path,
        Some(DEMO_MERCHANT_KEY),
        Some(big.into_bytes()),
    )
    .await;
    assert_eq!((status, code(&value)), (413, "payload_too_large"));
    // Without a content length (chunked stream).
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|_| Ok(vec![b' '; 1024])).collect();
    let request = world
        .http
        .post(world.url("/v1/auth/challenge"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)));
    let (status, value) = answer(request).await;
    assert_eq!((status, code(&value)), (413, "payload_too_large"));
    // Just below the limit is parsed (and then judged on its content).
    let padded = format!(r#"{{"device_id":"dev_x"}}{}"#, " ".repeat(16 * 1024 - 30));
    let path = "/v1/auth/challenge";
    let (status, _) = raw(&world, post, path, None, Some(padded.into_bytes())).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn unknown_routes_methods_and_ids_are_json() {
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let token = Some(device.access_token.as_str());
    let (get, delete) = (reqwest::Method::GET, reqwest::Method::DELETE);
    // Method, path, bearer, expected status and code. A method the route does not
    // have is 405 with the `not_found` code; the admin routes refuse a wrong token.
    let cases = [
        (get.clone(), "/v1/nothing", None, 404, "not_found"),
        (delete, "/v1/balance", token, 405, "not_found"),
        (
            get.clone(),
            "/v1/payments/%20bad%20id",
            token,
            404,
            "not_found",
        ),
        (
            get.clone(),
            "/v1/payments?status=weird",
            token,
            422,
            "validation_failed",
        ),
        (
            get.clone(),
            "/admin/ledger",
            Some("wrong"),
            401,
            "unauthorized",
        ),
    ];
    for (method, path, bearer, status, expected) in cases {
        let (got, value) = raw(&world, method, path, bearer, None).await;
        assert_eq!((got, code(&value)), (status, expected), "{path}");
    }
    // No admin routes at all without a token.
    let dir = tempfile::tempdir().unwrap();
    let closed = start_closed(&dir).await;
    let url = format!("{}/admin/ledger", closed.base_url());
    let (status, value) = answer(world.http.get(url).bearer_auth(world.admin_token())).await;
    assert_eq!((status, code(&value)), (404, "not_found"));
}

#[tokio::test]
async fn checkout_page_openapi_and_health() {
    let world = start().await;
    let page = world.http.get(world.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Payer avec Chèque-Vacances Connect"));
    assert!(html.contains("Votre achat est validé !"));
    let (_, openapi) = answer(world.http.get(world.url("/openapi.json"))).await;
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
        "/v1/payments/{payment_id}/abandon",
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
    let device = world.device(DEMO_EMAIL).await;
    let create = world
        .http
        .post(world.url("/checkout/api/payments"))
        .json(&json!({"email": DEMO_EMAIL, "total": "150.00"}));
    let (_, created) = answer(create).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "PENDING");
    device.pay(&id, eur("120.00"), DEMO_PIN).await.unwrap();
    let read = world
        .http
        .get(world.url(&format!("/checkout/api/payments/{id}")));
    let (_, status) = answer(read).await;
    assert_eq!(status["status"], "PARTIALLY_AUTHORISED");
    assert_eq!(status["remaining_amount"], "30.00");
    assert_eq!(status["remaining_fr"], eur("30.00").format_fr());
    assert_eq!(
        world.merchant().payment(&id).await.unwrap().paid_amount,
        Some(eur("120.00"))
    );
    let health = world.http.get(world.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
