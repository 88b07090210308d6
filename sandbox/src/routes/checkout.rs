//! The merchant checkout page (`/`) and the three small routes its script calls, which
//! act as the checkout merchant (the first seeded one, or a built-in "Boutique Démo").
//!
//! They need no API key, so they are fenced (issue 15, item 2):
//! - they exist only where the admin routes do (with an admin token), for loopback
//!   peers only, unless the sandbox runs with `--public-checkout`;
//! - each browser gets its own token, in the `cvc_checkout` cookie (set by the page,
//!   or by the first create), and reads or cancels only the payments created with that
//!   token. The merchant API's payments, and another browser's, are `not_found`.

use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use cvconnect_core::protocol::wire::MerchantPayment;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::merchant::{create_payment, CreateBody, CreateOptions, Created};
use super::{cancel_owned, owned_payment};
use crate::error::{ApiError, ApiResult};
use crate::extract::{is_loopback_peer, JsonBody, PathId};
use crate::state::AppState;
use crate::store::exists;
use crate::store::payments::{Owner, PaymentRow};
use crate::util::{is_valid_id, new_token, sha256};

const PAGE: &str = include_str!("../../static/checkout.html");

/// The cookie holding a browser's checkout token.
pub const COOKIE_NAME: &str = "cvc_checkout";

/// Admission to the checkout routes, and the browser's token if it sent one.
pub struct Checkout {
    token: Option<String>,
}

impl FromRequestParts<AppState> for Checkout {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !(state.config.public_checkout || is_loopback_peer(parts)) {
            return Err(ApiError::not_found());
        }
        Ok(Checkout {
            token: browser_token(parts),
        })
    }
}

/// The `cvc_checkout` cookie, when it holds a well-formed token.
fn browser_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, token)| token.to_owned())
        .filter(|token| token.len() == 43 && is_valid_id(token))
}

fn set_cookie(response: &mut Response, token: &str, tls: bool) {
    let secure = if tls { "; Secure" } else { "" };
    let cookie = format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

pub async fn page(State(state): State<AppState>, checkout: Checkout) -> Response {
    let mut response = Html(PAGE).into_response();
    if checkout.token.is_none() {
        set_cookie(&mut response, &new_token(), state.config.tls);
    }
    response
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
    checkout: Checkout,
    JsonBody(body): JsonBody<CheckoutBody>,
) -> ApiResult<Response> {
    let minted = checkout.token.is_none();
    let token = checkout.token.unwrap_or_else(new_token);
    let order_ref = format!("WEB-{}", state.now().rem_euclid(1_000_000));
    let options = CreateOptions {
        idempotency_key: None,
        checkout_session: Some(sha256(token.as_bytes())),
    };
    let body = CreateBody {
        account: body.email,
        total: body.total,
        order_ref: Some(order_ref),
        notification_url: None,
    };
    let Created::New(row) =
        create_payment(&state, state.checkout_merchant.clone(), body, options).await?
    else {
        return Err(ApiError::internal("checkout create replayed without a key"));
    };
    let mut response = (StatusCode::CREATED, Json(view(row))).into_response();
    if minted {
        set_cookie(&mut response, &token, state.config.tls);
    }
    Ok(response)
}

/// The path's payment id, when this browser created that payment through the page;
/// anything else (no token, another browser's or the merchant API's payment) is
/// `not_found`.
pub struct PagePayment(String);

impl FromRequestParts<AppState> for PagePayment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let checkout = Checkout::from_request_parts(parts, state).await?;
        let PathId(id) = PathId::from_request_parts(parts, state).await?;
        let token = checkout.token.ok_or_else(ApiError::not_found)?;
        let (payment_id, hash) = (id.clone(), sha256(token.as_bytes()));
        let sql = "SELECT 1 FROM checkout_payments WHERE payment_id = ?1 AND session_hash = ?2";
        let created_here = state
            .db
            .run(move |conn| Ok(exists(conn, sql, params![payment_id, hash.as_slice()])?))
            .await?;
        created_here
            .then_some(PagePayment(id))
            .ok_or_else(ApiError::not_found)
    }
}

/// The checkout merchant, owner of every payment the page creates.
fn page_merchant(state: &AppState) -> Owner {
    Owner::Merchant(state.checkout_merchant.id.clone())
}

pub async fn get(
    State(state): State<AppState>,
    PagePayment(id): PagePayment,
) -> ApiResult<Json<CheckoutPayment>> {
    let row = owned_payment(&state, page_merchant(&state), id).await?;
    Ok(Json(view(row)))
}

pub async fn cancel(
    State(state): State<AppState>,
    PagePayment(id): PagePayment,
) -> ApiResult<Json<CheckoutPayment>> {
    let row = cancel_owned(&state, page_merchant(&state), id).await?;
    Ok(Json(view(row)))
}

/// The payment's events as server-sent events: the page learns the result without
/// polling (`crate::webhooks::stream`).
pub async fn events(State(state): State<AppState>, PagePayment(id): PagePayment) -> Response {
    crate::webhooks::stream::of_payment(&state, id).into_response()
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::Request;
    use tower_service::Service as _;

    use crate::config::{SandboxConfig, Seed};

    /// A request from `peer` (no packet is sent: the router is called in process).
    async fn status_from(config: SandboxConfig, peer: &str, method: &str, uri: &str) -> u16 {
        let mut router = crate::test_router(config);
        let body = if method == "POST" {
            Body::from(r#"{"email":"camille.martin@example.fr","total":"150.00"}"#)
        } else {
            Body::empty()
        };
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .header("authorization", "Bearer admin")
            .body(body)
            .unwrap();
        let peer: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        router.call(request).await.unwrap().status().as_u16()
    }

    fn with_admin(public_checkout: bool) -> SandboxConfig {
        SandboxConfig {
            admin_token: Some("admin".into()),
            seed: Some(Seed::demo()),
            public_checkout,
            ..SandboxConfig::default()
        }
    }

    #[tokio::test]
    async fn only_loopback_peers_reach_the_checkout_and_admin_routes() {
        let remote = "192.0.2.10:40000";
        for (method, uri) in [("GET", "/"), ("POST", "/checkout/api/payments")] {
            assert_eq!(
                status_from(with_admin(false), remote, method, uri).await,
                404
            );
        }
        assert_eq!(
            status_from(with_admin(false), remote, "GET", "/admin/ledger").await,
            404
        );
        let local = "127.0.0.1:40000";
        assert_eq!(
            status_from(with_admin(false), local, "POST", "/checkout/api/payments").await,
            201
        );
        let mapped = "[::ffff:127.0.0.1]:40000";
        assert_eq!(
            status_from(with_admin(false), mapped, "GET", "/admin/ledger").await,
            200
        );
    }

    #[tokio::test]
    async fn the_public_checkout_flag_serves_any_peer() {
        let remote = "192.0.2.10:40000";
        assert_eq!(
            status_from(with_admin(true), remote, "POST", "/checkout/api/payments").await,
            201
        );
        assert_eq!(status_from(with_admin(true), remote, "GET", "/").await, 200);
        // The flag opens the checkout, never the admin routes.
        assert_eq!(
            status_from(with_admin(true), remote, "GET", "/admin/ledger").await,
            404
        );
        let without_admin = SandboxConfig {
            public_checkout: true,
            seed: Some(Seed::demo()),
            ..SandboxConfig::default()
        };
        assert_eq!(status_from(without_admin, remote, "GET", "/").await, 200);
        let neither = SandboxConfig::default();
        assert_eq!(status_from(neither, "127.0.0.1:1", "GET", "/").await, 404);
    }
}
