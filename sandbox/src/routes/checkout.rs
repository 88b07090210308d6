//! The merchant checkout page (`/`) and the two small routes its script calls, which
//! act as the checkout merchant (the first seeded one, or a built-in "Boutique Démo").

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::Json;
use cvconnect_core::protocol::wire::MerchantPayment;
use serde::{Deserialize, Serialize};

use super::merchant::{cancel_payment, create_payment, merchant_payment, CreateBody};
use crate::error::ApiResult;
use crate::extract::{JsonBody, PathId};
use crate::state::AppState;
use crate::store::payments::PaymentRow;

const PAGE: &str = include_str!("../../static/checkout.html");

pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutBody {
    email: String,
    total: String,
}

/// A merchant payment with the amounts formatted for display.
#[derive(Debug, Serialize)]
pub struct CheckoutPayment {
    #[serde(flatten)]
    payment: MerchantPayment,
    merchant_name: String,
    total_fr: String,
    paid_fr: Option<String>,
    remaining_fr: Option<String>,
}

fn view(row: PaymentRow) -> CheckoutPayment {
    CheckoutPayment {
        merchant_name: row.merchant_name.clone(),
        total_fr: row.total.format_fr(),
        paid_fr: row.paid.map(|a| a.format_fr()),
        remaining_fr: row.remaining.map(|a| a.format_fr()),
        payment: row.merchant_view(),
    }
}

pub async fn create(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CheckoutBody>,
) -> ApiResult<(StatusCode, Json<CheckoutPayment>)> {
    let merchant = state.checkout_merchant.clone();
    let order_ref = format!("WEB-{}", state.now() % 1_000_000);
    let row = create_payment(
        &state,
        merchant,
        CreateBody {
            account: body.email,
            total: body.total,
            order_ref: Some(order_ref),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(row))))
}

pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> ApiResult<Json<CheckoutPayment>> {
    let row = merchant_payment(&state, state.checkout_merchant.id.clone(), id).await?;
    Ok(Json(view(row)))
}

pub async fn cancel(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> ApiResult<Json<CheckoutPayment>> {
    let row = cancel_payment(&state, state.checkout_merchant.id.clone(), id).await?;
    Ok(Json(view(row)))
}
