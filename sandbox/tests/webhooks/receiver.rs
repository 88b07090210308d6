//! A merchant's notification endpoint on loopback: a real HTTP server that records
//! every POST it gets and answers 500 to the first `failures` of them.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use cvconnect_testkit::wait_for;
use ring::hmac;
use serde_json::Value;

/// One POST as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub event_id: String,
    pub signature: String,
    pub body: String,
    /// What the receiver answered.
    pub answered: u16,
}

impl Received {
    pub fn event(&self) -> Value {
        serde_json::from_str(&self.body).expect("an event is JSON")
    }
}

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    failures_left: u32,
}

#[derive(Clone)]
pub struct Receiver {
    log: Arc<Mutex<Log>>,
    pub url: String,
}

async fn hook(State(log): State<Arc<Mutex<Log>>>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut log = log.lock().unwrap();
    let status = if log.failures_left > 0 {
        log.failures_left -= 1;
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    };
    log.received.push(Received {
        event_id: header("cvc-event-id"),
        signature: header("cvc-signature"),
        body,
        answered: status.as_u16(),
    });
    status
}

impl Receiver {
    /// A receiver that answers 500 to its first `failures` requests, then 204.
    pub async fn start(failures: u32) -> Receiver {
        let log = Arc::new(Mutex::new(Log {
            received: Vec::new(),
            failures_left: failures,
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(log.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { log, url }
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().received.clone()
    }

    /// Waits until `n` requests arrived; returns them.
    pub async fn wait_requests(&self, n: usize) -> Vec<Received> {
        wait_for(&format!("{n} notifications"), || async {
            let received = self.received();
            Ok((received.len() >= n).then_some(received))
        })
        .await
        .unwrap()
    }
}

/// Checks `received`'s signature as a merchant would: HMAC-SHA-256 under `secret` of
/// `"<t>." + body`, in constant time.
pub fn signature_ok(secret: &str, received: &Received) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in received.signature.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let Some(tag) = (0..v1.len())
        .step_by(2)
        .map(|i| {
            v1.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let message = format!("{t}.{}", received.body);
    hmac::verify(&key, message.as_bytes(), &tag).is_ok()
}
