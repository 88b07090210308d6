//! The router: every route of protocol v1, the sandbox extras, and the layers that
//! keep every answer a protocol JSON (faults, panics, unknown routes).

pub mod admin;
pub mod beneficiary;
pub mod checkout;
pub mod devices;
pub mod enrollment;
pub mod merchant;

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use cvconnect_core::amount::Amount;
use futures::FutureExt as _;

use crate::error::{ApiError, ApiResult};
use crate::faults::fault_layer;
use crate::proof::{proof_layer, server_time};
use crate::state::AppState;
use crate::store::payments::{self, Owner, PaymentRow};
use crate::webhooks::routes as webhooks;

const OPENAPI: &str = include_str!("../../static/openapi.json");

/// Parses an amount as servers accept it: `^[0-9]{1,7}(\.[0-9]{1,2})?$`.
pub fn parse_amount(text: &str) -> Option<Amount> {
    let (units, decimals) = match text.split_once('.') {
        Some((u, d)) => (u, d),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(1..=7).contains(&units.len()) || !digits(units) || !digits(decimals) || decimals.len() > 2
    {
        return None;
    }
    if text.contains('.') && decimals.is_empty() {
        return None;
    }
    let units: u64 = units.parse().ok()?;
    let mut cents: u64 = if decimals.is_empty() {
        0
    } else {
        decimals.parse().ok()?
    };
    if decimals.len() == 1 {
        cents *= 10;
    }
    Some(Amount::from_cents(units * 100 + cents))
}

/// The payment `id` of `owner`, with expiry evaluated; anyone else's is `not_found`.
pub async fn owned_payment(state: &AppState, owner: Owner, id: String) -> ApiResult<PaymentRow> {
    state
        .transaction(move |tx, _, now| payments::owned(tx, &id, &owner, now))
        .await
}

/// Cancels the pending payment `id` of `owner` (merchant cancel, device decline); a
/// final one is `payment_not_pending`, anyone else's `not_found`.
pub async fn cancel_owned(state: &AppState, owner: Owner, id: String) -> ApiResult<PaymentRow> {
    let result = state
        .transaction(move |tx, _, now| {
            let mut payment = payments::owned(tx, &id, &owner, now)?;
            Ok(payments::cancel(tx, &mut payment, now)?.map(|()| payment))
        })
        .await?;
    result.map_err(ApiError::not_pending)
}

pub fn router(state: AppState) -> Router {
    let protocol = Router::new()
        .route("/v1/devices", post(enrollment::enroll).get(devices::list))
        .route("/v1/enrollment-challenges", post(enrollment::challenge))
        .route("/v1/devices/{device_id}/revoke", post(devices::revoke))
        .route("/v1/auth/challenge", post(beneficiary::challenge))
        .route("/v1/auth/token", post(beneficiary::token))
        .route("/v1/devices/me/push-token", put(beneficiary::push_token))
        .route("/v1/balance", get(beneficiary::balance))
        .route("/v1/payments", get(beneficiary::list_payments))
        .route(
            "/v1/payments/{payment_id}",
            get(beneficiary::payment_detail),
        )
        .route(
            "/v1/payments/{payment_id}/confirm",
            post(beneficiary::confirm),
        )
        .route(
            "/v1/payments/{payment_id}/abandon",
            post(beneficiary::abandon),
        )
        .route(
            "/v1/payments/{payment_id}/decline",
            post(beneficiary::decline),
        )
        .route("/v1/merchant/payment-requests", post(merchant::create))
        .route("/v1/merchant/payment-requests/{id}", get(merchant::get))
        .route(
            "/v1/merchant/payment-requests/{id}/cancel",
            post(merchant::cancel),
        )
        .route(
            "/v1/merchant/notification-url",
            put(webhooks::set_notification_url),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), proof_layer))
        .route_layer(middleware::from_fn_with_state(state.clone(), fault_layer));

    let mut app = Router::new()
        .merge(protocol)
        .route("/openapi.json", get(openapi))
        .route("/healthz", get(healthz));

    if state.config.serves_checkout() {
        app = app
            .route("/", get(checkout::page))
            .route("/checkout/api/payments", post(checkout::create))
            .route("/checkout/api/payments/{id}", get(checkout::get))
            .route("/checkout/api/payments/{id}/cancel", post(checkout::cancel))
            .route("/checkout/api/payments/{id}/events", get(checkout::events));
    }

    if state.config.admin_token.is_some() {
        app = app
            .route("/admin/accounts", post(admin::create_account))
            .route("/admin/accounts/{account}", get(admin::get_account))
            .route("/admin/accounts/{account}/balance", put(admin::set_balance))
            .route("/admin/accounts/{account}/unlock", post(admin::unlock))
            .route(
                "/admin/accounts/{account}/devices",
                get(devices::admin_list),
            )
            .route(
                "/admin/devices/{device_id}/revoke",
                post(devices::admin_revoke),
            )
            .route("/admin/activation-codes", post(admin::activation_code))
            .route("/admin/merchants", post(admin::create_merchant))
            .route(
                "/admin/faults",
                post(admin::set_fault)
                    .delete(admin::clear_faults)
                    .get(admin::list_faults),
            )
            .route("/admin/clock", post(admin::advance_clock))
            .route("/admin/push-feed", get(admin::push_feed))
            .route("/admin/ledger", get(admin::ledger))
            .route("/admin/webhook-deliveries", get(webhooks::deliveries));
    }

    app.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(log_requests))
        .layer(middleware::from_fn(catch_panic))
        .layer(middleware::from_fn(no_store))
        .layer(middleware::from_fn_with_state(state.clone(), server_time))
        .with_state(state)
}

/// `Cache-Control: no-store` on every answer: tokens, balances, payments and devices
/// must not sit in a browser, proxy or HTTP library cache.
async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn healthz() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    let mut e = ApiError::not_found().with_message("Méthode non autorisée pour cette adresse.");
    e.http_override = Some(StatusCode::METHOD_NOT_ALLOWED);
    e
}

/// A panicking handler answers `internal_error` (its transaction was rolled back).
async fn catch_panic(request: Request, next: Next) -> Response {
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => ApiError::internal("a handler panicked").into_response(),
    }
}

/// One log line per request: method, path, status, duration. Never bodies or headers.
async fn log_requests(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    // The route pattern, never the raw path: admin paths carry e-mails and ids.
    let path = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("(unmatched)", |matched| matched.as_str())
        .to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower_service::Service as _;

    #[tokio::test]
    async fn panics_become_internal_error_json() {
        async fn boom() -> &'static str {
            panic!("boom")
        }
        let mut app: Router = Router::new()
            .route("/p", get(boom))
            .layer(middleware::from_fn(catch_panic));
        let request = Request::builder().uri("/p").body(Body::empty()).unwrap();
        let response = app.call(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"]["code"], "internal_error");
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("150").map(|a| a.cents()), Some(15000));
        assert_eq!(parse_amount("150.5").map(|a| a.cents()), Some(15050));
        assert_eq!(parse_amount("0.01").map(|a| a.cents()), Some(1));
        assert_eq!(
            parse_amount("9999999.99").map(|a| a.cents()),
            Some(999_999_999)
        );
        for bad in [
            "", ".5", "1.", "1.234", "-1", "1,00", "12345678", "1e3", " 1", "+1",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }
}
