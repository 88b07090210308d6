//! Payment requests. Expiry is evaluated by whoever reads a PENDING request past its
//! expiry, and by the sweeper (`crate::webhooks::sweeper`) for the requests nobody
//! reads. Every move to a final status writes the merchant's event in the same
//! transaction (`crate::webhooks::events`).

use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::wire::{MerchantPayment, Payee, PaymentStatus, PaymentSummary};
use cvconnect_core::protocol::CURRENCY;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::merchants::MerchantRow;
use super::{amount_from_db, cents_to_i64};
use crate::error::{ApiError, ApiResult};
use crate::util::{b64url, b64url_decode, new_id, random_bytes};
use crate::webhooks::events;

/// History window of `GET /v1/payments` without `status`.
pub const HISTORY_SECS: i64 = 30 * 24 * 3600;

#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub account_id: Option<String>,
    pub total: Amount,
    pub order_ref: Option<String>,
    pub status: PaymentStatus,
    pub nonce: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub paid: Option<Amount>,
    pub remaining: Option<Amount>,
}

impl PaymentRow {
    pub fn payee(&self) -> Payee {
        Payee {
            id: self.merchant_id.clone(),
            name: self.merchant_name.clone(),
        }
    }

    pub fn merchant_view(&self) -> MerchantPayment {
        MerchantPayment {
            id: self.id.clone(),
            status: self.status,
            total: self.total,
            currency: CURRENCY.to_owned(),
            paid_amount: self.paid,
            remaining_amount: self.remaining,
            order_ref: self.order_ref.clone(),
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }

    pub fn summary(&self) -> PaymentSummary {
        PaymentSummary {
            payment_id: self.id.clone(),
            status: self.status,
            payee: self.payee(),
            total: self.total,
            currency: CURRENCY.to_owned(),
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }

    pub fn is_due(&self, now: i64) -> bool {
        self.status == PaymentStatus::Pending && now >= self.expires_at
    }
}

pub fn parse_status(text: &str) -> PaymentStatus {
    match text {
        "PENDING" => PaymentStatus::Pending,
        "AUTHORISED" => PaymentStatus::Authorised,
        "PARTIALLY_AUTHORISED" => PaymentStatus::PartiallyAuthorised,
        "REFUSED" => PaymentStatus::Refused,
        "EXPIRED" => PaymentStatus::Expired,
        _ => PaymentStatus::Cancelled,
    }
}

pub fn new_nonce() -> String {
    b64url(&random_bytes::<32>())
}

const SELECT: &str = "SELECT p.id, p.merchant_id, m.name, p.account_id, p.total_cents, p.order_ref,
        p.status, p.nonce, p.created_at, p.expires_at, p.paid_cents, p.remaining_cents, p.rowid
     FROM payments p JOIN merchants m ON m.id = p.merchant_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<PaymentRow> {
    Ok(PaymentRow {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        merchant_name: r.get(2)?,
        account_id: r.get(3)?,
        total: amount_from_db(r.get(4)?),
        order_ref: r.get(5)?,
        status: parse_status(&r.get::<_, String>(6)?),
        nonce: r.get(7)?,
        created_at: r.get(8)?,
        expires_at: r.get(9)?,
        paid: r.get::<_, Option<i64>>(10)?.map(amount_from_db),
        remaining: r.get::<_, Option<i64>>(11)?.map(amount_from_db),
    })
}

/// A new payment request.
pub struct NewPayment<'a> {
    pub merchant: &'a MerchantRow,
    /// The holder, when the account reference is known.
    pub account_id: Option<&'a str>,
    /// The account reference as the merchant sent it (e-mail normalized, or number).
    pub account_ref: &'a str,
    pub total: Amount,
    pub order_ref: Option<&'a str>,
    /// Where this request's events go, instead of the merchant's URL.
    pub notification_url: Option<&'a str>,
}

/// Inserts a PENDING request valid `ttl_secs` from `now`. The row is built from what
/// was inserted, without reading it back, so that known and unknown accounts run the
/// same statements.
pub fn create(
    conn: &Connection,
    new: &NewPayment<'_>,
    now: i64,
    ttl_secs: i64,
) -> rusqlite::Result<PaymentRow> {
    let id = new_id("pay_");
    let nonce = new_nonce();
    let expires_at = now.saturating_add(ttl_secs);
    conn.execute(
        "INSERT INTO payments (id, merchant_id, account_id, account_ref, total_cents, order_ref,
                               status, nonce, created_at, expires_at, updated_at, notification_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'PENDING', ?7, ?8, ?9, ?8, ?10)",
        params![
            id,
            new.merchant.id,
            new.account_id,
            new.account_ref,
            cents_to_i64(new.total),
            new.order_ref,
            nonce,
            now,
            expires_at,
            new.notification_url
        ],
    )?;
    Ok(PaymentRow {
        id,
        merchant_id: new.merchant.id.clone(),
        merchant_name: new.merchant.name.clone(),
        account_id: new.account_id.map(str::to_owned),
        total: new.total,
        order_ref: new.order_ref.map(str::to_owned),
        status: PaymentStatus::Pending,
        nonce,
        created_at: now,
        expires_at,
        paid: None,
        remaining: None,
    })
}

/// The stored row, without expiry evaluation.
pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<PaymentRow>> {
    conn.query_row(&format!("{SELECT} WHERE p.id = ?1"), [id], from_row)
        .optional()
}

/// Moves the row to EXPIRED when its validity elapsed.
pub fn expire_if_due(conn: &Connection, row: &mut PaymentRow, now: i64) -> rusqlite::Result<()> {
    if row.is_due(now) {
        set_status(conn, &row.id, PaymentStatus::Expired, now)?;
        row.status = PaymentStatus::Expired;
    }
    Ok(())
}

/// Who may see a payment: the merchant that asked for it, or the account it asks.
#[derive(Debug, Clone)]
pub enum Owner {
    Merchant(String),
    Account(String),
}

impl Owner {
    pub fn owns(&self, row: &PaymentRow) -> bool {
        match self {
            Owner::Merchant(id) => row.merchant_id == *id,
            Owner::Account(id) => row.account_id.as_deref() == Some(id.as_str()),
        }
    }
}

/// The payment `id` when `owner` owns it, with expiry evaluated. Another owner's
/// payment is `not_found`, like a missing one, and is never written.
pub fn owned(conn: &Connection, id: &str, owner: &Owner, now: i64) -> ApiResult<PaymentRow> {
    let mut row = get(conn, id)?
        .filter(|row| owner.owns(row))
        .ok_or_else(ApiError::not_found)?;
    expire_if_due(conn, &mut row, now)?;
    Ok(row)
}

/// Moves a PENDING request to the final `status`, with its event.
pub fn set_status(
    conn: &Connection,
    id: &str,
    status: PaymentStatus,
    now: i64,
) -> rusqlite::Result<()> {
    let changed = conn.execute(
        "UPDATE payments SET status = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'PENDING'",
        params![id, status.as_str(), now],
    )?;
    if changed > 0 {
        events::record(conn, id, now)?;
    }
    Ok(())
}

/// Moves every PENDING request past its expiry to EXPIRED, each with its event: those
/// of `account_id`, or (the sweeper) the first `limit` of any account. Returns how many.
pub fn expire_due(
    conn: &Connection,
    account_id: Option<&str>,
    now: i64,
    limit: u32,
) -> rusqlite::Result<usize> {
    let ids: Vec<String> = match account_id {
        Some(account) => conn
            .prepare(
                "SELECT id FROM payments WHERE account_id = ?1 AND status = 'PENDING'
                   AND expires_at <= ?2 LIMIT ?3",
            )?
            .query_map(params![account, now, limit], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?,
        None => conn
            .prepare(
                "SELECT id FROM payments WHERE status = 'PENDING' AND expires_at <= ?1
                 ORDER BY expires_at LIMIT ?2",
            )?
            .query_map(params![now, limit], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?,
    };
    for id in &ids {
        set_status(conn, id, PaymentStatus::Expired, now)?;
    }
    Ok(ids.len())
}

/// Replaces the confirmation nonce (the old one is consumed).
pub fn renew_nonce(conn: &Connection, id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE payments SET nonce = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, new_nonce(), now],
    )?;
    Ok(())
}

pub fn record_payment(
    conn: &Connection,
    id: &str,
    status: PaymentStatus,
    paid: Amount,
    remaining: Amount,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE payments SET status = ?2, paid_cents = ?3, remaining_cents = ?4, nonce = ?5, updated_at = ?6
         WHERE id = ?1",
        params![
            id,
            status.as_str(),
            cents_to_i64(paid),
            // Only a partial payment leaves something to pay by card.
            (remaining != Amount::ZERO).then(|| cents_to_i64(remaining)),
            new_nonce(),
            now
        ],
    )?;
    events::record(conn, id, now)
}

/// Where a page of an account's list starts: after this (created_at, rowid), newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub rowid: i64,
}

impl Cursor {
    /// The opaque text form (`c1.` + base64url of `created_at:rowid`).
    pub fn encode(self) -> String {
        format!(
            "c1.{}",
            b64url(format!("{}:{}", self.created_at, self.rowid).as_bytes())
        )
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let raw = b64url_decode(text.strip_prefix("c1.")?)?;
        let (created_at, rowid) = std::str::from_utf8(&raw).ok()?.split_once(':')?;
        Some(Cursor {
            created_at: created_at.parse().ok()?,
            rowid: rowid.parse().ok()?,
        })
    }
}

/// One page of an account's payments, newest first, and the cursor of the next page.
pub struct Page {
    pub rows: Vec<PaymentRow>,
    pub next: Option<Cursor>,
}

/// Payments of an account, newest first: pending ones only, or also the final ones of
/// the last 30 days; at most `limit`, after `after`.
pub fn list_for_account(
    conn: &Connection,
    account_id: &str,
    pending_only: bool,
    after: Option<Cursor>,
    limit: u32,
    now: i64,
) -> rusqlite::Result<Page> {
    expire_due(conn, Some(account_id), now, u32::MAX)?;
    let filter = if pending_only {
        "p.status = 'PENDING'"
    } else {
        "(p.status = 'PENDING' OR p.created_at >= ?2)"
    };
    let sql = format!(
        "{SELECT} WHERE p.account_id = ?1 AND {filter}
           AND (p.created_at < ?3 OR (p.created_at = ?3 AND p.rowid < ?4))
         ORDER BY p.created_at DESC, p.rowid DESC LIMIT ?5"
    );
    let after = after.unwrap_or(Cursor {
        created_at: i64::MAX,
        rowid: i64::MAX,
    });
    let mut stmt = conn.prepare(&sql)?;
    let fetched: Vec<(PaymentRow, i64)> = stmt
        .query_map(
            params![
                account_id,
                now.saturating_sub(HISTORY_SECS),
                after.created_at,
                after.rowid,
                i64::from(limit) + 1
            ],
            |r| Ok((from_row(r)?, r.get(12)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let more = fetched.len() > limit as usize;
    let mut rows = Vec::with_capacity(fetched.len().min(limit as usize));
    let mut last = None;
    for (row, rowid) in fetched.into_iter().take(limit as usize) {
        last = Some(Cursor {
            created_at: row.created_at,
            rowid,
        });
        rows.push(row);
    }
    Ok(Page {
        rows,
        next: if more { last } else { None },
    })
}

/// Cancels a pending request (merchant cancel, device decline). `Err(status)` when the
/// request is already final (after expiry evaluation).
pub fn cancel(
    conn: &Connection,
    row: &mut PaymentRow,
    now: i64,
) -> rusqlite::Result<Result<(), PaymentStatus>> {
    expire_if_due(conn, row, now)?;
    if row.status != PaymentStatus::Pending {
        return Ok(Err(row.status));
    }
    conn.execute(
        "UPDATE payments SET status = 'CANCELLED', nonce = ?2, updated_at = ?3 WHERE id = ?1",
        params![row.id, new_nonce(), now],
    )?;
    events::record(conn, &row.id, now)?;
    row.status = PaymentStatus::Cancelled;
    Ok(Ok(()))
}
