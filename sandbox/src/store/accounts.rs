//! Beneficiary accounts: balance, PIN hash, wrong-PIN counter and lock.

use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::errors::ErrorCode;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{amount_from_db, cents_to_i64, exists};
use crate::error::{ApiError, ApiResult};
use crate::secrets::Secrets;
use crate::util::{is_account_number, new_id, normalize_email};

#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: String,
    pub email: String,
    pub account_number: String,
    pub balance: Amount,
    pub pin_hash: Vec<u8>,
    pub pin_length: u8,
    pub failed_attempts: u8,
    pub pin_locked: bool,
}

/// The admin view of an account (no PIN hash): the admin API's wire type, declared once
/// in the sandbox's client crate.
pub use cvconnect_sandbox_client::AdminAccount as AccountView;

impl AccountRow {
    pub fn view(&self) -> AccountView {
        AccountView {
            account_id: self.id.clone(),
            email: self.email.clone(),
            account_number: self.account_number.clone(),
            balance: self.balance,
            pin_length: self.pin_length,
            failed_attempts: self.failed_attempts,
            pin_locked: self.pin_locked,
        }
    }

    /// Attempts left before the lock, given the configured maximum.
    pub fn attempts_left(&self, max_attempts: u8) -> u8 {
        if self.pin_locked {
            0
        } else {
            max_attempts.saturating_sub(self.failed_attempts).max(1)
        }
    }
}

const COLUMNS: &str =
    "id, email, account_number, balance_cents, pin_hash, pin_length, failed_attempts, pin_locked";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        email: r.get(1)?,
        account_number: r.get(2)?,
        balance: amount_from_db(r.get(3)?),
        pin_hash: r.get(4)?,
        pin_length: r.get::<_, i64>(5)?.clamp(0, 255) as u8,
        failed_attempts: r.get::<_, i64>(6)?.clamp(0, 255) as u8,
        pin_locked: r.get::<_, i64>(7)? != 0,
    })
}

/// The account whose `column` (a unique one) holds `value`.
fn by(conn: &Connection, column: &str, value: &str) -> rusqlite::Result<Option<AccountRow>> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE {column} = ?1");
    conn.query_row(&sql, [value], from_row).optional()
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<AccountRow>> {
    by(conn, "id", id)
}

/// An account by id, e-mail (any case) or 11-digit number.
pub fn find(conn: &Connection, reference: &str) -> rusqlite::Result<Option<AccountRow>> {
    let reference = reference.trim();
    if is_account_number(reference) {
        return by(conn, "account_number", reference);
    }
    if let Some(email) = normalize_email(reference) {
        return by(conn, "email", &email);
    }
    get(conn, reference)
}

/// The id of the account an account reference names (`reference` as
/// [`crate::util::account_reference`] normalizes it). One index lookup, the same
/// statement whether the account exists or not.
pub fn id_for_reference(conn: &Connection, reference: &str) -> rusqlite::Result<Option<String>> {
    let sql = if is_account_number(reference) {
        "SELECT id FROM accounts WHERE account_number = ?1"
    } else {
        "SELECT id FROM accounts WHERE email = ?1"
    };
    conn.query_row(sql, [reference], |r| r.get(0)).optional()
}

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub account_number: &'a str,
    pub balance: Amount,
    pub pin: &'a str,
}

/// Creates an account; validation errors name the field.
pub fn insert(
    conn: &Connection,
    secrets: &Secrets,
    new: &NewAccount<'_>,
    pin_length: u8,
    now: i64,
) -> ApiResult<AccountRow> {
    let email = normalize_email(new.email).ok_or_else(|| ApiError::validation("email"))?;
    if !is_account_number(new.account_number) {
        return Err(ApiError::validation("account_number"));
    }
    if new.pin.len() != usize::from(pin_length) || !new.pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::validation("pin"));
    }
    if exists(conn, "SELECT 1 FROM accounts WHERE email = ?1", [&email])? {
        return Err(
            ApiError::validation("email").with_message("Cette adresse e-mail est déjà utilisée.")
        );
    }
    let number_sql = "SELECT 1 FROM accounts WHERE account_number = ?1";
    if exists(conn, number_sql, [new.account_number])? {
        return Err(ApiError::validation("account_number")
            .with_message("Ce numéro de compte est déjà utilisé."));
    }
    let id = new_id("acc_");
    let pin_hash = secrets.pin_hash(&id, new.pin.as_bytes());
    conn.execute(
        "INSERT INTO accounts (id, email, account_number, balance_cents, pin_hash, pin_length, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            email,
            new.account_number,
            cents_to_i64(new.balance),
            pin_hash,
            i64::from(pin_length),
            now
        ],
    )?;
    get(conn, &id)?.ok_or_else(|| ApiError::internal("account vanished after insert"))
}

pub fn set_balance(conn: &Connection, id: &str, balance: Amount) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE accounts SET balance_cents = ?2 WHERE id = ?1",
        params![id, cents_to_i64(balance)],
    )?;
    Ok(())
}

pub fn unlock(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE accounts SET failed_attempts = 0, pin_locked = 0 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// A wrong PIN or device signature, at a confirmation or a revocation: one attempt less
/// on the account's one counter, the PIN locked at zero. The refusal to answer.
pub fn count_wrong_pin(
    conn: &Connection,
    account: &AccountRow,
    max_attempts: u8,
) -> rusqlite::Result<ApiError> {
    let failed = account.failed_attempts.saturating_add(1);
    let left = max_attempts.saturating_sub(failed);
    conn.execute(
        "UPDATE accounts SET failed_attempts = ?2, pin_locked = ?3 WHERE id = ?1",
        params![account.id, i64::from(failed), left == 0],
    )?;
    Ok(match left {
        0 => ApiError::new(ErrorCode::PinLocked),
        left => ApiError::auth_failed(left),
    })
}
