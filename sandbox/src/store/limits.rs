//! Limits on new payment requests (issue 15, item 3), counted from the payments table
//! itself so that they survive a restart and follow the server clock: per merchant and
//! per account reference over the last minute, and pending requests per account
//! reference. The account reference is the e-mail (normalized) or the number as the
//! merchant sent it, so that a known account and an unknown one are limited alike.

use rusqlite::{params, Connection};

use crate::config::Limits;
use crate::error::ApiError;

/// The window of the per-minute limits.
pub const WINDOW_SECS: i64 = 60;

const MERCHANT_BUSY: &str =
    "Trop de demandes de paiement en peu de temps pour ce commerçant. Réessayez plus tard.";
const ACCOUNT_BUSY: &str =
    "Trop de demandes de paiement en peu de temps pour ce compte. Réessayez plus tard.";
const TOO_MANY_PENDING: &str =
    "Ce compte a trop de demandes de paiement en attente. Réessayez plus tard.";

/// Count and oldest time of the rows a query selects.
fn count_and_oldest(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<(u64, Option<i64>)> {
    conn.query_row(sql, params, |r| {
        Ok((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?))
    })
}

/// `Ok(Err(429))` when a new request of `merchant_id` for `account_ref` at `now` is
/// over a limit; the `Retry-After` is when the oldest counted request leaves the count.
pub fn check_new_request(
    conn: &Connection,
    merchant_id: &str,
    account_ref: &str,
    now: i64,
    limits: &Limits,
) -> rusqlite::Result<Result<(), ApiError>> {
    let since = now.saturating_sub(WINDOW_SECS);
    let (count, oldest) = count_and_oldest(
        conn,
        "SELECT COUNT(*), MIN(created_at) FROM payments WHERE merchant_id = ?1 AND created_at > ?2",
        params![merchant_id, since],
    )?;
    if count >= u64::from(limits.merchant_requests_per_min) {
        return Ok(Err(over(oldest, WINDOW_SECS, now, MERCHANT_BUSY)));
    }
    let (count, oldest) = count_and_oldest(
        conn,
        "SELECT COUNT(*), MIN(created_at) FROM payments WHERE account_ref = ?1 AND created_at > ?2",
        params![account_ref, since],
    )?;
    if count >= u64::from(limits.account_requests_per_min) {
        return Ok(Err(over(oldest, WINDOW_SECS, now, ACCOUNT_BUSY)));
    }
    let (count, first_expiry) = count_and_oldest(
        conn,
        "SELECT COUNT(*), MIN(expires_at) FROM payments
         WHERE account_ref = ?1 AND status = 'PENDING' AND expires_at > ?2",
        params![account_ref, now],
    )?;
    if count >= u64::from(limits.max_pending_per_account) {
        return Ok(Err(over(first_expiry, 0, now, TOO_MANY_PENDING)));
    }
    Ok(Ok(()))
}

/// `429` to retry when `time + offset` has passed.
fn over(time: Option<i64>, offset: i64, now: i64, message: &str) -> ApiError {
    let free_at = time.unwrap_or(now).saturating_add(offset);
    ApiError::rate_limited(free_at.saturating_sub(now), message)
}
