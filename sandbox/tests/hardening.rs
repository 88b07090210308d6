//! Issue 15, items 1, 2 and 7: no route fails on values the sandbox accepted, the
//! checkout page's routes see only the payments the page created in the same browser,
//! and no answer may be cached.

mod common;

use common::*;
use cvconnect_sandbox_client::http_client;
use serde_json::{json, Value};

const MAX: &str = "9999999.99";

/// Two accounts holding the largest amount each pay it in full; the ledger, the lists
/// and every read still answer, with a total above the largest amount.
#[tokio::test]
async fn the_largest_amounts_paid_twice_keep_every_route_answering() {
    let world = start_changed(|config| {
        // Validities at their ceiling: every expiry the server computes is far in time.
        config.request_ttl_secs = u64::MAX;
        config.token_ttl_secs = u64::MAX;
    })
    .await;
    let mut devices = Vec::new();
    for (i, email) in ["riche.un@example.fr", "riche.deux@example.fr"]
        .into_iter()
        .enumerate()
    {
        let number = format!("5555555555{i}");
        world
            .admin
            .create_account(email, &number, eur(MAX), "1357")
            .await
            .unwrap();
        let device = world.device(email).await;
        let payment = world
            .merchant()
            .create_payment(email, eur(MAX), None)
            .await
            .unwrap();
        let paid = device.pay(&payment.id, eur(MAX), "1357").await.unwrap();
        assert_eq!(paid.balance, eur("0.00"));
        devices.push((device, payment.id));
    }
    let ledger = world.admin.ledger().await.unwrap();
    assert_eq!(ledger.total, "19999999.98");
    assert_eq!(ledger.total_cents(), Some(1_999_999_998));
    for (device, id) in &devices {
        let detail = device.payment(id).await.unwrap();
        assert_eq!(detail.paid_amount, Some(eur(MAX)));
        assert_eq!(listed(device, false).await.len(), 1);
        assert_eq!(world.merchant().payment(id).await.unwrap().total, eur(MAX));
    }
}

/// The clock moved to its ceiling (a hundred years ahead), then past it: refused as a
/// value, and every route still answers with times near the ceiling.
#[tokio::test]
async fn the_clock_at_its_ceiling_breaks_no_route() {
    let world = start_changed(|config| config.request_ttl_secs = u64::MAX).await;
    let ten_years = 10 * 365 * 24 * 3600;
    for _ in 0..10 {
        world.admin.advance_clock(ten_years).await.unwrap();
    }
    let refused = world.admin.advance_clock(1).await.unwrap_err();
    assert_eq!(refused.status(), Some(422), "{refused}");
    let device = world.device(DEMO_EMAIL).await;
    let id = world.request("150.00").await;
    let detail = device.payment(&id).await.unwrap();
    assert!(detail.expires_at > detail.created_at);
    device.pay(&id, eur("150.00"), DEMO_PIN).await.unwrap();
    let feed = world.admin.push_feed(None, i64::MAX, 0).await.unwrap();
    assert!(feed.notifications.is_empty());
    world.admin.ledger().await.unwrap();
}

/// A checkout create by the browser `http` on the sandbox at `base`.
async fn checkout_create(http: &reqwest::Client, base: &str) -> (u16, Value) {
    let create = http
        .post(format!("{base}/checkout/api/payments"))
        .json(&json!({"email": DEMO_EMAIL, "total": "150.00"}));
    answer(create).await
}

/// How a browser asks for a checkout path: to read it, or to cancel its payment.
#[derive(Debug, Clone, Copy)]
enum Ask {
    Read,
    Cancel,
}

async fn checkout_status(http: &reqwest::Client, base: &str, path: &str, ask: Ask) -> u16 {
    let url = format!("{base}{path}");
    let request = match ask {
        Ask::Read => http.get(url),
        Ask::Cancel => http.post(url),
    };
    request.send().await.unwrap().status().as_u16()
}

/// The read and cancel paths of the checkout payment `id`.
fn checkout_paths(id: &str) -> (String, String) {
    let read = format!("/checkout/api/payments/{id}");
    let cancel = format!("{read}/cancel");
    (read, cancel)
}

/// A browser reads and cancels its own checkout payments, not another browser's, and
/// never one created through the merchant API.
#[tokio::test]
async fn checkout_routes_see_only_the_payments_of_their_browser() {
    let world = start().await;
    let (alice, bob, stranger) = (http_client(), http_client(), http_client());
    // The page gives the browser its token.
    let page = alice.get(world.url("/")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("cvc_checkout="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let (status, created) = checkout_create(&alice, &world.base_url).await;
    assert_eq!(status, 201);
    let (read, cancel) = checkout_paths(created["id"].as_str().unwrap());
    let merchant_made = world.request("60.00").await;
    let (read_other, cancel_other) = checkout_paths(&merchant_made);
    let asks = [
        (&bob, &read, Ask::Read, 404),
        (&bob, &cancel, Ask::Cancel, 404),
        (&stranger, &read, Ask::Read, 404),
        (&alice, &read, Ask::Read, 200),
        (&alice, &read_other, Ask::Read, 404),
        (&alice, &cancel_other, Ask::Cancel, 404),
    ];
    for (browser, path, ask, expected) in asks {
        let status = checkout_status(browser, &world.base_url, path, ask).await;
        assert_eq!(status, expected, "{ask:?} {path}");
    }
    let untouched = world.merchant().payment(&merchant_made).await.unwrap();
    assert_eq!(untouched.status.as_str(), "PENDING");

    // Bob's first create gives him a token of his own.
    let (status, _) = checkout_create(&bob, &world.base_url).await;
    assert_eq!(status, 201);
    assert_eq!(
        checkout_status(&bob, &world.base_url, &read, Ask::Read).await,
        404
    );
    assert_eq!(
        checkout_status(&alice, &world.base_url, &cancel, Ask::Cancel).await,
        200
    );
}

/// Without an admin token and without `public_checkout`, the checkout does not exist.
#[tokio::test]
async fn no_checkout_without_admin_routes_or_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let closed = start_closed(&dir).await;
    let (http, base) = (http_client(), closed.base_url());
    assert_eq!(checkout_status(&http, base, "/", Ask::Read).await, 404);
    let (status, body) = checkout_create(&http, base).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

/// Every answer, success or error, says `Cache-Control: no-store`.
#[tokio::test]
async fn no_answer_may_be_cached() {
    let world = start().await;
    let code = world.activation_code(DEMO_EMAIL).await.unwrap();
    let device = world.enroll(DEMO_EMAIL, &code).await.unwrap();
    let id = world.request("150.00").await;
    let other = world.request("40.00").await;
    let (_, confirm) = signed(&device, &id, "150.00", DEMO_PIN, "idem_cache_control_01").await;
    let token = device.access_token.clone();
    // A code for the enrollment below (refused for its proof, answered all the same).
    let fresh = world.activation_code(DEMO_EMAIL).await.unwrap();
    let h = &world.http;
    let requests = vec![
        (
            "balance",
            h.get(world.url("/v1/balance")).bearer_auth(&token),
        ),
        ("list", h.get(world.url("/v1/payments")).bearer_auth(&token)),
        (
            "detail",
            h.get(world.url(&format!("/v1/payments/{id}")))
                .bearer_auth(&token),
        ),
        (
            "confirm",
            h.post(world.url(&format!("/v1/payments/{id}/confirm")))
                .bearer_auth(&token)
                .header("Idempotency-Key", "idem_cache_control_01")
                .json(&confirm),
        ),
        (
            "decline",
            h.post(world.url(&format!("/v1/payments/{other}/decline")))
                .bearer_auth(&token),
        ),
        (
            "challenge",
            h.post(world.url("/v1/auth/challenge"))
                .json(&json!({"device_id": device.device_id})),
        ),
        (
            "push token",
            h.put(world.url("/v1/devices/me/push-token"))
                .bearer_auth(&token)
                .json(&json!({"push_token": "fcm:x"})),
        ),
        (
            "merchant read",
            h.get(world.url(&format!("/v1/merchant/payment-requests/{id}")))
                .bearer_auth(DEMO_MERCHANT_KEY),
        ),
        (
            "unauthorized",
            h.get(world.url("/v1/balance")).bearer_auth("nope"),
        ),
        (
            "admin",
            h.get(world.url("/admin/ledger"))
                .bearer_auth(world.admin_token()),
        ),
        ("checkout", h.get(world.url("/"))),
        (
            "enrollment",
            h.post(world.url("/v1/devices")).json(&json!({
                "email": DEMO_EMAIL, "activation_code": fresh, "public_key": "AA",
                "platform": "other", "proof": "AA"
            })),
        ),
        (
            "token",
            h.post(world.url("/v1/auth/token"))
                .json(&json!({"device_id": device.device_id, "challenge": "x", "signature": "AA"})),
        ),
    ];
    for (name, request) in requests {
        let response = request.send().await.unwrap();
        let cache = response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            cache.as_deref(),
            Some("no-store"),
            "{name}: HTTP {}",
            response.status()
        );
    }
}
