//! Enrollment challenges and what a device's attestation proved (protocol §5.1.1, v1.2).
//!
//! A challenge is stored under its SHA-256, valid [`ENROLLMENT_CHALLENGE_TTL_SECS`] and
//! spent by the first enrollment that names it, whatever that enrollment's outcome. The
//! endpoint is open to anyone (a phone has no identity yet), so the table is bounded: at
//! most [`MAX_OUTSTANDING`] unexpired challenges, then `429`.

use rusqlite::{params, Connection};

use super::optional_row;
use crate::attestation::Verified;
use crate::util::sha256;

/// Enrollment challenges are valid 5 minutes (a Keystore key generation with
/// attestation can take seconds on a StrongBox phone).
pub const ENROLLMENT_CHALLENGE_TTL_SECS: i64 = 300;

/// Unexpired challenges kept at most.
pub const MAX_OUTSTANDING: i64 = 10_000;

/// Stores a new challenge; `None` when too many are outstanding.
pub fn issue(conn: &Connection, challenge: &[u8], now: i64) -> rusqlite::Result<Option<i64>> {
    conn.execute(
        "DELETE FROM enrollment_challenges WHERE expires_at <= ?1",
        [now],
    )?;
    let outstanding: i64 =
        conn.query_row("SELECT COUNT(*) FROM enrollment_challenges", [], |r| {
            r.get(0)
        })?;
    if outstanding >= MAX_OUTSTANDING {
        return Ok(None);
    }
    let expires_at = now + ENROLLMENT_CHALLENGE_TTL_SECS;
    conn.execute(
        "INSERT INTO enrollment_challenges (challenge_hash, expires_at) VALUES (?1, ?2)",
        params![sha256(challenge).as_slice(), expires_at],
    )?;
    Ok(Some(expires_at))
}

/// Spends a challenge: true when it was issued here, unexpired and never spent.
pub fn spend(conn: &Connection, challenge: &[u8], now: i64) -> rusqlite::Result<bool> {
    let hash = sha256(challenge);
    let row: Option<(i64, bool)> = optional_row(
        conn,
        "SELECT expires_at, used FROM enrollment_challenges WHERE challenge_hash = ?1",
        [hash.as_slice()],
    )?;
    let Some((expires_at, used)) = row else {
        return Ok(false);
    };
    conn.execute(
        "UPDATE enrollment_challenges SET used = 1 WHERE challenge_hash = ?1",
        [hash.as_slice()],
    )?;
    Ok(!used && now < expires_at)
}

/// Records what the attestation of a freshly enrolled device proved.
pub fn record(conn: &Connection, device_id: &str, verified: Verified) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE devices SET attested_platform = ?2, attested_level = ?3 WHERE id = ?1",
        params![
            device_id,
            verified.platform.as_str(),
            verified.level.as_str()
        ],
    )?;
    Ok(())
}
