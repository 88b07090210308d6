//! Device revocation (protocol v1.1 §5.9): one device of an account cuts another off,
//! proving the PIN as a confirmation does. The account's revocation nonce is single use
//! and every attempt that reaches the checks spends it; a wrong PIN or signature counts
//! against the account's one attempt counter and can lock the PIN.

use cvconnect_core::crypto::seal::open_sealed_pin;
use cvconnect_core::crypto::signer::verify_p256;
use cvconnect_core::protocol::canonical::revocation_bytes;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::RevokeResponse;
use rusqlite::{params, Connection};

use super::accounts::{self, AccountRow};
use super::devices::{self, DeviceRow};
use super::payments::new_nonce;
use crate::error::{ApiError, ApiResult};
use crate::secrets::Secrets;
use crate::util::sha256;

/// A revocation asked by `by` (authenticated) for `target_id`.
pub struct RevokeInput {
    pub by: DeviceRow,
    pub target_id: String,
    pub nonce: String,
    pub sealed_pin: Vec<u8>,
    pub signature: Vec<u8>,
}

/// The account's current revocation nonce, drawn on first use.
pub fn account_nonce(conn: &Connection, account_id: &str) -> rusqlite::Result<String> {
    let current: Option<String> = conn.query_row(
        "SELECT device_nonce FROM accounts WHERE id = ?1",
        [account_id],
        |row| row.get(0),
    )?;
    match current {
        Some(nonce) => Ok(nonce),
        None => renew_nonce(conn, account_id),
    }
}

fn renew_nonce(conn: &Connection, account_id: &str) -> rusqlite::Result<String> {
    let nonce = new_nonce();
    conn.execute(
        "UPDATE accounts SET device_nonce = ?2 WHERE id = ?1",
        params![account_id, nonce],
    )?;
    Ok(nonce)
}

/// Runs one revocation; `Ok(Err(_))` is a refusal to answer (and commit: a spent nonce
/// and a counted attempt must stay).
pub fn revoke(
    conn: &Connection,
    secrets: &Secrets,
    input: &RevokeInput,
    max_attempts: u8,
    now: i64,
) -> ApiResult<Result<RevokeResponse, ApiError>> {
    let account = accounts::get(conn, &input.by.account_id)?
        .ok_or_else(|| ApiError::internal("device of a missing account"))?;
    let target = devices::get(conn, &input.target_id)?.filter(|d| d.account_id == account.id);
    let Some(target) = target else {
        return Ok(Err(ApiError::not_found()));
    };
    if target.id == input.by.id {
        return Ok(Err(ApiError::validation("device_id")));
    }
    if account.pin_locked {
        return Ok(Err(ApiError::new(ErrorCode::PinLocked)));
    }
    if input.nonce != account_nonce(conn, &account.id)? {
        return Ok(Err(ApiError::new(ErrorCode::NonceUsed)));
    }
    renew_nonce(conn, &account.id)?;
    if !pin_and_signature_hold(secrets, input, &account) {
        return Ok(Err(accounts::count_wrong_pin(
            conn,
            &account,
            max_attempts,
        )?));
    }
    conn.execute(
        "UPDATE accounts SET failed_attempts = 0 WHERE id = ?1",
        [&account.id],
    )?;
    revoke_device(conn, &target.id, now)?;
    Ok(Ok(RevokeResponse {
        device_id: target.id,
        revoked_at: now,
    }))
}

fn pin_and_signature_hold(secrets: &Secrets, input: &RevokeInput, account: &AccountRow) -> bool {
    let signed = revocation_bytes(
        &input.target_id,
        &input.nonce,
        &input.by.id,
        &sha256(&input.sealed_pin),
    );
    let signature_ok = verify_p256(&input.by.public_key, &signed, &input.signature);
    let pin_ok = open_sealed_pin(
        &secrets.pin_key,
        &input.sealed_pin,
        &input.target_id,
        &input.nonce,
    )
    .is_ok_and(|digits| secrets.pin_matches(&account.id, &digits, &account.pin_hash));
    signature_ok && pin_ok
}

/// Cuts `device_id` off at once: its tokens go, its push token goes (no further push),
/// and its proofs and confirmations are refused from now on (`devices::get` no longer
/// finds it).
pub fn revoke_device(conn: &Connection, device_id: &str, now: i64) -> rusqlite::Result<bool> {
    let revoked = conn.execute(
        "UPDATE devices SET revoked_at = ?2, push_token = NULL
         WHERE id = ?1 AND revoked_at IS NULL",
        params![device_id, now],
    )? == 1;
    conn.execute("DELETE FROM tokens WHERE device_id = ?1", [device_id])?;
    Ok(revoked)
}
