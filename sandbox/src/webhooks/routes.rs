//! The routes of merchant notifications: the delivery log (admin) and the merchant's
//! own notification URL (merchant API).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};

use super::events::{self, DeliveryView};
use super::is_valid_url;
use crate::error::{ApiError, ApiResult};
use crate::extract::{AdminAuth, JsonBody, MerchantAuth, QueryParams};
use crate::state::AppState;
use crate::store::merchants;
use crate::util::is_valid_id;

/// A notification URL as sent, validated (`validation_failed` on `notification_url`).
pub fn checked_url(url: Option<String>) -> ApiResult<Option<String>> {
    match url {
        Some(url) if !is_valid_url(&url) => Err(ApiError::validation("notification_url")),
        url => Ok(url),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    payment_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DeliveriesView {
    deliveries: Vec<DeliveryView>,
}

/// `GET /admin/webhook-deliveries[?payment_id=…]`: the events (of one payment, or the
/// latest 100) with every attempt.
pub async fn deliveries(
    State(state): State<AppState>,
    _: AdminAuth,
    QueryParams(query): QueryParams<DeliveriesQuery>,
) -> ApiResult<Json<DeliveriesView>> {
    if let Some(id) = &query.payment_id {
        if !is_valid_id(id) {
            return Err(ApiError::validation("payment_id"));
        }
    }
    let deliveries = state
        .db
        .run(move |conn| {
            let payment_id = query.payment_id.as_deref();
            if let Some(id) = payment_id {
                if !events::payment_exists(conn, id)? {
                    return Err(ApiError::not_found());
                }
            }
            Ok(events::log(conn, payment_id)?)
        })
        .await?;
    Ok(Json(DeliveriesView { deliveries }))
}

/// `{"notification_url": "…" | null}`: the field is required, `null` removes the URL.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationUrlBody {
    /// Missing: `None`; `null`: `Some(None)`.
    #[serde(default, deserialize_with = "present")]
    notification_url: Option<Option<String>>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Serialize)]
pub struct NotificationUrl {
    notification_url: Option<String>,
}

/// `PUT /v1/merchant/notification-url`: where the merchant's events go (a request's own
/// `notification_url` wins).
pub async fn set_notification_url(
    State(state): State<AppState>,
    MerchantAuth(merchant): MerchantAuth,
    JsonBody(body): JsonBody<NotificationUrlBody>,
) -> ApiResult<Json<NotificationUrl>> {
    let sent = body
        .notification_url
        .ok_or_else(|| ApiError::validation("notification_url"))?;
    let url = checked_url(sent)?;
    let stored = url.clone();
    state
        .db
        .run(move |conn| {
            Ok(merchants::set_notification_url(
                conn,
                &merchant.id,
                stored.as_deref(),
            )?)
        })
        .await?;
    Ok(Json(NotificationUrl {
        notification_url: url,
    }))
}
