//! Abandoning a confirmation whose answer the device lost (protocol §5.7.1).
//!
//! The fence is a row of the confirmation's own idempotency table: either the
//! confirmation's transaction wrote its answer under the key first, and the key is
//! "answered", or this transaction writes a tombstone under it first, and the
//! confirmation, whenever it arrives, meets the key at step 2 with another body and is
//! refused (`idempotency_conflict`) before anything else is looked at. Both run as one
//! SQLite write transaction each, so exactly one of the two orders happens.

use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{AbandonResponse, AbandonState, PaymentStatus};
use rusqlite::{params, Connection};

use super::{devices, optional_row, payments};
use crate::error::{ApiError, ApiResult};

/// The request hash of a tombstone. Real rows hold a SHA-256, which is never all zeros,
/// so no confirmation body ever matches it: every request with the key conflicts.
const TOMBSTONE_HASH: [u8; 32] = [0; 32];

/// Tombstones one device may leave on one payment. A confirmation attempt needs one at
/// most, and the attempts that count are three; the cap only stops a device from
/// growing the table without end.
pub const MAX_TOMBSTONES: i64 = 16;

/// Who abandons what: the device of the request's proof, and the key of its lost attempt.
pub struct AbandonInput {
    pub device_id: String,
    pub account_id: String,
    pub payment_id: String,
    pub idempotency_key: String,
}

/// Abandons the key, or finds it answered. The same call again answers the same.
pub fn abandon(conn: &Connection, input: &AbandonInput, now: i64) -> ApiResult<AbandonResponse> {
    let device = devices::get(conn, &input.device_id)?
        .filter(|device| device.account_id == input.account_id)
        .ok_or_else(ApiError::unauthorized)?;
    let holder = payments::Owner::Account(input.account_id.clone());
    let payment = payments::owned(conn, &input.payment_id, &holder, now)?;
    let stored: Option<(Vec<u8>,)> = optional_row(
        conn,
        "SELECT request_hash FROM idempotency
         WHERE payment_id = ?1 AND device_id = ?2 AND key = ?3",
        params![payment.id, device.id, input.idempotency_key],
    )?;
    let state = match stored {
        Some((hash,)) if hash.as_slice() == TOMBSTONE_HASH.as_slice() => AbandonState::Abandoned,
        Some(_) => AbandonState::Answered,
        // A final payment refuses every confirmation at step 3: nothing to fence.
        None if payment.status != PaymentStatus::Pending => AbandonState::Abandoned,
        None => {
            bury(conn, &payment, &device.id, &input.idempotency_key, now)?;
            AbandonState::Abandoned
        }
    };
    Ok(AbandonResponse {
        payment_id: payment.id,
        idempotency_key: input.idempotency_key.clone(),
        state,
    })
}

fn bury(
    conn: &Connection,
    payment: &payments::PaymentRow,
    device_id: &str,
    key: &str,
    now: i64,
) -> ApiResult<()> {
    let buried: i64 = conn.query_row(
        "SELECT COUNT(*) FROM idempotency
         WHERE payment_id = ?1 AND device_id = ?2 AND request_hash = ?3",
        params![payment.id, device_id, TOMBSTONE_HASH.as_slice()],
        |row| row.get(0),
    )?;
    if buried >= MAX_TOMBSTONES {
        return Err(ApiError::rate_limited(
            payment.expires_at.saturating_sub(now),
            "Trop de confirmations abandonnées pour ce paiement.",
        ));
    }
    let refused = ApiError::new(ErrorCode::IdempotencyConflict);
    conn.execute(
        "INSERT INTO idempotency (payment_id, device_id, key, request_hash, http_status, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            payment.id,
            device_id,
            key,
            TOMBSTONE_HASH.as_slice(),
            i64::from(refused.http_status().as_u16()),
            refused.body_json(),
            now
        ],
    )?;
    Ok(())
}
