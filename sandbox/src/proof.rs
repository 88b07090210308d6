//! Request proofs (protocol v1.1, §5.2): a device signs each request with its enrolled
//! key instead of presenting a bearer token.
//!
//! The layer reads the body (the signature covers its hash), checks the proof against
//! the server's own view of the request (method, target as received, body) and the
//! device's stored key, and spends the proof's id so that it serves once. A proof
//! dated outside the window is refused like any other bad proof; every answer carries
//! the server's time so that the device dates the next one right. Every refusal is the
//! same `401 unauthorized`: nothing tells an attacker which check failed.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, AUTHORIZATION};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cvconnect_core::protocol::proof::{
    body_sha256, RequestProof, PROOF_SCHEME, PROOF_WINDOW_SECS, SERVER_TIME_HEADER,
};
use rusqlite::{params, Connection};

use cvconnect_core::protocol::errors::ErrorCode;

use crate::error::{ApiError, ApiResult};
use crate::extract::read_body_in_time;
use crate::state::AppState;
use crate::store::devices::{self, DeviceRow};
use crate::util::b64url_decode;

/// The device whose proof this request carried, for [`crate::extract::DeviceAuth`].
#[derive(Clone)]
pub struct ProvenDevice(pub DeviceRow);

/// Checks the request proof of a request that carries one; others pass untouched.
pub async fn proof_layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(header) = proof_header(&request) else {
        return next.run(request).await;
    };
    let Some(proof) = RequestProof::parse(&header) else {
        return ApiError::unauthorized().into_response();
    };
    let (mut parts, body) = request.into_parts();
    let body = match read_body_in_time(body, &state).await {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let signed = proof.signed_bytes(parts.method.as_str(), &target, &body_sha256(&body));
    let checked = state
        .transaction(move |tx, _, now| check(tx, &proof, &signed, now))
        .await;
    match checked {
        Ok(Some(device)) => {
            parts.extensions.insert(ProvenDevice(device));
            next.run(Request::from_parts(parts, Body::from(body))).await
        }
        Ok(None) => ApiError::unauthorized().into_response(),
        Err(error) => error.into_response(),
    }
}

/// The `Authorization` header when its scheme is a proof's.
fn proof_header(request: &Request) -> Option<String> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, _) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case(PROOF_SCHEME)
        .then(|| value.to_owned())
}

/// The device, if `proof` is within the window, signed by that device's key over
/// `signed`, and not seen before; its id is then spent until the window has passed.
fn check(
    conn: &Connection,
    proof: &RequestProof,
    signed: &[u8],
    now: i64,
) -> ApiResult<Option<DeviceRow>> {
    if proof.timestamp.abs_diff(now) > PROOF_WINDOW_SECS.unsigned_abs() {
        tracing::debug!(
            skew = proof.timestamp - now,
            "request proof out of its window"
        );
        return Ok(None);
    }
    let signature = b64url_decode(&proof.signature).unwrap_or_default();
    let Some(device) = devices::get(conn, &proof.device_id)? else {
        if devices::revoked_key_signed(conn, &proof.device_id, signed, &signature)? {
            return Err(ApiError::new(ErrorCode::DeviceRevoked));
        }
        return Ok(None);
    };
    if !cvconnect_core::crypto::signer::verify_p256(&device.public_key, signed, &signature) {
        return Ok(None);
    }
    let first_use = spend(conn, &device.id, proof, now)?;
    if !first_use {
        tracing::info!(device_id = %device.id, "request proof replayed");
    } else {
        devices::touch(conn, &device.id, now)?;
    }
    Ok(first_use.then_some(device))
}

/// Spends `proof`'s id for `device_id` until the window has passed it; false when it
/// was already spent (a replay). The ids are kept in the database, so that a replay is
/// refused after a restart too. The statements are prepared once per connection: this
/// runs on every request of a device.
fn spend(
    conn: &Connection,
    device_id: &str,
    proof: &RequestProof,
    now: i64,
) -> rusqlite::Result<bool> {
    conn.prepare_cached("DELETE FROM proof_ids WHERE expires_at < ?1")?
        .execute([now])?;
    let inserted = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO proof_ids (device_id, proof_id, expires_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![
            device_id,
            proof.proof_id,
            proof.timestamp + PROOF_WINDOW_SECS
        ])?;
    Ok(inserted == 1)
}

/// Puts the server's time on every answer (`CVC-Server-Time`).
pub async fn server_time(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&state.now().to_string()) {
        response.headers_mut().insert(SERVER_TIME_HEADER, value);
    }
    response
}
