//! Activation codes and enrollment (protocol §5.1).
//!
//! Codes are stored under a keyed hash (HMAC-SHA-256 under a server secret, see
//! `Secrets::activation_code_hash`), and guessing is bounded per e-mail: after
//! `max_activation_failures` wrong codes within 24 hours, the account's unused codes
//! are burned and every attempt for that e-mail is refused until an administrator
//! issues a new code. Unknown e-mails are counted the same way and answered the same.

use cvconnect_core::crypto::signer::{point_from_spki, verify_p256};
use cvconnect_core::protocol::canonical::enrollment_bytes;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::Platform;
use rusqlite::{params, Connection};

use super::{enrollment, optional_row};
use crate::attestation::{AttestationCheck, Policy, Verified};
use crate::error::{ApiError, ApiResult};
use crate::secrets::Secrets;
use crate::util::{new_id, normalize_email, random_bytes};

/// Activation codes are valid 24 hours; wrong attempts are counted over 24 hours.
pub const ACTIVATION_TTL_SECS: i64 = 24 * 3600;

const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Issues a one-time activation code (`XXXX-XXXX`) for an account and clears the
/// wrong attempts counted for its e-mail.
pub fn issue_code(
    conn: &Connection,
    secrets: &Secrets,
    account_id: &str,
    email: &str,
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
    let expires_at = now.saturating_add(ACTIVATION_TTL_SECS);
    conn.execute(
        "INSERT INTO activation_codes (code_hash, account_id, expires_at) VALUES (?1, ?2, ?3)",
        params![secrets.activation_code_hash(&code), account_id, expires_at],
    )?;
    conn.execute("DELETE FROM enrollment_failures WHERE email = ?1", [email])?;
    Ok((code, expires_at))
}

pub struct Enrollment<'a> {
    pub email: &'a str,
    pub activation_code: &'a str,
    pub public_key: &'a [u8],
    pub push_token: Option<&'a str>,
    pub platform: &'a Platform,
    pub proof: &'a [u8],
    pub name: Option<&'a str>,
    /// The attestation, verified before the transaction.
    pub attestation: &'a AttestationCheck,
    pub policy: Policy,
}

/// Wrong codes counted for `email` in the last 24 hours.
fn failures(conn: &Connection, email: &str, now: i64) -> rusqlite::Result<u32> {
    let row: Option<(i64, i64)> = optional_row(
        conn,
        "SELECT failures, updated_at FROM enrollment_failures WHERE email = ?1",
        [email],
    )?;
    Ok(match row {
        Some((count, at)) if at > now.saturating_sub(ACTIVATION_TTL_SECS) => {
            u32::try_from(count).unwrap_or(u32::MAX)
        }
        _ => 0,
    })
}

/// Counts one more wrong code for `email`; at the limit, burns the account's codes.
fn count_failure(conn: &Connection, email: &str, now: i64, limit: u32) -> rusqlite::Result<()> {
    let count = failures(conn, email, now)?.saturating_add(1);
    conn.execute(
        "INSERT INTO enrollment_failures (email, failures, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(email) DO UPDATE SET failures = excluded.failures, updated_at = excluded.updated_at",
        params![email, i64::from(count), now],
    )?;
    if count >= limit {
        conn.execute(
            "UPDATE activation_codes SET used_at = ?2
             WHERE used_at IS NULL AND account_id IN (SELECT id FROM accounts WHERE email = ?1)",
            params![email, now],
        )?;
        tracing::info!("activation codes burned after too many wrong attempts");
    }
    Ok(())
}

/// Enrolls a device. Outer error: roll back; inner error: answer it, after committing
/// the wrong attempt it counted (if any).
pub fn enroll(
    conn: &Connection,
    secrets: &Secrets,
    e: &Enrollment<'_>,
    max_failures: u32,
    now: i64,
) -> ApiResult<Result<String, ApiError>> {
    let invalid = || Err(ApiError::new(ErrorCode::InvalidActivationCode));
    let Some(email) = normalize_email(e.email) else {
        return Ok(invalid());
    };
    if failures(conn, &email, now)? >= max_failures {
        return Ok(invalid());
    }
    let code_hash = secrets.activation_code_hash(e.activation_code);
    let row: Option<(String, String, i64, Option<i64>)> = optional_row(
        conn,
        "SELECT c.account_id, a.email, c.expires_at, c.used_at
         FROM activation_codes c JOIN accounts a ON a.id = c.account_id
         WHERE c.code_hash = ?1",
        [&code_hash],
    )?;
    let account_id = match row {
        Some((account_id, account_email, expires_at, None))
            if account_email == email && now < expires_at =>
        {
            account_id
        }
        _ => {
            count_failure(conn, &email, now, max_failures)?;
            return Ok(invalid());
        }
    };
    if point_from_spki(e.public_key).is_none() {
        return Ok(Err(ApiError::validation("public_key")));
    }
    let signed = enrollment_bytes(e.email, e.activation_code, e.public_key);
    if !verify_p256(e.public_key, &signed, e.proof) {
        return Ok(Err(ApiError::validation("proof")));
    }
    let attested = match attestation_outcome(conn, e, now)? {
        Ok(attested) => attested,
        Err(refusal) => return Ok(Err(refusal)),
    };
    conn.execute(
        "UPDATE activation_codes SET used_at = ?2 WHERE code_hash = ?1",
        params![code_hash, now],
    )?;
    conn.execute("DELETE FROM enrollment_failures WHERE email = ?1", [&email])?;
    let device_id = insert_device(conn, &account_id, e, now)?;
    if let Some(verified) = attested {
        enrollment::record(conn, &device_id, verified)?;
    }
    Ok(Ok(device_id))
}

/// What the policy makes of the attestation: the verified result to record, nothing
/// (unattested, allowed), or the refusal. Spends the challenge named, whatever the
/// outcome; the activation code stays unused on a refusal.
fn attestation_outcome(
    conn: &Connection,
    e: &Enrollment<'_>,
    now: i64,
) -> rusqlite::Result<Result<Option<Verified>, ApiError>> {
    Ok(match e.attestation {
        AttestationCheck::Absent if e.policy == Policy::Required => {
            Err(ApiError::new(ErrorCode::AttestationRequired))
        }
        AttestationCheck::Absent => Ok(None),
        AttestationCheck::Checked {
            challenge,
            verified,
        } => match (enrollment::spend(conn, challenge, now)?, verified) {
            (true, Some(verified)) => Ok(Some(*verified)),
            (fresh, _) => {
                if !fresh {
                    tracing::warn!("attestation refused: unknown, spent or expired challenge");
                }
                Err(ApiError::new(ErrorCode::AttestationRefused))
            }
        },
    })
}

fn insert_device(
    conn: &Connection,
    account_id: &str,
    e: &Enrollment<'_>,
    now: i64,
) -> rusqlite::Result<String> {
    let device_id = new_id("dev_");
    let platform = match e.platform {
        Platform::Android => "android",
        Platform::Ios => "ios",
        Platform::Other => "other",
    };
    conn.execute(
        "INSERT INTO devices (id, account_id, public_key, push_token, platform, created_at, name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            device_id,
            account_id,
            e.public_key,
            e.push_token,
            platform,
            now,
            e.name
        ],
    )?;
    Ok(device_id)
}
