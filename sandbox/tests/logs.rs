//! Issue 15, item 6: no log line carries a value a client sent. Every request below
//! carries a marker (in bodies that fail to parse, in fields, in query strings, paths
//! and headers); the whole debug log of the process is then searched for them.

mod common;

use common::*;
use serde_json::json;

/// Values sent to the sandbox that must never be logged.
const MARKERS: [&str; 11] = [
    "86420973",
    "marker.platform@example.fr",
    "zz_leaky_field",
    "leaky.person@example.org",
    "ORDER-LEAK-42",
    "LEAKYSTATUS",
    "LEAKYPATHID",
    "LEAKYBEARER123",
    "leaky.admin@example.org",
    "LEAKYAMOUNT",
    "LEAKYCODE-9",
];

#[tokio::test]
async fn no_log_line_carries_a_request_value() {
    let logs = Logs::capture();
    let world = start().await;
    let device = world.device(DEMO_EMAIL).await;
    let token = device.access_token.clone();
    let id = world.request("30.00").await;
    let h = &world.http;
    let requests = vec![
        // A DEMO_PIN sent as a number: the parser's error text would quote it.
        h.post(world.url("/admin/accounts")).bearer_auth(world.admin_token()).json(&json!({
            "email": "x@example.fr", "account_number": "12312312312", "balance": "1.00", "pin": 86420973u64})),
        // An e-mail in `platform`.
        h.post(world.url("/v1/devices")).json(&json!({
            "email": DEMO_EMAIL, "activation_code": "LEAKYCODE-9", "public_key": "AA",
            "platform": "marker.platform@example.fr", "proof": "AA"})),
        h.post(world.url("/v1/auth/challenge")).json(&json!({"device_id": "d", "zz_leaky_field": 1})),
        h.post(world.url("/v1/merchant/payment-requests")).bearer_auth(DEMO_MERCHANT_KEY).json(&json!({
            "account": "leaky.person@example.org", "total": "30.00", "order_ref": "ORDER-LEAK-42"})),
        h.post(world.url("/v1/merchant/payment-requests")).bearer_auth(DEMO_MERCHANT_KEY).json(&json!({
            "account": "leaky.person@example.org", "total": 30})),
        h.get(world.url("/v1/payments?status=LEAKYSTATUS")).bearer_auth(&token),
        h.get(world.url("/v1/payments/LEAKYPATHID")).bearer_auth(&token),
        h.post(world.url("/v1/payments/LEAKYPATHID/confirm"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "idem_leaky_path_0001")
            .json(&json!({"amount": "1.00", "nonce": "n", "sealed_pin": "AA",
                          "signature": "AA", "idempotency_key": "idem_leaky_path_0001"})),
        h.get(world.url("/v1/balance")).bearer_auth("LEAKYBEARER123"),
        h.get(world.url("/admin/accounts/leaky.admin@example.org")).bearer_auth(world.admin_token()),
        h.post(world.url(&format!("/v1/payments/{id}/confirm")))
            .bearer_auth(&token)
            .header("Idempotency-Key", "idem_leaky_amount_01")
            .json(&json!({"amount": "LEAKYAMOUNT", "nonce": "n", "sealed_pin": "AA",
                          "signature": "AA", "idempotency_key": "idem_leaky_amount_01"})),
        h.post(world.url("/checkout/api/payments")).json(&json!({"email": "leaky.person@example.org", "total": "LEAKYAMOUNT"})),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        assert!(response.status().is_client_error() || response.status().is_success());
    }
    let text = logs.text();
    assert!(
        text.contains("rejected body"),
        "the capture sees the sandbox's debug lines"
    );
    assert!(
        text.contains("l***@example.org"),
        "e-mails are logged masked"
    );
    for marker in MARKERS {
        let line = text.lines().find(|line| line.contains(marker));
        assert!(line.is_none(), "{marker} logged: {line:?}");
    }
}
