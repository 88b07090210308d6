//! The delivery worker: publishes each committed event to the checkout page's streams,
//! then POSTs the due events to their URLs, signed, and schedules the retries.
//!
//! Signature (protocol §8.1): `CVC-Signature: t=<unix>,v1=<hex>` where `<hex>` is
//! HMAC-SHA-256 under the merchant's `whsec_…` secret of `"<t>." + body`, as Stripe
//! does; `CVC-Event-Id` repeats the event id for deduplication. Faults armed on the
//! pseudo-route `webhook:<merchant_id>` make attempts fail on purpose: `error` sends
//! nothing, `delay` waits first, `drop_after_commit` sends and then counts the attempt
//! as failed (the merchant gets the event again: at least once).

use std::sync::Arc;
use std::time::Duration;

use ring::hmac;

use super::events::{self, Due, Outcome};
use super::{wall_ms, PublishedEvent};
use crate::config::WebhookSettings;
use crate::faults::FaultKind;
use crate::state::AppState;

/// Events attempted at once.
const BATCH: u32 = 32;
/// Longest sleep of an idle worker. `AppState::transaction` wakes it after a commit
/// that wrote events; this bound also catches events written by any other path.
const IDLE: Duration = Duration::from_secs(1);

/// The `CVC-Signature` header of `body` sent at `t`.
pub fn signature_header(secret: &str, t: i64, body: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, format!("{t}.{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// The wait before the retry that follows `failures` failed attempts (1, 2, …):
/// `base · 2^(failures-1)`, at most `max_interval`.
pub fn backoff(settings: &WebhookSettings, failures: u32) -> Duration {
    let factor = 1u32
        .checked_shl(failures.saturating_sub(1).min(31))
        .unwrap_or(u32::MAX);
    settings
        .retry_base
        .saturating_mul(factor)
        .min(settings.retry_max_interval)
}

/// When to try again after `failures` failed attempts at `now_ms`; `None` once the
/// retry period since the event's creation is over.
pub fn retry_at(
    settings: &WebhookSettings,
    created_ms: i64,
    failures: u32,
    now_ms: i64,
) -> Option<i64> {
    let wait = i64::try_from(backoff(settings, failures).as_millis()).unwrap_or(i64::MAX);
    let period = i64::try_from(settings.retry_for.as_millis()).unwrap_or(i64::MAX);
    let at = now_ms.saturating_add(wait);
    (at <= created_ms.saturating_add(period)).then_some(at)
}

fn client(settings: &WebhookSettings) -> reqwest::Client {
    // reqwest is built without a default TLS provider: use ring, as the server does.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("cvconnect-sandbox-webhooks/1")
        .build()
        .unwrap_or_default()
}

/// Runs until shutdown: publishes, delivers what is due, sleeps until the next due
/// attempt or a wake-up.
pub async fn run(state: AppState) {
    let client = client(&state.config.webhooks);
    let mut published = match state.db.run(|conn| Ok(events::last_seq(conn)?)).await {
        Ok(seq) => seq,
        Err(e) => {
            tracing::warn!(code = e.code_str(), "webhook worker not started");
            return;
        }
    };
    let mut shutdown = state.shutdown.clone();
    loop {
        let woken = state.webhook_wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        published = publish(&state, published).await;
        let next = deliver_due(&state, &client).await;
        let sleep = next.map_or(IDLE, |at| {
            Duration::from_millis(u64::try_from(at - wall_ms()).unwrap_or(0)).min(IDLE)
        });
        tokio::select! {
            _ = &mut woken => {}
            _ = tokio::time::sleep(sleep) => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
            }
        }
    }
}

/// Sends the events committed since `after` to the checkout streams; returns the last.
async fn publish(state: &AppState, after: i64) -> i64 {
    let fresh = match state
        .db
        .run(move |conn| Ok(events::after(conn, after)?))
        .await
    {
        Ok(fresh) => fresh,
        Err(_) => return after,
    };
    let mut last = after;
    for (seq, payment_id, body) in fresh {
        last = seq;
        // Nobody listening is fine.
        let _ = state
            .events
            .send(Arc::new(PublishedEvent { payment_id, body }));
    }
    last
}

/// Attempts every due event; returns when the next attempt is due.
async fn deliver_due(state: &AppState, client: &reqwest::Client) -> Option<i64> {
    loop {
        let due = state
            .db
            .run(|conn| Ok(events::due(conn, wall_ms(), BATCH)?))
            .await
            .ok()?;
        if due.is_empty() {
            break;
        }
        let attempts = due.into_iter().map(|event| attempt(state, client, event));
        futures::future::join_all(attempts).await;
    }
    state
        .db
        .run(|conn| Ok(events::next_due_ms(conn)?))
        .await
        .ok()
        .flatten()
}

/// One attempt of `event`, logged with its outcome and the next attempt.
async fn attempt(state: &AppState, client: &reqwest::Client, event: Due) {
    let outcome = send(state, client, &event).await;
    let at_ms = wall_ms();
    let failures = event.attempts.saturating_add(1);
    let retry = retry_at(&state.config.webhooks, event.created_ms, failures, at_ms);
    tracing::info!(
        event_id = %event.id,
        delivered = outcome.delivered(),
        attempt = failures,
        "webhook attempt"
    );
    let seq = event.seq;
    let logged = state
        .db
        .run(move |conn| Ok(events::record_attempt(conn, seq, at_ms, &outcome, retry)?))
        .await;
    if let Err(e) = logged {
        tracing::warn!(code = e.code_str(), "webhook attempt not logged");
    }
}

/// The POST itself, with the faults armed for the merchant.
async fn send(state: &AppState, client: &reqwest::Client, event: &Due) -> Outcome {
    let fault = state.faults.take(&format!("webhook:{}", event.merchant_id));
    match fault.as_ref().map(|f| f.kind) {
        Some(FaultKind::Error) => return Outcome::Failed("fault injected: error".into()),
        Some(FaultKind::Missing) => return Outcome::Answered(404),
        Some(FaultKind::Delay) => {
            let delay = fault.as_ref().map_or(0, |f| f.delay_ms);
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        _ => {}
    }
    let t = state.now();
    let sent = client
        .post(&event.url)
        .header("content-type", "application/json")
        .header(
            "cvc-signature",
            signature_header(&event.secret, t, &event.body),
        )
        .header("cvc-event-id", &event.id)
        .body(event.body.clone())
        .send()
        .await;
    let outcome = match sent {
        Ok(response) => Outcome::Answered(response.status().as_u16()),
        Err(e) => Outcome::Failed(describe(&e)),
    };
    match fault.map(|f| f.kind) {
        Some(FaultKind::DropAfterCommit) => {
            Outcome::Failed("fault injected: answer dropped".into())
        }
        _ => outcome,
    }
}

/// A transport error in a few words, without the URL (it may carry a token).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timeout".into()
    } else if error.is_connect() {
        "connection failed".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_stops_after_the_period() {
        let settings = WebhookSettings {
            retry_base: Duration::from_millis(100),
            retry_max_interval: Duration::from_millis(500),
            retry_for: Duration::from_secs(2),
            ..WebhookSettings::default()
        };
        let waits: Vec<u128> = (1..=5).map(|n| backoff(&settings, n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 500, 500]);
        assert_eq!(backoff(&settings, 200).as_millis(), 500);
        assert_eq!(retry_at(&settings, 0, 1, 1_000), Some(1_100));
        assert_eq!(retry_at(&settings, 0, 4, 1_500), Some(2_000));
        assert_eq!(retry_at(&settings, 0, 4, 1_501), None);
    }

    #[test]
    fn signature_is_hmac_sha256_of_time_dot_body() {
        // Computed with Python's hmac module, as a merchant would.
        let header = signature_header("whsec_test", 1_700_000_000, r#"{"id":"evt_1"}"#);
        assert_eq!(
            header,
            "t=1700000000,v1=c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925"
        );
    }
}
