//! Merchant notifications (protocol §8.1, issue 17): a real receiver on loopback gets
//! each final status once, signed; failures are retried with backoff; an expiry nobody
//! reads is notified; a killed sandbox delivers after its restart; the checkout page's
//! event stream carries the same events.

mod common;
#[path = "webhooks/crash.rs"]
mod crash;
#[path = "webhooks/receiver.rs"]
mod receiver;

use std::time::Duration;

use common::{raw, start_changed, Sandboxed as _, World, DEMO_EMAIL, DEMO_MERCHANT_KEY, DEMO_PIN};
use cvconnect_testkit::{eur, wait_for};
use receiver::{signature_ok, Receiver};
use reqwest::Method;
use serde_json::{json, Value};

/// A sandbox whose retries start at 20 ms and whose sweeper runs every 20 ms.
async fn start() -> World {
    start_changed(|config| {
        config.webhooks.retry_base = Duration::from_millis(20);
        config.webhooks.retry_max_interval = Duration::from_millis(200);
        config.webhooks.expiry_sweep = Duration::from_millis(20);
    })
    .await
}

/// A merchant created by the admin route, notified at `url`.
struct Merchant {
    id: String,
    api_key: String,
    secret: String,
}

async fn merchant(world: &World, url: Option<&str>) -> Merchant {
    let body = json!({ "name": "Boutique Notifiée", "notification_url": url });
    let (status, created) = raw(
        world,
        Method::POST,
        "/admin/merchants",
        Some(world.admin_token()),
        Some(body.to_string().into_bytes()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["notification_url"].as_str(), url);
    let secret = created["webhook_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    Merchant {
        id: created["merchant_id"].as_str().unwrap().to_owned(),
        api_key: created["api_key"].as_str().unwrap().to_owned(),
        secret,
    }
}

/// A payment request of `merchant` for the demo account, with `extra` fields.
async fn request(world: &World, api_key: &str, extra: Value) -> (u16, Value) {
    let mut body = json!({ "account": DEMO_EMAIL, "total": "150.00" });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let path = "/v1/merchant/payment-requests";
    raw(
        world,
        Method::POST,
        path,
        Some(api_key),
        Some(body.to_string().into_bytes()),
    )
    .await
}

async fn new_request(world: &World, api_key: &str) -> String {
    let (status, created) = request(world, api_key, json!({})).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

async fn cancel(world: &World, api_key: &str, id: &str) {
    let path = format!("/v1/merchant/payment-requests/{id}/cancel");
    let (status, body) = raw(world, Method::POST, &path, Some(api_key), None).await;
    assert_eq!(status, 200, "{body}");
}

/// The delivery log of payment `id`.
async fn deliveries(world: &World, id: &str) -> Vec<Value> {
    let path = format!("/admin/webhook-deliveries?payment_id={id}");
    let (status, log) = raw(world, Method::GET, &path, Some(world.admin_token()), None).await;
    assert_eq!(status, 200, "{log}");
    log["deliveries"].as_array().unwrap().clone()
}

/// The delivery log of payment `id` once its event is delivered.
async fn delivered(world: &World, id: &str) -> Vec<Value> {
    wait_for("the delivery logged", || async {
        let log = deliveries(world, id).await;
        Ok((log.first().is_some_and(|d| d["delivered"] == true)).then_some(log))
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn each_final_status_arrives_once_signed() {
    let world = start().await;
    let receiver = Receiver::start(0).await;
    let shop = merchant(&world, Some(&receiver.url)).await;
    let id = new_request(&world, &shop.api_key).await;
    cancel(&world, &shop.api_key, &id).await;
    let got = receiver.wait_requests(1).await;
    let event = got[0].event();
    assert!(signature_ok(&shop.secret, &got[0]));
    assert!(!signature_ok("whsec_other", &got[0]));
    assert_eq!(event["type"], "payment.cancelled");
    assert_eq!(event["id"].as_str(), Some(got[0].event_id.as_str()));
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(
        (
            event["data"]["id"].as_str(),
            event["data"]["status"].as_str()
        ),
        (Some(id.as_str()), Some("CANCELLED"))
    );
    assert!(event["created_at"].is_i64());
    let log = delivered(&world, &id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["event_id"], event["id"]);
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(log[0]["attempts"][0]["http_status"], 204);
    // A second status change of the same payment is refused: still one event.
    let path = format!("/v1/merchant/payment-requests/{id}/cancel");
    let (status, _) = raw(&world, Method::POST, &path, Some(&shop.api_key), None).await;
    assert_eq!(status, 409);
    assert_eq!(deliveries(&world, &id).await.len(), 1);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn the_request_url_wins_over_the_merchant_url() {
    let world = start().await;
    let (shop_receiver, own_receiver) = (Receiver::start(0).await, Receiver::start(0).await);
    let shop = merchant(&world, Some(&shop_receiver.url)).await;
    let (status, created) = request(
        &world,
        &shop.api_key,
        json!({ "notification_url": own_receiver.url }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    cancel(&world, &shop.api_key, id).await;
    let got = own_receiver.wait_requests(1).await;
    assert_eq!(got[0].event()["data"]["id"], id);
    let log = deliveries(&world, id).await;
    assert_eq!(log[0]["url"].as_str(), Some(own_receiver.url.as_str()));
    assert!(shop_receiver.received().is_empty());
    for bad in ["ftp://example.fr/x", "not a url", "javascript:alert(1)"] {
        let (status, body) =
            request(&world, &shop.api_key, json!({ "notification_url": bad })).await;
        assert_eq!(
            (status, common::code(&body)),
            (422, "validation_failed"),
            "{bad}"
        );
        assert_eq!(body["error"]["field"], "notification_url");
    }
}

#[tokio::test]
async fn a_failing_receiver_gets_the_event_again_with_growing_waits() {
    let world = start().await;
    let receiver = Receiver::start(3).await;
    let shop = merchant(&world, Some(&receiver.url)).await;
    let id = new_request(&world, &shop.api_key).await;
    cancel(&world, &shop.api_key, &id).await;
    let got = receiver.wait_requests(4).await;
    let answered: Vec<u16> = got.iter().map(|r| r.answered).collect();
    assert_eq!(answered, [500, 500, 500, 204]);
    assert!(got
        .iter()
        .all(|r| r.event_id == got[0].event_id && r.body == got[0].body));
    assert!(got.iter().all(|r| signature_ok(&shop.secret, r)));
    let log = delivered(&world, &id).await;
    let at: Vec<i64> = log[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["at_ms"].as_i64().unwrap())
        .collect();
    // Waits of at least 20, 40 and 80 ms between the attempts (base 20 ms, doubled).
    for (i, pair) in at.windows(2).enumerate() {
        assert!(pair[1] - pair[0] >= 20 << i, "attempts at {at:?}");
    }
    assert_eq!(receiver.received().len(), 4, "no attempt after a 2xx");
}

#[tokio::test]
async fn faults_on_the_webhook_pseudo_route_fail_deliveries() {
    // (kind, armed for, logged error, POSTs the receiver gets)
    let cases = [
        ("error", 2, "fault injected: error", 1),
        ("drop_after_commit", 1, "fault injected: answer dropped", 2),
    ];
    for (kind, count, error, posts) in cases {
        let world = start().await;
        let receiver = Receiver::start(0).await;
        let shop = merchant(&world, Some(&receiver.url)).await;
        let route = format!("webhook:{}", shop.id);
        let fault = json!({ "route": route, "kind": kind, "count": count });
        let token = Some(world.admin_token());
        let body = Some(fault.to_string().into_bytes());
        let (status, _) = raw(&world, Method::POST, "/admin/faults", token, body).await;
        assert_eq!(status, 201, "{kind}");
        let id = new_request(&world, &shop.api_key).await;
        cancel(&world, &shop.api_key, &id).await;
        let got = receiver.wait_requests(posts).await;
        let log = delivered(&world, &id).await;
        let attempts = log[0]["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), count + 1, "{kind}");
        assert!(
            attempts[..count].iter().all(|a| a["error"] == error),
            "{kind}"
        );
        // At least once: a dropped answer brings the same event again.
        assert_eq!(receiver.received().len(), posts, "{kind}");
        assert!(got.iter().all(|r| r.event_id == got[0].event_id));
    }
}

#[tokio::test]
async fn expiry_is_notified_without_any_read() {
    let world = start().await;
    let receiver = Receiver::start(0).await;
    let shop = merchant(&world, Some(&receiver.url)).await;
    let id = new_request(&world, &shop.api_key).await;
    world.advance_clock(181).await.unwrap();
    // Nobody reads the payment: only the sweeper can expire it.
    let got = receiver.wait_requests(1).await;
    let event = got[0].event();
    assert_eq!(event["type"], "payment.expired");
    assert_eq!(
        (
            event["data"]["id"].as_str(),
            event["data"]["status"].as_str()
        ),
        (Some(id.as_str()), Some("EXPIRED"))
    );
    assert!(signature_ok(&shop.secret, &got[0]));
}

#[tokio::test]
async fn confirm_and_lock_are_notified_to_the_merchant_url_set_by_api() {
    let world = start().await;
    let receiver = Receiver::start(0).await;
    let body = json!({ "notification_url": receiver.url })
        .to_string()
        .into_bytes();
    let (status, set) = raw(
        &world,
        Method::PUT,
        "/v1/merchant/notification-url",
        Some(DEMO_MERCHANT_KEY),
        Some(body),
    )
    .await;
    assert_eq!(
        (status, set["notification_url"].as_str()),
        (200, Some(receiver.url.as_str()))
    );
    let device = world.device(DEMO_EMAIL).await;
    let partial = world.request("150.00").await;
    device.pay(&partial, eur("120.00"), DEMO_PIN).await.unwrap();
    let got = receiver.wait_requests(1).await;
    assert_eq!(got[0].event()["type"], "payment.partially_authorised");
    assert_eq!(got[0].event()["data"]["remaining_amount"], "30.00");
    let locked = world.request("40.00").await;
    for _ in 0..3 {
        assert!(device.pay(&locked, eur("40.00"), "0000").await.is_err());
    }
    let got = receiver.wait_requests(2).await;
    assert_eq!(got[1].event()["type"], "payment.refused");
    assert_eq!(got[1].event()["data"]["id"], locked);
}

#[tokio::test]
async fn the_checkout_stream_carries_the_events_of_its_own_payment() {
    let world = start().await;
    let (status, created) = common::answer(
        world
            .http
            .post(world.url("/checkout/api/payments"))
            .json(&json!({ "email": DEMO_EMAIL, "total": "150.00" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/checkout/api/payments/{id}/events");
    let stranger = reqwest::Client::new();
    assert_eq!(
        stranger
            .get(world.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let mut stream = world.http.get(world.url(&path)).send().await.unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let cancel_path = format!("/checkout/api/payments/{id}/cancel");
    let (status, _) = common::answer(world.http.post(world.url(&cancel_path))).await;
    assert_eq!(status, 200);
    let mut text = String::new();
    while !text.contains("\n\n") || !text.contains("payment.cancelled") {
        let chunk = tokio::time::timeout(cvconnect_testkit::WAIT, stream.chunk()).await;
        let chunk = chunk
            .expect("an event within the kit's wait")
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: payment"), "{text}");
    let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!(
        (event["type"].as_str(), event["data"]["id"].as_str()),
        (Some("payment.cancelled"), Some(id.as_str()))
    );
}

#[tokio::test]
async fn the_merchant_url_route_validates_and_removes() {
    let world = start().await;
    let path = "/v1/merchant/notification-url";
    let put = |body: Value| {
        let world = &world;
        async move {
            let bytes = Some(body.to_string().into_bytes());
            raw(world, Method::PUT, path, Some(DEMO_MERCHANT_KEY), bytes).await
        }
    };
    for bad in [
        json!({}),
        json!({ "notification_url": "ftp://example.fr/" }),
    ] {
        let (status, body) = put(bad.clone()).await;
        assert_eq!(
            (status, common::code(&body)),
            (422, "validation_failed"),
            "{bad}"
        );
        assert_eq!(body["error"]["field"], "notification_url");
    }
    let (status, body) = put(json!({ "notification_url": null })).await;
    assert_eq!((status, body), (200, json!({ "notification_url": null })));
    let (status, _) = raw(&world, Method::PUT, path, None, None).await;
    assert_eq!(status, 401);
}
