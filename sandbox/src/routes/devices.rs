//! The account's devices (protocol v1.1 §5.9): the list, and revocation by another
//! device of the account (PIN and signature) or by an administrator.

use axum::extract::State;
use axum::Json;
use cvconnect_core::protocol::wire::{DeviceList, PinKey, RevokeRequest, RevokeResponse};
use cvconnect_sandbox_client::AdminDeviceList;

use crate::error::{ApiError, ApiResult};
use crate::extract::{AdminAuth, DeviceAuth, JsonBody, PathId, PathText};
use crate::state::AppState;
use crate::store::revoke::{self, RevokeInput};
use crate::store::{accounts, devices};
use crate::util::b64url_decode;

pub async fn list(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
) -> ApiResult<Json<DeviceList>> {
    let (listed, nonce, account) = state
        .transaction(move |tx, _, _| {
            let listed = devices::listing(tx, &device.account_id, &device.id)?;
            let nonce = revoke::account_nonce(tx, &device.account_id)?;
            let account =
                accounts::get(tx, &device.account_id)?.ok_or_else(ApiError::unauthorized)?;
            Ok((listed, nonce, account))
        })
        .await?;
    Ok(Json(DeviceList {
        devices: listed,
        nonce,
        pin_key: PinKey {
            key_id: state.secrets.pin_key_id.clone(),
            public_key: state.secrets.pin_public_key.clone(),
        },
        pin_length: account.pin_length,
        attempts_left: account.attempts_left(state.config.max_pin_attempts),
    }))
}

pub async fn revoke(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    PathId(target_id): PathId,
    JsonBody(req): JsonBody<RevokeRequest>,
) -> ApiResult<Json<RevokeResponse>> {
    let decode = |text: &str, field: &str| {
        b64url_decode(text)
            .filter(|bytes| bytes.len() <= 256)
            .ok_or_else(|| ApiError::validation(field))
    };
    let input = RevokeInput {
        by: device,
        target_id,
        nonce: req.nonce,
        sealed_pin: decode(&req.sealed_pin, "sealed_pin")?,
        signature: decode(&req.signature, "signature")?,
    };
    let answer = state
        .transaction(move |tx, state, now| {
            let max_attempts = state.config.max_pin_attempts;
            revoke::revoke(tx, &state.secrets, &input, max_attempts, now)
        })
        .await??;
    tracing::info!(device_id = %answer.device_id, "device revoked by another device");
    Ok(Json(answer))
}

/// `GET /admin/accounts/{account}/devices`: the account's devices and what their
/// attestation proved (none is `current`).
pub async fn admin_list(
    State(state): State<AppState>,
    _: AdminAuth,
    PathText(reference): PathText,
) -> ApiResult<Json<AdminDeviceList>> {
    let devices = state
        .db
        .run(move |conn| {
            let account = accounts::find(conn, &reference)?.ok_or_else(ApiError::not_found)?;
            Ok(devices::listing(conn, &account.id, "")?)
        })
        .await?;
    Ok(Json(AdminDeviceList { devices }))
}

/// `POST /admin/devices/{device_id}/revoke`.
pub async fn admin_revoke(
    State(state): State<AppState>,
    _: AdminAuth,
    PathId(device_id): PathId,
) -> ApiResult<Json<RevokeResponse>> {
    let answer = state
        .transaction(move |tx, _, now| {
            if !revoke::revoke_device(tx, &device_id, now)? {
                return Err(ApiError::not_found());
            }
            Ok(RevokeResponse {
                device_id,
                revoked_at: now,
            })
        })
        .await?;
    tracing::info!(device_id = %answer.device_id, "device revoked by an administrator");
    Ok(Json(answer))
}
