//! Sandbox-only admin routes (protocol §10), present only with an admin token.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use cvconnect_core::amount::Amount;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::parse_amount;
use crate::clock::CLOCK_OFFSET_KEY;
use crate::db::meta_set;
use crate::error::{ApiError, ApiResult};
use crate::extract::{AdminAuth, JsonBody, PathText, QueryParams};
use crate::faults::{Fault, FaultKind};
use crate::state::AppState;
use crate::store::accounts::{self, AccountView, NewAccount};
use crate::store::ledger::{self, LedgerEntry};
use crate::store::{activation, merchants, push};
use crate::util::{mask_email, new_token, normalize_email};

/// Longest long poll of the push feed.
pub const MAX_WAIT_MS: u64 = 30_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountBody {
    email: String,
    account_number: String,
    balance: String,
    pin: String,
}

pub async fn create_account(
    State(state): State<AppState>,
    _: AdminAuth,
    JsonBody(body): JsonBody<CreateAccountBody>,
) -> ApiResult<(StatusCode, Json<AccountView>)> {
    let balance = parse_amount(&body.balance).ok_or_else(|| ApiError::validation("balance"))?;
    let account = state
        .transaction(move |tx, state, now| {
            let new = NewAccount {
                email: &body.email,
                account_number: &body.account_number,
                balance,
                pin: &body.pin,
            };
            accounts::insert(tx, &state.secrets, &new, state.config.pin_length, now)
        })
        .await?;
    tracing::info!(account_id = %account.id, email = %mask_email(&account.email), "account created");
    Ok((StatusCode::CREATED, Json(account.view())))
}

pub async fn get_account(
    State(state): State<AppState>,
    _: AdminAuth,
    PathText(reference): PathText,
) -> ApiResult<Json<AccountView>> {
    let account = state
        .db
        .run(move |conn| accounts::find(conn, &reference)?.ok_or_else(ApiError::not_found))
        .await?;
    Ok(Json(account.view()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BalanceBody {
    balance: String,
}

pub async fn set_balance(
    State(state): State<AppState>,
    _: AdminAuth,
    PathText(reference): PathText,
    JsonBody(body): JsonBody<BalanceBody>,
) -> ApiResult<Json<AccountView>> {
    let balance = parse_amount(&body.balance).ok_or_else(|| ApiError::validation("balance"))?;
    change_account(&state, reference, move |tx, id| {
        accounts::set_balance(tx, id, balance)
    })
    .await
}

pub async fn unlock(
    State(state): State<AppState>,
    _: AdminAuth,
    PathText(reference): PathText,
) -> ApiResult<Json<AccountView>> {
    change_account(&state, reference, accounts::unlock).await
}

/// Applies `change` to the account `reference` names (id, e-mail or number) and shows
/// the account after it, in one transaction; an unknown reference is `not_found`.
async fn change_account(
    state: &AppState,
    reference: String,
    change: impl FnOnce(&Connection, &str) -> rusqlite::Result<()> + Send + 'static,
) -> ApiResult<Json<AccountView>> {
    let account = state
        .db
        .transaction(move |tx| {
            let account = accounts::find(tx, &reference)?.ok_or_else(ApiError::not_found)?;
            change(tx, &account.id)?;
            accounts::get(tx, &account.id)?.ok_or_else(ApiError::not_found)
        })
        .await?;
    Ok(Json(account.view()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivationBody {
    email: String,
}

#[derive(Debug, Serialize)]
pub struct ActivationCodeView {
    code: String,
    expires_at: i64,
}

pub async fn activation_code(
    State(state): State<AppState>,
    _: AdminAuth,
    JsonBody(body): JsonBody<ActivationBody>,
) -> ApiResult<(StatusCode, Json<ActivationCodeView>)> {
    let email = normalize_email(&body.email).ok_or_else(|| ApiError::validation("email"))?;
    let (code, expires_at) = state
        .transaction(move |tx, state, now| {
            let account = accounts::find(tx, &email)?.ok_or_else(ApiError::not_found)?;
            let secrets = &state.secrets;
            Ok(activation::issue_code(
                tx,
                secrets,
                &account.id,
                &account.email,
                now,
            )?)
        })
        .await?;
    let view = ActivationCodeView { code, expires_at };
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantBody {
    name: String,
    /// Sandbox extension: choose the key (a random one otherwise).
    #[serde(default)]
    api_key: Option<String>,
    /// Where the merchant's events go (protocol §8.1).
    #[serde(default)]
    notification_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MerchantCreated {
    merchant_id: String,
    name: String,
    api_key: String,
    notification_url: Option<String>,
    /// The secret that signs the merchant's events, shown this once.
    webhook_secret: String,
}

pub async fn create_merchant(
    State(state): State<AppState>,
    _: AdminAuth,
    JsonBody(body): JsonBody<MerchantBody>,
) -> ApiResult<(StatusCode, Json<MerchantCreated>)> {
    let api_key = body
        .api_key
        .unwrap_or_else(|| format!("mk_{}", new_token()));
    let key = api_key.clone();
    let notification_url = crate::webhooks::routes::checked_url(body.notification_url)?;
    let url = notification_url.clone();
    let (merchant, webhook_secret) = state
        .transaction(move |tx, _, now| {
            let merchant = merchants::insert(tx, &body.name, &key, now)?;
            merchants::set_notification_url(tx, &merchant.id, url.as_deref())?;
            let secret = merchants::webhook_secret(tx, &merchant.id)?;
            Ok((merchant, secret))
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(MerchantCreated {
            merchant_id: merchant.id,
            name: merchant.name,
            api_key,
            notification_url,
            webhook_secret,
        }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultBody {
    route: String,
    kind: FaultKind,
    #[serde(default)]
    delay_ms: Option<u64>,
    #[serde(default)]
    count: Option<u32>,
}

pub async fn set_fault(
    State(state): State<AppState>,
    _: AdminAuth,
    JsonBody(body): JsonBody<FaultBody>,
) -> ApiResult<(StatusCode, Json<Fault>)> {
    // A route pattern, or `webhook:<merchant_id>` for that merchant's deliveries.
    let routed = body.route.starts_with('/') || body.route.starts_with("webhook:");
    if !routed || body.route.len() > 200 {
        return Err(ApiError::validation("route"));
    }
    let delay_ms = body.delay_ms.unwrap_or(0);
    if delay_ms > 60_000 || (body.kind == FaultKind::Delay && body.delay_ms.is_none()) {
        return Err(ApiError::validation("delay_ms"));
    }
    let count = body.count.unwrap_or(1);
    if count == 0 {
        return Err(ApiError::validation("count"));
    }
    let fault = Fault {
        route: body.route,
        kind: body.kind,
        delay_ms,
        count,
    };
    state.faults.set(fault.clone());
    tracing::info!(kind = ?fault.kind, count, "fault armed");
    Ok((StatusCode::CREATED, Json(fault)))
}

pub async fn clear_faults(State(state): State<AppState>, _: AdminAuth) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}

pub async fn list_faults(State(state): State<AppState>, _: AdminAuth) -> Json<Value> {
    Json(json!({ "faults": state.faults.list() }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockBody {
    advance_secs: u64,
}

pub async fn advance_clock(
    State(state): State<AppState>,
    _: AdminAuth,
    JsonBody(body): JsonBody<ClockBody>,
) -> ApiResult<Json<Value>> {
    const TEN_YEARS: u64 = 10 * 365 * 24 * 3600;
    if body.advance_secs > TEN_YEARS {
        return Err(ApiError::validation("advance_secs"));
    }
    let offset = i64::try_from(body.advance_secs)
        .ok()
        .and_then(|secs| state.clock.advance(secs))
        .ok_or_else(|| ApiError::validation("advance_secs"))?;
    state
        .db
        .run(move |conn| {
            Ok(meta_set(
                conn,
                CLOCK_OFFSET_KEY,
                offset.to_string().as_bytes(),
            )?)
        })
        .await?;
    Ok(Json(json!({ "now": state.now(), "offset_secs": offset })))
}

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    device_id: Option<String>,
    after: Option<i64>,
    wait_ms: Option<u64>,
}

pub async fn push_feed(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(query): QueryParams<FeedQuery>,
) -> ApiResult<Json<Value>> {
    // Notifications queued by requests answered just before are written first.
    crate::outbox::drain(&state).await?;
    let after = query.after.unwrap_or(0).max(0);
    let wait = Duration::from_millis(query.wait_ms.unwrap_or(0).min(MAX_WAIT_MS));
    let deadline = tokio::time::Instant::now() + wait;
    let mut shutdown = state.shutdown.clone();
    let mut closing = false;
    loop {
        let notified = state.push_notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let device_id = query.device_id.clone();
        let (rows, last_seq) = state
            .db
            .run(move |conn| {
                let rows = push::feed(conn, device_id.as_deref(), after, 100)?;
                Ok((rows, push::last_seq(conn)?))
            })
            .await?;
        if !rows.is_empty()
            || tokio::time::Instant::now() >= deadline
            || closing
            || *shutdown.borrow()
        {
            let next_after = rows.last().map_or(after, |r| r.seq);
            return Ok(Json(json!({
                "notifications": rows.iter().map(push::PushRow::to_json).collect::<Vec<_>>(),
                "next_after": next_after,
                "last_seq": last_seq,
            })));
        }
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep_until(deadline) => {}
            changed = shutdown.changed() => closing = changed.is_err() || *shutdown.borrow(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LedgerView {
    entries: Vec<LedgerEntry>,
    /// The sum of the debits, in euros with two decimals. Not an `Amount`: a sum of
    /// amounts may exceed the largest amount (9 999 999,99 €).
    total: String,
}

pub async fn ledger(State(state): State<AppState>, _: AdminAuth) -> ApiResult<Json<LedgerView>> {
    let entries = state.db.run(|conn| Ok(ledger::all(conn)?)).await?;
    let total = euros(entries.iter().map(|e| e.amount));
    Ok(Json(LedgerView { entries, total }))
}

/// The exact sum of `amounts` in plain form (`"19999999.98"`), whatever their number:
/// cents are added as `u128`, which `u64` cents cannot overflow.
pub fn euros(amounts: impl Iterator<Item = Amount>) -> String {
    let cents: u128 = amounts.map(|a| u128::from(a.cents())).sum();
    format!("{}.{:02}", cents / 100, cents % 100)
}
