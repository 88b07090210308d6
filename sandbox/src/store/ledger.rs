//! The ledger: one entry per debit.

use cvconnect_core::amount::Amount;
use rusqlite::{params, Connection};

use super::{amount_from_db, cents_to_i64};

/// One debit, as `GET /admin/ledger` lists it: the admin API's wire type, declared once
/// in the sandbox's client crate.
pub use cvconnect_sandbox_client::LedgerEntry;

pub struct Debit<'a> {
    pub payment_id: &'a str,
    pub account_id: &'a str,
    pub merchant_id: &'a str,
    pub device_id: &'a str,
    pub amount: Amount,
    pub balance_after: Amount,
}

pub fn insert(conn: &Connection, d: &Debit<'_>, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO ledger (payment_id, account_id, merchant_id, device_id, amount_cents, balance_after_cents, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            d.payment_id,
            d.account_id,
            d.merchant_id,
            d.device_id,
            cents_to_i64(d.amount),
            cents_to_i64(d.balance_after),
            now
        ],
    )?;
    Ok(())
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<LedgerEntry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, payment_id, account_id, merchant_id, device_id, amount_cents, balance_after_cents, created_at
         FROM ledger ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(LedgerEntry {
            seq: r.get(0)?,
            payment_id: r.get(1)?,
            account_id: r.get(2)?,
            merchant_id: r.get(3)?,
            device_id: r.get(4)?,
            amount: amount_from_db(r.get(5)?),
            balance_after: amount_from_db(r.get(6)?),
            created_at: r.get(7)?,
        })
    })?;
    rows.collect()
}
