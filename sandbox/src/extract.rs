//! Extractors whose rejections are the protocol's JSON errors (never axum's plain
//! text): JSON bodies capped at 16 KiB, path ids, query strings, and the credentials
//! (device proof or token, merchant API key, admin token).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use cvconnect_core::protocol::errors::ErrorCode;
use futures::StreamExt as _;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::proof::ProvenDevice;
use crate::state::AppState;
use crate::store::devices::{self, DeviceRow};
use crate::store::merchants::{self, MerchantRow};
use crate::util::{is_valid_id, secret_eq};

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 16 * 1024;

/// A JSON body of type `T` (which should deny unknown fields).
pub struct JsonBody<T>(pub T);

impl<T> FromRequest<AppState> for JsonBody<T>
where
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let too_large = || ApiError::new(ErrorCode::PayloadTooLarge);
        // A body declared as something else than JSON is refused; no declaration is tolerated.
        if let Some(content_type) = request.headers().get(CONTENT_TYPE) {
            let essence = content_type
                .to_str()
                .unwrap_or("")
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(ApiError::bad_request());
            }
        }
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > BODY_LIMIT as u64) {
            return Err(too_large());
        }
        let bytes = read_body_in_time(request.into_body(), state).await?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            // The parser's own text quotes the rejected value: only its kind and place.
            tracing::debug!(
                category = ?e.classify(),
                line = e.line(),
                column = e.column(),
                "rejected body"
            );
            ApiError::bad_request()
        })
    }
}

/// The whole body, at most [`BODY_LIMIT`] bytes, within the body timeout.
pub async fn read_body_in_time(
    body: axum::body::Body,
    state: &AppState,
) -> Result<Vec<u8>, ApiError> {
    tokio::time::timeout(state.config.connections.body_timeout, read_body(body))
        .await
        .map_err(|_| {
            tracing::debug!("request body too slow");
            ApiError::body_timeout()
        })?
}

/// The whole body, at most [`BODY_LIMIT`] bytes.
async fn read_body(body: axum::body::Body) -> Result<Vec<u8>, ApiError> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request())?;
        if bytes.len() + chunk.len() > BODY_LIMIT {
            return Err(ApiError::new(ErrorCode::PayloadTooLarge));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// A single path parameter in the id charset; anything else is `not_found`.
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let PathText(id) = PathText::from_request_parts(parts, state).await?;
        if !is_valid_id(&id) {
            return Err(ApiError::not_found());
        }
        Ok(PathId(id))
    }
}

/// A single path parameter, any text (admin account references may be e-mails).
pub struct PathText(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathText {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        Ok(PathText(text))
    }
}

/// Query parameters; a malformed query is `validation_failed`.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(q)| QueryParams(q))
            .map_err(|_| ApiError::validation("query"))
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 512)
        .then_some(token)
}

/// The device a request proof (checked by `proof::proof_layer`) or a live bearer
/// token belongs to.
pub struct DeviceAuth(pub DeviceRow);

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(ProvenDevice(device)) = parts.extensions.get::<ProvenDevice>() {
            return Ok(DeviceAuth(device.clone()));
        }
        let token = bearer(parts).ok_or_else(ApiError::unauthorized)?.to_owned();
        let now = state.now();
        state
            .db
            .run(move |conn| Ok(devices::by_token(conn, &token, now)?))
            .await?
            .map(DeviceAuth)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The merchant of an API key.
pub struct MerchantAuth(pub MerchantRow);

impl FromRequestParts<AppState> for MerchantAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = bearer(parts).ok_or_else(ApiError::unauthorized)?.to_owned();
        state
            .db
            .run(move |conn| Ok(merchants::by_api_key(conn, &key)?))
            .await?
            .map(MerchantAuth)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// Whether the request comes from this machine (127.0.0.0/8, ::1, or 127.0.0.1 mapped
/// into IPv6 by a dual-stack listener).
pub fn is_loopback_peer(parts: &Parts) -> bool {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(addr)| addr.ip().to_canonical().is_loopback())
}

/// The admin token, from a loopback peer.
pub struct AdminAuth;

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(expected) = state.config.admin_token.as_deref() else {
            return Err(ApiError::not_found());
        };
        if !is_loopback_peer(parts) {
            return Err(ApiError::not_found());
        }
        match bearer(parts) {
            Some(token) if secret_eq(token, expected) => Ok(AdminAuth),
            _ => Err(ApiError::unauthorized()),
        }
    }
}
