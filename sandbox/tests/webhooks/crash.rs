//! The sandbox binary killed with SIGKILL after a status change and before its event
//! was delivered: restarted on its database file, it delivers the event.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use cvconnect_testkit::wait_for;
use serde_json::{json, Value};

use crate::receiver::{signature_ok, Receiver};

const ADMIN: &str = "webhook-crash-admin";

/// The sandbox binary on `port` and `db`, retrying notifications every 20 ms or more.
fn launch(db: &Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cvconnect-sandbox"))
        .args(["--port", &port.to_string(), "--admin-token", ADMIN])
        .arg("--db")
        .arg(db)
        .args([
            "--webhook-retry-base-ms",
            "20",
            "--webhook-retry-max-ms",
            "100",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // It serves once it printed its URL.
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("http://"), "{line:?}");
    child
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    method: reqwest::Method,
    path: &str,
    bearer: &str,
    body: Option<Value>,
) -> Value {
    let mut request = http
        .request(method, format!("{base}{path}"))
        .bearer_auth(bearer);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_killed_sandbox_delivers_after_its_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite3");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let receiver = Receiver::start(0).await;
    let mut child = launch(&db, port);
    let post = reqwest::Method::POST;
    let shop = call(
        &http,
        &base,
        post.clone(),
        "/admin/merchants",
        ADMIN,
        Some(json!({ "name": "Boutique", "notification_url": receiver.url })),
    )
    .await;
    let key = shop["api_key"].as_str().unwrap();
    // Every delivery fails until the kill: the event is only in the database.
    let fault = json!({ "route": format!("webhook:{}", shop["merchant_id"].as_str().unwrap()), "kind": "error", "count": 1000 });
    call(
        &http,
        &base,
        post.clone(),
        "/admin/faults",
        ADMIN,
        Some(fault),
    )
    .await;
    let created = call(
        &http,
        &base,
        post.clone(),
        "/v1/merchant/payment-requests",
        key,
        Some(json!({ "account": "camille.martin@example.fr", "total": "150.00" })),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    call(
        &http,
        &base,
        post.clone(),
        &format!("/v1/merchant/payment-requests/{id}/cancel"),
        key,
        None,
    )
    .await;
    let log_path = format!("/admin/webhook-deliveries?payment_id={id}");
    wait_for("a failed attempt", || async {
        let log = call(&http, &base, reqwest::Method::GET, &log_path, ADMIN, None).await;
        Ok((log["deliveries"][0]["attempts"]
            .as_array()
            .is_some_and(|a| !a.is_empty()))
        .then_some(()))
    })
    .await
    .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(receiver.received().is_empty());
    let mut child = launch(&db, port);
    let got = receiver.wait_requests(1).await;
    assert_eq!(got[0].event()["type"], "payment.cancelled");
    assert_eq!(got[0].event()["data"]["id"], id.as_str());
    assert!(signature_ok(
        shop["webhook_secret"].as_str().unwrap(),
        &got[0]
    ));
    child.kill().unwrap();
    child.wait().unwrap();
}
