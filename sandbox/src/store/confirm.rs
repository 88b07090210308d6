//! Confirmation of a payment (protocol §5.7): every check and the debit in one
//! transaction, in the order of the protocol. The answer, success or error, is stored
//! under the idempotency key and returned again for the same key.

use cvconnect_core::amount::Amount;
use cvconnect_core::crypto::seal::open_sealed_pin;
use cvconnect_core::crypto::signer::verify_p256;
use cvconnect_core::protocol::canonical::ConfirmationFields;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{ConfirmResponse, PaymentStatus};
use rusqlite::{params, Connection};

use super::{accounts, devices, ledger, optional_row, payments};
use crate::error::{ApiError, ApiResult};
use crate::secrets::Secrets;
use crate::util::sha256;

/// Smallest amount payable in CV Connect (0.01).
pub fn min_amount() -> Amount {
    Amount::from_cents(1)
}

/// A validated confirm request.
#[derive(Debug, Clone)]
pub struct ConfirmInput {
    pub device_id: String,
    pub account_id: String,
    pub payment_id: String,
    pub amount: Amount,
    pub nonce: String,
    pub sealed_pin: Vec<u8>,
    pub signature: Vec<u8>,
    pub idempotency_key: String,
    /// SHA-256 of the request's canonical form, to detect a key reused with another body.
    pub request_hash: [u8; 32],
}

/// An answer ready to send: HTTP status and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// Whether this answer debited the account just now (for logs).
    pub debited: bool,
}

impl Answer {
    fn error(e: &ApiError) -> Answer {
        Answer {
            status: e.http_status().as_u16(),
            body: e.body_json(),
            debited: false,
        }
    }
}

pub struct Limits {
    pub max_attempts: u8,
}

/// Runs the whole confirmation. `Err` means a server fault: the caller rolls back.
pub fn confirm(
    conn: &Connection,
    secrets: &Secrets,
    input: &ConfirmInput,
    limits: &Limits,
    now: i64,
) -> ApiResult<Answer> {
    // 1. The token's device still exists; the payment is this account's.
    let device = match devices::get(conn, &input.device_id)? {
        Some(d) if d.account_id == input.account_id => d,
        _ => return Ok(Answer::error(&ApiError::unauthorized())),
    };
    let holder = payments::Owner::Account(input.account_id.clone());
    let Some(payment) = payments::get(conn, &input.payment_id)?.filter(|p| holder.owns(p)) else {
        return Ok(Answer::error(&ApiError::not_found()));
    };

    // 2. Idempotency.
    let stored: Option<(Vec<u8>, i64, String)> = optional_row(
        conn,
        "SELECT request_hash, http_status, body FROM idempotency
         WHERE payment_id = ?1 AND device_id = ?2 AND key = ?3",
        params![payment.id, device.id, input.idempotency_key],
    )?;
    if let Some((hash, status, body)) = stored {
        if hash.as_slice() != input.request_hash.as_slice() {
            return Ok(Answer::error(&ApiError::new(
                ErrorCode::IdempotencyConflict,
            )));
        }
        return Ok(Answer {
            status: u16::try_from(status).unwrap_or(500),
            body,
            debited: false,
        });
    }

    // 3 to 10.
    let answer = match decide(conn, secrets, input, &device, payment, limits, now)? {
        Ok(response) => Answer {
            status: 200,
            body: serde_json::to_string(&response).map_err(ApiError::internal)?,
            debited: true,
        },
        Err(e) => Answer::error(&e),
    };
    conn.execute(
        "INSERT INTO idempotency (payment_id, device_id, key, request_hash, http_status, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            input.payment_id,
            input.device_id,
            input.idempotency_key,
            input.request_hash.as_slice(),
            i64::from(answer.status),
            answer.body,
            now
        ],
    )?;
    Ok(answer)
}

fn decide(
    conn: &Connection,
    secrets: &Secrets,
    input: &ConfirmInput,
    device: &devices::DeviceRow,
    payment: payments::PaymentRow,
    limits: &Limits,
    now: i64,
) -> ApiResult<Result<ConfirmResponse, ApiError>> {
    let account = accounts::get(conn, &input.account_id)?
        .ok_or_else(|| ApiError::internal("payment of a missing account"))?;

    // 3. Pending (a request a reader already moved to EXPIRED answers like step 5),
    //    PIN not locked.
    match payment.status {
        PaymentStatus::Pending => {}
        PaymentStatus::Expired => return Ok(Err(ApiError::new(ErrorCode::PaymentExpired))),
        other => return Ok(Err(ApiError::not_pending(other))),
    }
    if account.pin_locked {
        return Ok(Err(ApiError::new(ErrorCode::PinLocked)));
    }

    // 4. The current nonce.
    if input.nonce != payment.nonce {
        return Ok(Err(ApiError::new(ErrorCode::NonceUsed)));
    }

    // 5. Not expired.
    if payment.is_due(now) {
        payments::set_status(conn, &payment.id, PaymentStatus::Expired, now)?;
        return Ok(Err(ApiError::new(ErrorCode::PaymentExpired)));
    }

    // 6. Bounds.
    let max_amount = account.balance.min(payment.total);
    if input.amount < min_amount() || input.amount > max_amount {
        return Ok(Err(ApiError::new(ErrorCode::AmountOutOfBounds)));
    }

    // 7. Signature over the bytes rebuilt from our own record.
    let fields = ConfirmationFields {
        payment_id: payment.id.clone(),
        nonce: payment.nonce.clone(),
        payee_id: payment.merchant_id.clone(),
        payee_name: payment.merchant_name.clone(),
        total: payment.total,
        amount: input.amount,
        expires_at: payment.expires_at,
        device_id: device.id.clone(),
        sealed_pin_hash: sha256(&input.sealed_pin),
    };
    let signature_ok = verify_p256(&device.public_key, &fields.encode(), &input.signature);

    // 8. The PIN, opened with the current nonce.
    let pin_ok = match open_sealed_pin(
        &secrets.pin_key,
        &input.sealed_pin,
        &payment.id,
        &payment.nonce,
    ) {
        Ok(digits) => secrets.pin_matches(&account.id, &digits, &account.pin_hash),
        Err(_) => false,
    };

    // 9. The attempt counter.
    if !(signature_ok && pin_ok) {
        payments::renew_nonce(conn, &payment.id, now)?;
        let refusal = accounts::count_wrong_pin(conn, &account, limits.max_attempts)?;
        if refusal.code == ErrorCode::PinLocked {
            payments::set_status(conn, &payment.id, PaymentStatus::Refused, now)?;
        }
        return Ok(Err(refusal));
    }

    // 10. Debit, ledger, status, nonce, counter.
    let balance = account
        .balance
        .checked_sub(input.amount)
        .ok_or_else(|| ApiError::internal("debit above the balance"))?;
    let remaining = payment
        .total
        .checked_sub(input.amount)
        .ok_or_else(|| ApiError::internal("debit above the total"))?;
    let status = if remaining == Amount::ZERO {
        PaymentStatus::Authorised
    } else {
        PaymentStatus::PartiallyAuthorised
    };
    conn.execute(
        "UPDATE accounts SET balance_cents = ?2, failed_attempts = 0 WHERE id = ?1",
        params![account.id, super::cents_to_i64(balance)],
    )?;
    ledger::insert(
        conn,
        &ledger::Debit {
            payment_id: &payment.id,
            account_id: &account.id,
            merchant_id: &payment.merchant_id,
            device_id: &device.id,
            amount: input.amount,
            balance_after: balance,
        },
        now,
    )?;
    payments::record_payment(conn, &payment.id, status, input.amount, remaining, now)?;
    Ok(Ok(ConfirmResponse {
        payment_id: payment.id,
        status,
        paid_amount: input.amount,
        remaining_amount: remaining,
        balance,
    }))
}
