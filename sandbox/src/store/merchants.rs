//! Merchants, their API keys (stored as SHA-256), and what their notifications need:
//! the notification URL and the webhook secret (`whsec_…`, made at creation).

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::optional_row;
use crate::error::{ApiError, ApiResult};
use crate::util::{new_id, new_token, sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRow {
    pub id: String,
    pub name: String,
}

pub fn insert(conn: &Connection, name: &str, api_key: &str, now: i64) -> ApiResult<MerchantRow> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::validation("name"));
    }
    if api_key.len() < 8 || api_key.len() > 128 || !api_key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::validation("api_key"));
    }
    let hash = sha256(api_key.as_bytes());
    if by_api_key(conn, api_key)?.is_some() {
        return Err(
            ApiError::validation("api_key").with_message("Cette clé d'API est déjà utilisée.")
        );
    }
    let id = new_id("mer_");
    let secret = format!("whsec_{}", new_token());
    conn.execute(
        "INSERT INTO merchants (id, name, api_key_hash, created_at, webhook_secret)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, name, hash.as_slice(), now, secret],
    )?;
    Ok(MerchantRow {
        id,
        name: name.to_owned(),
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<MerchantRow> {
    Ok(MerchantRow {
        id: r.get(0)?,
        name: r.get(1)?,
    })
}

pub fn by_api_key(conn: &Connection, api_key: &str) -> rusqlite::Result<Option<MerchantRow>> {
    let hash = sha256(api_key.as_bytes());
    let sql = "SELECT id, name FROM merchants WHERE api_key_hash = ?1";
    conn.query_row(sql, [hash.as_slice()], from_row).optional()
}

/// How long a merchant's idempotency key is remembered.
pub const IDEMPOTENCY_TTL_SECS: i64 = 24 * 3600;

/// The first answer given under `key`: its request hash, HTTP status and body.
pub fn remembered(
    conn: &Connection,
    merchant_id: &str,
    key: &str,
    now: i64,
) -> rusqlite::Result<Option<(Vec<u8>, u16, String)>> {
    let row: Option<(Vec<u8>, i64, String)> = optional_row(
        conn,
        "SELECT request_hash, http_status, body FROM merchant_idempotency
         WHERE merchant_id = ?1 AND key = ?2 AND created_at > ?3",
        params![merchant_id, key, now.saturating_sub(IDEMPOTENCY_TTL_SECS)],
    )?;
    Ok(row.map(|(hash, status, body)| (hash, u16::try_from(status).unwrap_or(500), body)))
}

/// Remembers the answer given under `key` (and forgets the keys older than a day).
pub fn remember(
    conn: &Connection,
    merchant_id: &str,
    key: &str,
    request_hash: &[u8],
    answer: (u16, &str),
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM merchant_idempotency WHERE created_at <= ?1",
        [now.saturating_sub(IDEMPOTENCY_TTL_SECS)],
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO merchant_idempotency
           (merchant_id, key, request_hash, http_status, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            merchant_id,
            key,
            request_hash,
            i64::from(answer.0),
            answer.1,
            now
        ],
    )?;
    Ok(())
}

/// The oldest merchant: the one the checkout page plays.
pub fn first(conn: &Connection) -> rusqlite::Result<Option<MerchantRow>> {
    let sql = "SELECT id, name FROM merchants ORDER BY created_at, rowid LIMIT 1";
    conn.query_row(sql, [], from_row).optional()
}

/// The secret that signs the merchant's notifications.
pub fn webhook_secret(conn: &Connection, merchant_id: &str) -> rusqlite::Result<String> {
    let sql = "SELECT webhook_secret FROM merchants WHERE id = ?1";
    conn.query_row(sql, [merchant_id], |r| r.get(0))
}

/// Sets (or with `None` removes) where the merchant's notifications go.
pub fn set_notification_url(
    conn: &Connection,
    merchant_id: &str,
    url: Option<&str>,
) -> rusqlite::Result<()> {
    let sql = "UPDATE merchants SET notification_url = ?2 WHERE id = ?1";
    conn.execute(sql, params![merchant_id, url])?;
    Ok(())
}
