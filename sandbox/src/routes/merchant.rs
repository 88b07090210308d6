//! Merchant API (protocol §8): create, read and cancel payment requests.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::MerchantPayment;
use serde::Deserialize;

use super::parse_amount;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, MerchantAuth, PathId};
use crate::state::AppState;
use crate::store::merchants::MerchantRow;
use crate::store::payments::{self, PaymentRow};
use crate::store::{accounts, push};
use crate::util::{is_account_number, mask_account, normalize_email};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    pub account: String,
    pub total: String,
    #[serde(default)]
    pub order_ref: Option<String>,
}

/// Creates a payment request for `merchant`; shared with the checkout page. An unknown
/// account gets a request exactly like a known one; only no device is notified.
pub async fn create_payment(
    state: &AppState,
    merchant: MerchantRow,
    body: CreateBody,
) -> ApiResult<PaymentRow> {
    let account = body.account.trim().to_owned();
    let account_ok = is_account_number(&account) || normalize_email(&account).is_some();
    if !account_ok {
        return Err(ApiError::validation("account"));
    }
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
    let now = state.now();
    let ttl = i64::try_from(state.config.request_ttl_secs).unwrap_or(i64::MAX / 4);
    let masked = mask_account(&account);
    let (payment, notified) = state
        .db
        .transaction(move |tx| {
            let holder = accounts::find(tx, &account)?;
            let payment = payments::create(
                tx,
                &merchant,
                holder.as_ref().map(|a| a.id.as_str()),
                total,
                body.order_ref.as_deref(),
                now,
                ttl,
            )?;
            let notified = push::record_for_payment(tx, &payment, now)?;
            Ok((payment, notified))
        })
        .await?;
    if notified > 0 {
        state.push_notify.notify_waiters();
    }
    tracing::info!(payment_id = %payment.id, account = %masked, total = %payment.total.to_plain(), "payment request created");
    tracing::debug!(payment_id = %payment.id, notified, "push notifications recorded");
    Ok(payment)
}

/// A payment of `merchant_id`, with expiry evaluated; another merchant's is `not_found`.
pub async fn merchant_payment(
    state: &AppState,
    merchant_id: String,
    id: String,
) -> ApiResult<PaymentRow> {
    let now = state.now();
    state
        .db
        .transaction(move |tx| {
            payments::get_fresh(tx, &id, now)?
                .filter(|p| p.merchant_id == merchant_id)
                .ok_or_else(ApiError::not_found)
        })
        .await
}

pub async fn cancel_payment(
    state: &AppState,
    merchant_id: String,
    id: String,
) -> ApiResult<PaymentRow> {
    let now = state.now();
    let result = state
        .db
        .transaction(move |tx| {
            let mut payment = payments::get(tx, &id)?
                .filter(|p| p.merchant_id == merchant_id)
                .ok_or_else(ApiError::not_found)?;
            Ok(payments::cancel(tx, &mut payment, now)?.map(|()| payment))
        })
        .await?;
    result.map_err(ApiError::not_pending)
}

pub async fn create(
    State(state): State<AppState>,
    MerchantAuth(merchant): MerchantAuth,
    JsonBody(body): JsonBody<CreateBody>,
) -> ApiResult<(StatusCode, Json<MerchantPayment>)> {
    let payment = create_payment(&state, merchant, body).await?;
    Ok((StatusCode::CREATED, Json(payment.merchant_view())))
}

pub async fn get(
    State(state): State<AppState>,
    MerchantAuth(merchant): MerchantAuth,
    PathId(id): PathId,
) -> ApiResult<Json<MerchantPayment>> {
    let payment = merchant_payment(&state, merchant.id, id).await?;
    Ok(Json(payment.merchant_view()))
}

pub async fn cancel(
    State(state): State<AppState>,
    MerchantAuth(merchant): MerchantAuth,
    PathId(id): PathId,
) -> ApiResult<Json<MerchantPayment>> {
    let payment = cancel_payment(&state, merchant.id, id).await?;
    tracing::info!(payment_id = %payment.id, "payment request cancelled");
    Ok(Json(payment.merchant_view()))
}
