//! The outbox of merchant events (`webhook_events`) and the log of their delivery
//! attempts (`webhook_attempts`). An event is written in the transaction that makes its
//! payment final; its body is fixed then, so every retry sends the same bytes.

use cvconnect_core::protocol::wire::{MerchantPayment, PaymentStatus};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::wall_ms;
use crate::store::payments;
use crate::util::new_id;

thread_local! {
    /// Whether the transaction running on this thread wrote an event.
    static WRITTEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether an event was written on this thread since the last call (the caller wakes
/// the worker after its transaction when so).
pub fn take_written() -> bool {
    WRITTEN.with(|written| written.replace(false))
}

/// The event as the merchant receives it.
#[derive(Debug, Serialize)]
struct Event<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    created_at: i64,
    data: MerchantPayment,
}

/// The event type of a final status; `None` for PENDING.
pub fn event_type(status: PaymentStatus) -> Option<&'static str> {
    Some(match status {
        PaymentStatus::Pending => return None,
        PaymentStatus::Authorised => "payment.authorised",
        PaymentStatus::PartiallyAuthorised => "payment.partially_authorised",
        PaymentStatus::Refused => "payment.refused",
        PaymentStatus::Expired => "payment.expired",
        PaymentStatus::Cancelled => "payment.cancelled",
    })
}

/// Writes the event of payment `payment_id`'s final status, addressed to the request's
/// own URL, else to the merchant's (none: the event is kept for the checkout page and
/// the log, and not delivered).
pub fn record(conn: &Connection, payment_id: &str, now: i64) -> rusqlite::Result<()> {
    let Some(payment) = payments::get(conn, payment_id)? else {
        return Ok(());
    };
    let Some(kind) = event_type(payment.status) else {
        return Ok(());
    };
    let url: Option<String> = conn.query_row(
        "SELECT COALESCE(p.notification_url, m.notification_url)
         FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE p.id = ?1",
        [payment_id],
        |r| r.get(0),
    )?;
    let id = new_id("evt_");
    let event = Event {
        id: &id,
        kind,
        created_at: now,
        data: payment.merchant_view(),
    };
    let body = serde_json::to_string(&event)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let created_ms = wall_ms();
    conn.execute(
        "INSERT INTO webhook_events (id, payment_id, merchant_id, type, body, url, created_at,
                                     created_ms, next_attempt_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            payment_id,
            payment.merchant_id,
            kind,
            body,
            url,
            now,
            created_ms,
            url.as_ref().map(|_| created_ms)
        ],
    )?;
    WRITTEN.with(|written| written.set(true));
    Ok(())
}

/// The newest event's sequence number (0 without events).
pub fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM webhook_events",
        [],
        |r| r.get(0),
    )
}

/// The events after `after`, oldest first: (seq, payment id, body).
pub fn after(conn: &Connection, after: i64) -> rusqlite::Result<Vec<(i64, String, String)>> {
    conn.prepare(
        "SELECT seq, payment_id, body FROM webhook_events WHERE seq > ?1 ORDER BY seq LIMIT 500",
    )?
    .query_map([after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
    .collect()
}

/// An event due for an attempt.
#[derive(Debug, Clone)]
pub struct Due {
    pub seq: i64,
    pub id: String,
    pub merchant_id: String,
    pub url: String,
    pub body: String,
    pub secret: String,
    pub created_ms: i64,
    pub attempts: u32,
}

/// The events whose next attempt is due at `now_ms`, the most overdue first.
pub fn due(conn: &Connection, now_ms: i64, limit: u32) -> rusqlite::Result<Vec<Due>> {
    conn.prepare(
        "SELECT e.seq, e.id, e.merchant_id, e.url, e.body, m.webhook_secret, e.created_ms,
                (SELECT COUNT(*) FROM webhook_attempts a WHERE a.event_seq = e.seq)
         FROM webhook_events e JOIN merchants m ON m.id = e.merchant_id
         WHERE e.next_attempt_ms IS NOT NULL AND e.next_attempt_ms <= ?1
         ORDER BY e.next_attempt_ms LIMIT ?2",
    )?
    .query_map(params![now_ms, limit], |r| {
        Ok(Due {
            seq: r.get(0)?,
            id: r.get(1)?,
            merchant_id: r.get(2)?,
            url: r.get(3)?,
            body: r.get(4)?,
            secret: r.get(5)?,
            created_ms: r.get(6)?,
            attempts: r.get(7)?,
        })
    })?
    .collect()
}

/// When the next attempt of any event is due, if one is.
pub fn next_due_ms(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT MIN(next_attempt_ms) FROM webhook_events WHERE next_attempt_ms IS NOT NULL",
        [],
        |r| r.get(0),
    )
}

/// What one attempt got: the merchant's HTTP status, or why there was none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Answered(u16),
    Failed(String),
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        matches!(self, Outcome::Answered(status) if (200..300).contains(status))
    }
}

/// Logs an attempt and schedules the next one: none once delivered, `retry_at_ms`
/// otherwise, or none and given up when `retry_at_ms` is `None`.
pub fn record_attempt(
    conn: &Connection,
    seq: i64,
    at_ms: i64,
    outcome: &Outcome,
    retry_at_ms: Option<i64>,
) -> rusqlite::Result<()> {
    let (status, error) = match outcome {
        Outcome::Answered(status) => (Some(i64::from(*status)), None),
        Outcome::Failed(error) => (None, Some(error.as_str())),
    };
    conn.execute(
        "INSERT INTO webhook_attempts (event_seq, at_ms, http_status, error) VALUES (?1, ?2, ?3, ?4)",
        params![seq, at_ms, status, error],
    )?;
    if outcome.delivered() {
        conn.execute(
            "UPDATE webhook_events SET next_attempt_ms = NULL, delivered_at_ms = ?2 WHERE seq = ?1",
            params![seq, at_ms],
        )?;
    } else {
        conn.execute(
            "UPDATE webhook_events SET next_attempt_ms = ?2, gave_up = ?3 WHERE seq = ?1",
            params![seq, retry_at_ms, retry_at_ms.is_none()],
        )?;
    }
    Ok(())
}

/// One attempt in the delivery log.
#[derive(Debug, Serialize)]
pub struct AttemptView {
    pub at_ms: i64,
    pub http_status: Option<u16>,
    pub error: Option<String>,
}

/// One event in the delivery log.
#[derive(Debug, Serialize)]
pub struct DeliveryView {
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub payment_id: String,
    pub url: Option<String>,
    pub created_at: i64,
    pub delivered: bool,
    pub delivered_at_ms: Option<i64>,
    pub next_attempt_ms: Option<i64>,
    pub gave_up: bool,
    pub attempts: Vec<AttemptView>,
}

/// The delivery log: the events of `payment_id` (or the latest 100), oldest first.
pub fn log(conn: &Connection, payment_id: Option<&str>) -> rusqlite::Result<Vec<DeliveryView>> {
    let mut events: Vec<(i64, DeliveryView)> = conn
        .prepare(
            "SELECT * FROM (
               SELECT seq, id, type, payment_id, url, created_at, delivered_at_ms,
                      next_attempt_ms, gave_up
               FROM webhook_events WHERE ?1 IS NULL OR payment_id = ?1
               ORDER BY seq DESC LIMIT 100)
             ORDER BY seq",
        )?
        .query_map([payment_id], |r| {
            let delivered_at_ms: Option<i64> = r.get(6)?;
            Ok((
                r.get(0)?,
                DeliveryView {
                    event_id: r.get(1)?,
                    kind: r.get(2)?,
                    payment_id: r.get(3)?,
                    url: r.get(4)?,
                    created_at: r.get(5)?,
                    delivered: delivered_at_ms.is_some(),
                    delivered_at_ms,
                    next_attempt_ms: r.get(7)?,
                    gave_up: r.get(8)?,
                    attempts: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut attempts = conn.prepare(
        "SELECT at_ms, http_status, error FROM webhook_attempts WHERE event_seq = ?1 ORDER BY rowid",
    )?;
    for (seq, view) in &mut events {
        view.attempts = attempts
            .query_map([*seq], |r| {
                Ok(AttemptView {
                    at_ms: r.get(0)?,
                    http_status: r
                        .get::<_, Option<i64>>(1)?
                        .and_then(|s| u16::try_from(s).ok()),
                    error: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(events.into_iter().map(|(_, view)| view).collect())
}

/// Whether the payment `payment_id` exists (the log of an unknown one is `not_found`).
pub fn payment_exists(conn: &Connection, payment_id: &str) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM payments WHERE id = ?1", [payment_id], |_| {
        Ok(())
    })
    .optional()
    .map(|found| found.is_some())
}
