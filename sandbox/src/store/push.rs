//! The emulated push gateway's record: one notification per enrolled device and
//! payment request, readable through the admin feed in FCM and APNs shapes.
//!
//! A new request only writes one outbox row, whoever the account is; the notifications
//! are written from the outbox after the merchant has its answer (`crate::outbox`), so
//! that the answer does not wait for more work when the account has devices.

use cvconnect_core::protocol::push::{PushKind, PushPayload};
use rusqlite::{params, Connection, Row};
use serde_json::{json, Map, Value};

use super::devices;
use super::payments::PaymentRow;
use crate::util::new_id;

/// Title of every alert.
pub const ALERT_TITLE: &str = "Chèque-Vacances Connect";
/// Bundle id the APNs payload targets (`xcrun simctl push`).
pub const IOS_BUNDLE_ID: &str = "fr.ancv.cvconnect";

#[derive(Debug, Clone)]
pub struct PushRow {
    pub seq: i64,
    pub device_id: String,
    pub payment_id: String,
    pub message_id: String,
    pub push_token: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: i64,
}

/// Records one notification per device of the payment's account; returns how many.
pub fn record_for_payment(
    conn: &Connection,
    payment: &PaymentRow,
    now: i64,
) -> rusqlite::Result<usize> {
    let Some(account_id) = payment.account_id.as_deref() else {
        return Ok(0);
    };
    let body = format!(
        "{} vous demande {}",
        payment.merchant_name,
        payment.total.format_fr()
    );
    let devices = devices::of_account(conn, account_id)?;
    for device in &devices {
        conn.execute(
            "INSERT INTO push_notifications (device_id, payment_id, message_id, push_token, title, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                device.id,
                payment.id,
                new_id("msg_"),
                device.push_token,
                ALERT_TITLE,
                body,
                now
            ],
        )?;
    }
    Ok(devices.len())
}

/// Queues the notifications of a new request (one row, known account or not).
pub fn enqueue(conn: &Connection, payment_id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO push_outbox (payment_id, created_at) VALUES (?1, ?2)",
        params![payment_id, now],
    )?;
    Ok(())
}

/// Writes the notifications of every queued request and empties the queue; returns
/// how many notifications were written.
pub fn deliver_outbox(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    let queued: Vec<String> = conn
        .prepare("SELECT payment_id FROM push_outbox ORDER BY rowid")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut written = 0;
    for payment_id in queued {
        if let Some(payment) = super::payments::get(conn, &payment_id)? {
            written += record_for_payment(conn, &payment, now)?;
        }
        conn.execute(
            "DELETE FROM push_outbox WHERE payment_id = ?1",
            [&payment_id],
        )?;
    }
    Ok(written)
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<PushRow> {
    Ok(PushRow {
        seq: r.get(0)?,
        device_id: r.get(1)?,
        payment_id: r.get(2)?,
        message_id: r.get(3)?,
        push_token: r.get(4)?,
        title: r.get(5)?,
        body: r.get(6)?,
        created_at: r.get(7)?,
    })
}

/// Notifications after `after` (a `seq`), oldest first, for one device or all.
pub fn feed(
    conn: &Connection,
    device_id: Option<&str>,
    after: i64,
    limit: i64,
) -> rusqlite::Result<Vec<PushRow>> {
    let mut stmt = conn.prepare(
        "SELECT seq, device_id, payment_id, message_id, push_token, title, body, created_at
         FROM push_notifications
         WHERE seq > ?1 AND (?2 IS NULL OR device_id = ?2)
         ORDER BY seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![after, device_id, limit], from_row)?;
    rows.collect()
}

pub fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM push_notifications",
        [],
        |r| r.get(0),
    )
}

impl PushRow {
    /// The flat data map of protocol §9.
    pub fn data(&self) -> Map<String, Value> {
        let payload = PushPayload {
            kind: PushKind::PaymentRequest,
            payment_id: self.payment_id.clone(),
            message_id: self.message_id.clone(),
        };
        payload
            .to_data()
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect()
    }

    /// The feed entry: the notification, its FCM v1 message and its APNs payload.
    pub fn to_json(&self) -> Value {
        let data = self.data();
        let mut apns = Map::new();
        apns.insert("Simulator Target Bundle".into(), json!(IOS_BUNDLE_ID));
        apns.insert(
            "aps".into(),
            json!({
                "alert": {"title": self.title, "body": self.body},
                "mutable-content": 1,
                "sound": "default"
            }),
        );
        for (k, v) in &data {
            apns.insert(k.clone(), v.clone());
        }
        json!({
            "seq": self.seq,
            "device_id": self.device_id,
            "payment_id": self.payment_id,
            "message_id": self.message_id,
            "push_token": self.push_token,
            "created_at": self.created_at,
            "title": self.title,
            "body": self.body,
            "data": data,
            "fcm": {"message": {"token": self.push_token, "data": data}},
            "apns": apns,
        })
    }
}
