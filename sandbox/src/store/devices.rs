//! Activation codes, enrolled devices, auth challenges and bearer tokens.

use cvconnect_core::crypto::signer::{point_from_spki, verify_p256};
use cvconnect_core::protocol::canonical::{auth_bytes, enrollment_bytes};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::Platform;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{ApiError, ApiResult};
use crate::util::{b64url, new_id, new_token, random_bytes, sha256};

/// Activation codes are valid 24 hours.
pub const ACTIVATION_TTL_SECS: i64 = 24 * 3600;
/// Auth challenges are valid 60 seconds.
pub const CHALLENGE_TTL_SECS: i64 = 60;

const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn code_hash(code: &str) -> [u8; 32] {
    sha256(code.trim().to_ascii_uppercase().as_bytes())
}

/// Issues a one-time activation code (`XXXX-XXXX`) for an account.
pub fn issue_activation_code(
    conn: &Connection,
    account_id: &str,
    now: i64,
) -> rusqlite::Result<(String, i64)> {
    let bytes = random_bytes::<8>();
    let mut code = String::with_capacity(9);
    for (i, b) in bytes.iter().enumerate() {
        if i == 4 {
            code.push('-');
        }
        code.push(char::from(CODE_ALPHABET[usize::from(b % 32)]));
    }
    let expires_at = now + ACTIVATION_TTL_SECS;
    conn.execute(
        "INSERT INTO activation_codes (code_hash, account_id, expires_at) VALUES (?1, ?2, ?3)",
        params![code_hash(&code).as_slice(), account_id, expires_at],
    )?;
    Ok((code, expires_at))
}

pub struct Enrollment<'a> {
    pub email: &'a str,
    pub activation_code: &'a str,
    pub public_key: &'a [u8],
    pub push_token: Option<&'a str>,
    pub platform: &'a Platform,
    pub proof: &'a [u8],
}

/// Enrolls a device. Outer error: roll back; inner error: answer it (nothing written).
pub fn enroll(conn: &Connection, e: &Enrollment<'_>, now: i64) -> ApiResult<String> {
    let invalid = || ApiError::new(ErrorCode::InvalidActivationCode);
    let email = crate::util::normalize_email(e.email).ok_or_else(invalid)?;
    let row: Option<(String, String, i64, Option<i64>)> = conn
        .query_row(
            "SELECT c.account_id, a.email, c.expires_at, c.used_at
             FROM activation_codes c JOIN accounts a ON a.id = c.account_id
             WHERE c.code_hash = ?1",
            [code_hash(e.activation_code).as_slice()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((account_id, account_email, expires_at, used_at)) = row else {
        return Err(invalid());
    };
    if account_email != email || used_at.is_some() || now >= expires_at {
        return Err(invalid());
    }
    if point_from_spki(e.public_key).is_none() {
        return Err(ApiError::validation("public_key"));
    }
    let signed = enrollment_bytes(e.email, e.activation_code, e.public_key);
    if !verify_p256(e.public_key, &signed, e.proof) {
        return Err(ApiError::validation("proof"));
    }
    conn.execute(
        "UPDATE activation_codes SET used_at = ?2 WHERE code_hash = ?1",
        params![code_hash(e.activation_code).as_slice(), now],
    )?;
    let device_id = new_id("dev_");
    let platform = match e.platform {
        Platform::Android => "android",
        Platform::Ios => "ios",
        Platform::Other => "other",
    };
    conn.execute(
        "INSERT INTO devices (id, account_id, public_key, push_token, platform, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            device_id,
            account_id,
            e.public_key,
            e.push_token,
            platform,
            now
        ],
    )?;
    Ok(device_id)
}

#[derive(Debug, Clone)]
pub struct DeviceRow {
    pub id: String,
    pub account_id: String,
    pub public_key: Vec<u8>,
    pub push_token: Option<String>,
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<DeviceRow>> {
    conn.query_row(
        "SELECT id, account_id, public_key, push_token FROM devices WHERE id = ?1",
        [id],
        |r| {
            Ok(DeviceRow {
                id: r.get(0)?,
                account_id: r.get(1)?,
                public_key: r.get(2)?,
                push_token: r.get(3)?,
            })
        },
    )
    .optional()
}

pub fn of_account(conn: &Connection, account_id: &str) -> rusqlite::Result<Vec<DeviceRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, account_id, public_key, push_token FROM devices WHERE account_id = ?1 ORDER BY created_at, rowid",
    )?;
    let rows = stmt.query_map([account_id], |r| {
        Ok(DeviceRow {
            id: r.get(0)?,
            account_id: r.get(1)?,
            public_key: r.get(2)?,
            push_token: r.get(3)?,
        })
    })?;
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

/// A new challenge for any device id, known or not (unknown ones fail at the token step).
pub fn new_challenge(
    conn: &Connection,
    device_id: &str,
    now: i64,
) -> rusqlite::Result<(String, i64)> {
    conn.execute(
        "DELETE FROM challenges WHERE expires_at < ?1",
        [now - CHALLENGE_TTL_SECS],
    )?;
    let challenge = b64url(&random_bytes::<32>());
    let expires_at = now + CHALLENGE_TTL_SECS;
    conn.execute(
        "INSERT INTO challenges (challenge, device_id, expires_at) VALUES (?1, ?2, ?3)",
        params![challenge, device_id, expires_at],
    )?;
    Ok((challenge, expires_at))
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
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT device_id, expires_at FROM challenges WHERE challenge = ?1 AND used = 0",
            [challenge],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
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
            now + ttl_secs
        ],
    )?;
    Ok(Ok(token))
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
    match device_id {
        Some(id) => get(conn, &id),
        None => Ok(None),
    }
}
