//! Beneficiary API (protocol §5): enrollment, device authentication, balance,
//! payments, confirm, abandon and decline.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::canonical::FieldWriter;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{
    AbandonRequest, AbandonResponse, BalanceResponse, ChallengeRequest, ChallengeResponse,
    DeclineResponse, PaymentDetail, PaymentList, PaymentStatus, PinKey, PushTokenRequest,
    TokenRequest, TokenResponse,
};
use cvconnect_core::protocol::CURRENCY;
use serde::Deserialize;

use super::{cancel_owned, parse_amount};
use crate::error::{json_response, ApiError, ApiResult};
use crate::extract::{DeviceAuth, JsonBody, PathId, QueryParams};
use crate::state::AppState;
use crate::store::abandon::{self, AbandonInput};
use crate::store::confirm::{self, min_amount, ConfirmInput, Limits};
use crate::store::payments::{Cursor, Owner};
use crate::store::{accounts, devices, payments};
use crate::util::{b64url_decode, is_idempotency_key, is_valid_id, sha256};

use super::enrollment::MAX_PUSH_TOKEN;

pub async fn challenge(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<ChallengeRequest>,
) -> ApiResult<Json<ChallengeResponse>> {
    check_device_id(&req.device_id)?;
    let (challenge, expires_at) = state
        .transaction(move |tx, state, now| {
            let per_minute = state.config.limits.challenges_per_min;
            Ok(devices::new_challenge(tx, &req.device_id, now, per_minute)?)
        })
        .await??;
    Ok(Json(ChallengeResponse {
        challenge,
        expires_at,
    }))
}

pub async fn token(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    check_device_id(&req.device_id)?;
    if req.challenge.len() > 128 {
        return Err(ApiError::new(ErrorCode::InvalidChallenge));
    }
    let signature = b64url_decode(&req.signature)
        .filter(|s| s.len() <= 256)
        .ok_or_else(|| ApiError::validation("signature"))?;
    let ttl = i64::try_from(state.config.token_ttl_secs).unwrap_or(i64::MAX / 4);
    let access_token = state
        .transaction(move |tx, _, now| {
            devices::redeem_challenge(tx, &req.device_id, &req.challenge, &signature, now, ttl)
        })
        .await??;
    Ok(Json(TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: state.config.token_ttl_secs,
    }))
}

/// A device id the protocol could have issued; anything else is `validation_failed`.
fn check_device_id(device_id: &str) -> ApiResult<()> {
    if is_valid_id(device_id) {
        Ok(())
    } else {
        Err(ApiError::validation("device_id"))
    }
}

pub async fn push_token(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    JsonBody(req): JsonBody<PushTokenRequest>,
) -> ApiResult<StatusCode> {
    if req.push_token.is_empty() || req.push_token.len() > MAX_PUSH_TOKEN {
        return Err(ApiError::validation("push_token"));
    }
    state
        .db
        .run(move |conn| Ok(devices::set_push_token(conn, &device.id, &req.push_token)?))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn balance(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
) -> ApiResult<Json<BalanceResponse>> {
    let account = state
        .db
        .run(move |conn| Ok(accounts::get(conn, &device.account_id)?))
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(BalanceResponse {
        balance: account.balance,
        currency: CURRENCY.to_owned(),
    }))
}

/// Entries per page of `GET /v1/payments` when `limit` is absent, and at most.
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 100;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

impl ListQuery {
    /// (pending only, page size, where the page starts).
    fn parse(&self) -> ApiResult<(bool, u32, Option<Cursor>)> {
        let pending_only = match self.status.as_deref() {
            None => false,
            Some("pending") => true,
            Some(_) => return Err(ApiError::validation("status")),
        };
        let limit = match self.limit.as_deref() {
            None => DEFAULT_PAGE,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| ApiError::validation("limit"))?,
        };
        let cursor = match self.cursor.as_deref() {
            None => None,
            Some(text) => Some(Cursor::decode(text).ok_or_else(|| ApiError::validation("cursor"))?),
        };
        Ok((pending_only, limit, cursor))
    }
}

pub async fn list_payments(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<Json<PaymentList>> {
    let (pending_only, limit, cursor) = query.parse()?;
    let page = state
        .transaction(move |tx, _, now| {
            Ok(payments::list_for_account(
                tx,
                &device.account_id,
                pending_only,
                cursor,
                limit,
                now,
            )?)
        })
        .await?;
    Ok(Json(PaymentList {
        payments: page
            .rows
            .iter()
            .map(payments::PaymentRow::summary)
            .collect(),
        next_cursor: page.next.map(Cursor::encode),
    }))
}

pub async fn payment_detail(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    PathId(payment_id): PathId,
) -> ApiResult<Json<PaymentDetail>> {
    let (payment, account) = state
        .transaction(move |tx, _, now| {
            let holder = Owner::Account(device.account_id.clone());
            let payment = payments::owned(tx, &payment_id, &holder, now)?;
            let account =
                accounts::get(tx, &device.account_id)?.ok_or_else(ApiError::unauthorized)?;
            Ok((payment, account))
        })
        .await?;
    let max_amount = account.balance.min(payment.total);
    Ok(Json(PaymentDetail {
        payment_id: payment.id.clone(),
        status: payment.status,
        payee: payment.payee(),
        total: payment.total,
        currency: CURRENCY.to_owned(),
        min_amount: min_amount(),
        max_amount,
        nonce: payment.nonce.clone(),
        created_at: payment.created_at,
        expires_at: payment.expires_at,
        pin_length: account.pin_length,
        pin_key: PinKey {
            key_id: state.secrets.pin_key_id.clone(),
            public_key: state.secrets.pin_public_key.clone(),
        },
        attempts_left: account.attempts_left(state.config.max_pin_attempts),
        paid_amount: payment.paid,
        remaining_amount: payment.remaining,
        balance: Some(account.balance),
    }))
}

/// The confirm body, with the amount as text so that a bad value is `validation_failed`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    amount: String,
    nonce: String,
    sealed_pin: String,
    signature: String,
    idempotency_key: String,
}

fn request_hash(amount: Amount, body: &ConfirmBody) -> [u8; 32] {
    sha256(
        &FieldWriter::new("sandbox/confirm-request")
            .field(amount.to_plain().as_bytes())
            .field(body.nonce.as_bytes())
            .field(body.sealed_pin.as_bytes())
            .field(body.signature.as_bytes())
            .field(body.idempotency_key.as_bytes())
            .finish(),
    )
}

pub async fn confirm(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    PathId(payment_id): PathId,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ConfirmBody>,
) -> ApiResult<Response> {
    if !is_idempotency_key(&body.idempotency_key) {
        return Err(ApiError::validation("idempotency_key"));
    }
    let header_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if header_key != Some(body.idempotency_key.as_str()) {
        return Err(ApiError::validation("idempotency_key"));
    }
    let amount = parse_amount(&body.amount).ok_or_else(|| ApiError::validation("amount"))?;
    if body.nonce.is_empty() || body.nonce.len() > 128 {
        return Err(ApiError::new(ErrorCode::NonceUsed));
    }
    let sealed_pin = b64url_decode(&body.sealed_pin)
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or_else(|| ApiError::validation("sealed_pin"))?;
    let signature = b64url_decode(&body.signature)
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or_else(|| ApiError::validation("signature"))?;
    let input = ConfirmInput {
        device_id: device.id.clone(),
        account_id: device.account_id.clone(),
        payment_id,
        amount,
        request_hash: request_hash(amount, &body),
        nonce: body.nonce,
        sealed_pin,
        signature,
        idempotency_key: body.idempotency_key,
    };
    let payment_id = input.payment_id.clone();
    let answer = state
        .transaction(move |tx, state, now| {
            let limits = Limits {
                max_attempts: state.config.max_pin_attempts,
            };
            confirm::confirm(tx, &state.secrets, &input, &limits, now)
        })
        .await?;
    // The path's id is logged only when it named one of this account's payments.
    let payment_id = if answer.status == 404 {
        "-"
    } else {
        payment_id.as_str()
    };
    tracing::info!(
        %payment_id,
        device_id = %device.id,
        status = answer.status,
        debited = answer.debited,
        "confirm"
    );
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Ok(json_response(status, answer.body))
}

/// Fences a confirmation whose answer was lost (§5.7.1).
pub async fn abandon(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    PathId(payment_id): PathId,
    JsonBody(body): JsonBody<AbandonRequest>,
) -> ApiResult<Json<AbandonResponse>> {
    if !is_idempotency_key(&body.idempotency_key) {
        return Err(ApiError::validation("idempotency_key"));
    }
    let input = AbandonInput {
        device_id: device.id.clone(),
        account_id: device.account_id,
        payment_id,
        idempotency_key: body.idempotency_key,
    };
    let answer = state
        .transaction(move |tx, _, now| abandon::abandon(tx, &input, now))
        .await?;
    tracing::info!(payment_id = %answer.payment_id, device_id = %device.id, state = ?answer.state, "abandon");
    Ok(Json(answer))
}

pub async fn decline(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    PathId(payment_id): PathId,
) -> ApiResult<Json<DeclineResponse>> {
    // An expired request is committed as EXPIRED before answering.
    let payment = cancel_owned(&state, Owner::Account(device.account_id), payment_id).await?;
    Ok(Json(DeclineResponse {
        payment_id: payment.id,
        status: PaymentStatus::Cancelled,
    }))
}
