//! The protocol's JSON error (`docs/protocol.md` §4) as an axum response.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{ErrorBody, ErrorInfo, PaymentStatus};

/// An error answer: code, French message and the optional extra fields.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    /// Seconds for the `Retry-After` header.
    pub retry_after: Option<u64>,
    pub message: String,
    pub attempts_left: Option<u8>,
    pub status: Option<PaymentStatus>,
    pub field: Option<String>,
    /// HTTP status when it differs from the code's (405 only).
    pub http_override: Option<StatusCode>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            code,
            retry_after: None,
            message: code.message_fr().to_owned(),
            attempts_left: None,
            status: None,
            field: None,
            http_override: None,
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn bad_request() -> Self {
        Self::new(ErrorCode::BadRequest)
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound)
    }

    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized)
    }

    pub fn validation(field: &str) -> Self {
        let mut e = Self::new(ErrorCode::ValidationFailed);
        e.field = Some(field.to_owned());
        e
    }

    pub fn not_pending(status: PaymentStatus) -> Self {
        let mut e = Self::new(ErrorCode::PaymentNotPending);
        e.status = Some(status);
        e
    }

    pub fn auth_failed(attempts_left: u8) -> Self {
        let mut e = Self::new(ErrorCode::AuthenticationFailed);
        e.attempts_left = Some(attempts_left);
        if attempts_left == 1 {
            e.message =
                "Code personnel incorrect. Attention : dernier essai avant le blocage.".into();
        }
        e
    }

    /// `429 rate_limited`, to be tried again after `retry_after` seconds (at least 1).
    pub fn rate_limited(retry_after: i64, message: &str) -> Self {
        let mut e = Self::new(ErrorCode::RateLimited).with_message(message);
        e.retry_after = Some(u64::try_from(retry_after).unwrap_or(0).max(1));
        e
    }

    /// `408`: the body did not arrive in time (code `bad_request`).
    pub fn body_timeout() -> Self {
        let mut e = Self::bad_request().with_message("Requête trop lente.");
        e.http_override = Some(StatusCode::REQUEST_TIMEOUT);
        e
    }

    /// The code as sent.
    pub fn code_str(&self) -> &'static str {
        self.code.as_str()
    }

    /// A server fault. The cause is logged, never sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(ErrorCode::InternalError)
    }

    pub fn http_status(&self) -> StatusCode {
        self.http_override.unwrap_or_else(|| {
            StatusCode::from_u16(self.code.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        })
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorInfo {
                code: self.code_str().to_owned(),
                message: self.message.clone(),
                attempts_left: self.attempts_left,
                status: self.status,
                field: self.field.clone(),
            },
        }
    }

    pub fn body_json(&self) -> String {
        serde_json::to_string(&self.body()).unwrap_or_else(|_| {
            r#"{"error":{"code":"internal_error","message":"Erreur interne."}}"#.to_owned()
        })
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::internal(format_args!("database: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.http_status(), self.body_json());
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

/// A response with a JSON body already serialized.
pub fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
