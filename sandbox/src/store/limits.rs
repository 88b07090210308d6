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

/// One limit: at most `max` rows selected by `sql` (with `?1` the merchant or account
/// reference, `?2` the earliest time counted); the slot frees `free_after` seconds
/// after the time `sql` selects as its second column.
struct Limit<'a> {
    sql: &'static str,
    key: &'a str,
    since: i64,
    max: u32,
    free_after: i64,
    message: &'static str,
}

/// `Ok(Err(429))` when a new request of `merchant_id` for `account_ref` at `now` is
/// over a limit; the `Retry-After` is when the oldest counted request leaves the count.
/// The limits are checked in order and the first one reached answers.
pub fn check_new_request(
    conn: &Connection,
    merchant_id: &str,
    account_ref: &str,
    now: i64,
    limits: &Limits,
) -> rusqlite::Result<Result<(), ApiError>> {
    let since = now.saturating_sub(WINDOW_SECS);
    let checks = [
        Limit {
            sql: "SELECT COUNT(*), MIN(created_at) FROM payments WHERE merchant_id = ?1 AND created_at > ?2",
            key: merchant_id,
            since,
            max: limits.merchant_requests_per_min,
            free_after: WINDOW_SECS,
            message: MERCHANT_BUSY,
        },
        Limit {
            sql: "SELECT COUNT(*), MIN(created_at) FROM payments WHERE account_ref = ?1 AND created_at > ?2",
            key: account_ref,
            since,
            max: limits.account_requests_per_min,
            free_after: WINDOW_SECS,
            message: ACCOUNT_BUSY,
        },
        Limit {
            sql: "SELECT COUNT(*), MIN(expires_at) FROM payments
                  WHERE account_ref = ?1 AND status = 'PENDING' AND expires_at > ?2",
            key: account_ref,
            since: now,
            max: limits.max_pending_per_account,
            free_after: 0,
            message: TOO_MANY_PENDING,
        },
    ];
    for limit in checks {
        let (count, oldest): (i64, Option<i64>) =
            conn.query_row(limit.sql, params![limit.key, limit.since], |r| r.try_into())?;
        if u64::try_from(count).unwrap_or(0) >= u64::from(limit.max) {
            return Ok(Err(over(oldest, limit.free_after, now, limit.message)));
        }
    }
    Ok(Ok(()))
}

/// `429` to retry when `time + offset` has passed.
fn over(time: Option<i64>, offset: i64, now: i64, message: &str) -> ApiError {
    let free_at = time.unwrap_or(now).saturating_add(offset);
    ApiError::rate_limited(free_at.saturating_sub(now), message)
}
