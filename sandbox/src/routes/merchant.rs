//! Merchant API (protocol §8): create, read and cancel payment requests.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cvconnect_core::amount::Amount;
use cvconnect_core::protocol::canonical::FieldWriter;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::MerchantPayment;
use serde::Deserialize;

use super::{cancel_owned, owned_payment, parse_amount};
use crate::config::Limits;
use crate::error::{json_response, ApiError, ApiResult};
use crate::extract::{JsonBody, MerchantAuth, PathId};
use crate::state::AppState;
use crate::store::merchants::{self, MerchantRow};
use crate::store::payments::{self, Owner, PaymentRow};
use crate::store::{accounts, limits, push};
use crate::util::{account_reference, is_idempotency_key, mask_account, sha256};
use crate::webhooks::routes::checked_url;
use crate::work::measure;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    pub account: String,
    pub total: String,
    #[serde(default)]
    pub order_ref: Option<String>,
    /// Where this request's events go, instead of the merchant's URL (§8.1).
    #[serde(default)]
    pub notification_url: Option<String>,
}

/// What a create needs besides the body.
#[derive(Debug, Default)]
pub struct CreateOptions {
    /// The merchant's `Idempotency-Key` (already validated).
    pub idempotency_key: Option<String>,
    /// SHA-256 of the checkout page's browser token, when the page creates.
    pub checkout_session: Option<[u8; 32]>,
}

/// A create's answer: a new request, or the first answer given under the same key.
pub enum Created {
    New(PaymentRow),
    Replayed { status: u16, body: String },
}

/// A validated create.
struct NewRequest {
    merchant: MerchantRow,
    account_ref: String,
    total: Amount,
    order_ref: Option<String>,
    notification_url: Option<String>,
    options: CreateOptions,
    request_hash: [u8; 32],
}

/// Validates a create body; the account reference comes back normalized.
fn validate(state: &AppState, body: &CreateBody) -> ApiResult<(String, Amount)> {
    let account_ref =
        account_reference(&body.account).ok_or_else(|| ApiError::validation("account"))?;
    let total = parse_amount(&body.total).ok_or_else(|| ApiError::validation("total"))?;
    if let Some(order_ref) = &body.order_ref {
        let ok = (1..=64).contains(&order_ref.chars().count())
            && !order_ref.chars().any(char::is_control);
        if !ok {
            return Err(ApiError::validation("order_ref"));
        }
    }
    let min_total = state.config.min_total;
    if total < min_total {
        return Err(
            ApiError::new(ErrorCode::AmountBelowMinimum).with_message(format!(
                "Le paiement en Chèque-Vacances Connect est proposé à partir de {} d'achat.",
                min_total.format_fr()
            )),
        );
    }
    Ok((account_ref, total))
}

fn request_hash(account_ref: &str, total: Amount, order_ref: Option<&str>) -> [u8; 32] {
    sha256(
        &FieldWriter::new("sandbox/merchant-create")
            .field(account_ref.as_bytes())
            .field(total.to_plain().as_bytes())
            .field(if order_ref.is_some() { b"1" } else { b"0" })
            .field(order_ref.unwrap_or_default().as_bytes())
            .finish(),
    )
}

/// Creates a payment request for `merchant`; shared with the checkout page. An unknown
/// account gets a request exactly like a known one, after the same work: the
/// notifications of a known account's devices are written after the answer
/// (`crate::outbox`).
pub async fn create_payment(
    state: &AppState,
    merchant: MerchantRow,
    body: CreateBody,
    options: CreateOptions,
) -> ApiResult<Created> {
    let (account_ref, total) = validate(state, &body)?;
    let notification_url = checked_url(body.notification_url)?;
    let mut request_hash = request_hash(&account_ref, total, body.order_ref.as_deref());
    if let Some(url) = &notification_url {
        request_hash = sha256(&[request_hash.as_slice(), url.as_bytes()].concat());
    }
    let request = NewRequest {
        request_hash,
        merchant,
        account_ref,
        total,
        order_ref: body.order_ref,
        notification_url,
        options,
    };
    let ttl = i64::try_from(state.config.request_ttl_secs).unwrap_or(i64::MAX / 4);
    let masked = mask_account(&request.account_ref);
    let (created, work) = state
        .transaction(move |tx, state, now| {
            let limits = &state.config.limits;
            let (created, work) = measure(tx, || create_in(tx, &request, limits, now, ttl));
            Ok((created?, work))
        })
        .await?;
    tracing::debug!(
        statements = work.statements,
        sql = %work.digest,
        vm_steps = work.vm_steps,
        changes = work.changes,
        "payment request work"
    );
    match created? {
        Created::New(payment) => {
            state.outbox_wake.notify_one();
            tracing::info!(payment_id = %payment.id, account = %masked, "payment request created");
            Ok(Created::New(payment))
        }
        replayed => {
            tracing::info!("payment request replayed (idempotency key)");
            Ok(replayed)
        }
    }
}

/// The create's work, in one transaction: idempotency, limits, the request, one outbox
/// row. `Ok(Err(_))` is an answer (nothing was written).
fn create_in(
    tx: &rusqlite::Connection,
    request: &NewRequest,
    limits: &Limits,
    now: i64,
    ttl: i64,
) -> ApiResult<Result<Created, ApiError>> {
    let merchant_id = request.merchant.id.as_str();
    if let Some(key) = &request.options.idempotency_key {
        if let Some((hash, status, body)) = merchants::remembered(tx, merchant_id, key, now)? {
            if hash != request.request_hash {
                return Ok(Err(ApiError::new(ErrorCode::IdempotencyConflict)));
            }
            return Ok(Ok(Created::Replayed { status, body }));
        }
    }
    if let Err(limited) =
        limits::check_new_request(tx, merchant_id, &request.account_ref, now, limits)?
    {
        return Ok(Err(limited));
    }
    let holder = accounts::id_for_reference(tx, &request.account_ref)?;
    let new = payments::NewPayment {
        merchant: &request.merchant,
        account_id: holder.as_deref(),
        account_ref: &request.account_ref,
        total: request.total,
        order_ref: request.order_ref.as_deref(),
        notification_url: request.notification_url.as_deref(),
    };
    let payment = payments::create(tx, &new, now, ttl)?;
    push::enqueue(tx, &payment.id, now)?;
    if let Some(key) = &request.options.idempotency_key {
        let body = serde_json::to_string(&payment.merchant_view()).map_err(ApiError::internal)?;
        merchants::remember(
            tx,
            merchant_id,
            key,
            &request.request_hash,
            (201, &body),
            now,
        )?;
    }
    if let Some(session) = &request.options.checkout_session {
        tx.execute(
            "INSERT INTO checkout_payments (payment_id, session_hash) VALUES (?1, ?2)",
            rusqlite::params![payment.id, session.as_slice()],
        )?;
    }
    Ok(Ok(Created::New(payment)))
}

/// The `Idempotency-Key` header of a merchant create: absent, or 16 to 64 id characters.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if !is_idempotency_key(key) {
        return Err(ApiError::validation("idempotency_key"));
    }
    Ok(Some(key.to_owned()))
}

pub async fn create(
    State(state): State<AppState>,
    MerchantAuth(merchant): MerchantAuth,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateBody>,
) -> ApiResult<Response> {
    let options = CreateOptions {
        idempotency_key: idempotency_key(&headers)?,
        checkout_session: None,
    };
    Ok(
        match create_payment(&state, merchant, body, options).await? {
            Created::New(payment) => {
                (StatusCode::CREATED, Json(payment.merchant_view())).into_response()
            }
            Created::Replayed { status, body } => json_response(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                body,
            ),
        },
    )
}

pub async fn get(
    State(state): State<AppState>,
    MerchantAuth(merchant): MerchantAuth,
    PathId(id): PathId,
) -> ApiResult<Json<MerchantPayment>> {
    let payment = owned_payment(&state, Owner::Merchant(merchant.id), id).await?;
    Ok(Json(payment.merchant_view()))
}

pub async fn cancel(
    State(state): State<AppState>,
    MerchantAuth(merchant): MerchantAuth,
    PathId(id): PathId,
) -> ApiResult<Json<MerchantPayment>> {
    let payment = cancel_owned(&state, Owner::Merchant(merchant.id), id).await?;
    tracing::info!(payment_id = %payment.id, "payment request cancelled");
    Ok(Json(payment.merchant_view()))
}
