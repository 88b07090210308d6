//! Merchants and their API keys (stored as SHA-256).

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{ApiError, ApiResult};
use crate::util::{new_id, sha256};

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
    conn.execute(
        "INSERT INTO merchants (id, name, api_key_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, name, hash.as_slice(), now],
    )?;
    Ok(MerchantRow {
        id,
        name: name.to_owned(),
    })
}

pub fn by_api_key(conn: &Connection, api_key: &str) -> rusqlite::Result<Option<MerchantRow>> {
    let hash = sha256(api_key.as_bytes());
    conn.query_row(
        "SELECT id, name FROM merchants WHERE api_key_hash = ?1",
        [hash.as_slice()],
        |r| {
            Ok(MerchantRow {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        },
    )
    .optional()
}

/// The oldest merchant: the one the checkout page plays.
pub fn first(conn: &Connection) -> rusqlite::Result<Option<MerchantRow>> {
    conn.query_row(
        "SELECT id, name FROM merchants ORDER BY created_at, rowid LIMIT 1",
        [],
        |r| {
            Ok(MerchantRow {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        },
    )
    .optional()
}
