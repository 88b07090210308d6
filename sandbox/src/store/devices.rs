//! Enrolled devices, auth challenges and bearer tokens (activation codes and
//! enrollment: `activation.rs`).

use cvconnect_core::crypto::signer::verify_p256;
use cvconnect_core::protocol::canonical::auth_bytes;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{DeviceAttestationSummary, DeviceSummary, Platform};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::optional_row;
use crate::error::{ApiError, ApiResult};
use crate::util::{b64url, new_token, random_bytes, sha256};

/// Auth challenges are valid 60 seconds.
pub const CHALLENGE_TTL_SECS: i64 = 60;

#[derive(Debug, Clone)]
pub struct DeviceRow {
    pub id: String,
    pub account_id: String,
    pub public_key: Vec<u8>,
    pub push_token: Option<String>,
}

const SELECT: &str = "SELECT id, account_id, public_key, push_token FROM devices";

fn from_row(r: &Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok(DeviceRow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        public_key: r.get(2)?,
        push_token: r.get(3)?,
    })
}

/// An enrolled device that was not revoked.
pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<DeviceRow>> {
    let sql = format!("{SELECT} WHERE id = ?1 AND revoked_at IS NULL");
    conn.query_row(&sql, [id], from_row).optional()
}

/// A device that was revoked: only to tell its own key so (`device_revoked`).
pub fn get_revoked(conn: &Connection, id: &str) -> rusqlite::Result<Option<DeviceRow>> {
    let sql = format!("{SELECT} WHERE id = ?1 AND revoked_at IS NOT NULL");
    conn.query_row(&sql, [id], from_row).optional()
}

/// Whether `signature` over `signed` is by the key of `device_id`, revoked: then the
/// answer is `device_revoked`, which only that key's holder learns.
pub fn revoked_key_signed(
    conn: &Connection,
    device_id: &str,
    signed: &[u8],
    signature: &[u8],
) -> rusqlite::Result<bool> {
    Ok(get_revoked(conn, device_id)?
        .is_some_and(|device| verify_p256(&device.public_key, signed, signature)))
}

/// The account's devices that were not revoked, oldest first.
pub fn of_account(conn: &Connection, account_id: &str) -> rusqlite::Result<Vec<DeviceRow>> {
    let sql =
        format!("{SELECT} WHERE account_id = ?1 AND revoked_at IS NULL ORDER BY created_at, rowid");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([account_id], from_row)?;
    rows.collect()
}

pub fn set_push_token(
    conn: &Connection,
    device_id: &str,
    push_token: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE devices SET push_token = ?2 WHERE id = ?1",
        params![device_id, push_token],
    )?;
    Ok(())
}

/// A new challenge for any device id, known or not (unknown ones fail at the token
/// step), unless `per_minute` challenges of this id are still unexpired: then `429`
/// until the oldest expires. Known and unknown ids are limited alike.
pub fn new_challenge(
    conn: &Connection,
    device_id: &str,
    now: i64,
    per_minute: u32,
) -> rusqlite::Result<Result<(String, i64), ApiError>> {
    conn.execute(
        "DELETE FROM challenges WHERE expires_at < ?1",
        [now.saturating_sub(CHALLENGE_TTL_SECS)],
    )?;
    let (live, first_expiry): (i64, Option<i64>) = conn.query_row(
        "SELECT COUNT(*), MIN(expires_at) FROM challenges WHERE device_id = ?1 AND expires_at > ?2",
        params![device_id, now],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if u64::try_from(live).unwrap_or(0) >= u64::from(per_minute) {
        let wait = first_expiry.unwrap_or(now).saturating_sub(now);
        return Ok(Err(ApiError::rate_limited(
            wait,
            "Trop de demandes d'authentification pour cet appareil. Réessayez plus tard.",
        )));
    }
    let challenge = b64url(&random_bytes::<32>());
    let expires_at = now.saturating_add(CHALLENGE_TTL_SECS);
    conn.execute(
        "INSERT INTO challenges (challenge, device_id, expires_at) VALUES (?1, ?2, ?3)",
        params![challenge, device_id, expires_at],
    )?;
    Ok(Ok((challenge, expires_at)))
}

/// Consumes a challenge and, when its signature is right, issues a bearer token.
/// Outer error: roll back; inner error: commit (the challenge stays consumed) and answer.
pub fn redeem_challenge(
    conn: &Connection,
    device_id: &str,
    challenge: &str,
    signature: &[u8],
    now: i64,
    ttl_secs: i64,
) -> ApiResult<Result<String, ApiError>> {
    let invalid = || Err(ApiError::new(ErrorCode::InvalidChallenge));
    let row: Option<(String, i64)> = optional_row(
        conn,
        "SELECT device_id, expires_at FROM challenges WHERE challenge = ?1 AND used = 0",
        [challenge],
    )?;
    let Some((challenge_device, expires_at)) = row else {
        return Ok(invalid());
    };
    conn.execute(
        "UPDATE challenges SET used = 1 WHERE challenge = ?1",
        [challenge],
    )?;
    if challenge_device != device_id || now >= expires_at {
        return Ok(invalid());
    }
    let Some(device) = get(conn, device_id)? else {
        let signed = auth_bytes(device_id, challenge);
        if revoked_key_signed(conn, device_id, &signed, signature)? {
            return Ok(Err(ApiError::new(ErrorCode::DeviceRevoked)));
        }
        return Ok(invalid());
    };
    if !verify_p256(
        &device.public_key,
        &auth_bytes(device_id, challenge),
        signature,
    ) {
        return Ok(invalid());
    }
    conn.execute("DELETE FROM tokens WHERE expires_at < ?1", [now])?;
    let token = new_token();
    conn.execute(
        "INSERT INTO tokens (token_hash, device_id, expires_at) VALUES (?1, ?2, ?3)",
        params![
            sha256(token.as_bytes()).as_slice(),
            device_id,
            now.saturating_add(ttl_secs)
        ],
    )?;
    Ok(Ok(token))
}

/// Records that `device_id` made an authenticated request now, to the minute: a
/// device's burst of requests writes its row once.
pub fn touch(conn: &Connection, device_id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE devices SET last_used_at = ?2
         WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?2 - 60)",
        params![device_id, now],
    )?;
    Ok(())
}

/// The device (and its account) a live bearer token belongs to.
pub fn by_token(conn: &Connection, token: &str, now: i64) -> rusqlite::Result<Option<DeviceRow>> {
    let device_id: Option<String> = conn
        .query_row(
            "SELECT device_id FROM tokens WHERE token_hash = ?1 AND expires_at > ?2",
            params![sha256(token.as_bytes()).as_slice(), now],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = device_id else {
        return Ok(None);
    };
    touch(conn, &id, now)?;
    get(conn, &id)
}

/// The account's devices as `GET /v1/devices` lists them, oldest first.
pub fn listing(
    conn: &Connection,
    account_id: &str,
    current: &str,
) -> rusqlite::Result<Vec<DeviceSummary>> {
    let mut statement = conn.prepare(
        "SELECT id, platform, name, created_at, last_used_at, attested_platform, attested_level
         FROM devices
         WHERE account_id = ?1 AND revoked_at IS NULL ORDER BY created_at, rowid",
    )?;
    let rows = statement.query_map([account_id], |r| {
        let device_id: String = r.get(0)?;
        let platform: String = r.get(1)?;
        Ok(DeviceSummary {
            current: device_id == current,
            device_id,
            platform: match platform.as_str() {
                "android" => Platform::Android,
                "ios" => Platform::Ios,
                _ => Platform::Other,
            },
            name: r.get(2)?,
            enrolled_at: r.get(3)?,
            last_used_at: r.get(4)?,
            attestation: match (r.get(5)?, r.get(6)?) {
                (Some(platform), Some(security_level)) => Some(DeviceAttestationSummary {
                    platform,
                    security_level,
                }),
                _ => None,
            },
        })
    })?;
    rows.collect()
}
