//! [`CvError`]: what a failed call throws: `CvException` in Kotlin, `CvError` in Swift
//! and Python. One variant per situation an app handles differently, each with the
//! fields it needs. The French sentence for the screen is the core's; it is the
//! exception's `message` in Kotlin and its `LocalizedError` text in Swift.
//!
//! A Rust panic is caught at the boundary and thrown as [`CvError::Unexpected`] (see
//! [`guard`] and `runtime::run`), so an app catching `CvError` catches everything the
//! library throws.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cvconnect_core::amount::AmountError;
use cvconnect_core::client::{AmountInputError, ClientError, HttpError, Notice};
use cvconnect_core::crypto::signer::SignerError;
use cvconnect_core::keypad::KeypadError;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;

/// Why a call failed. Fields never hold a personal code, a key or a token.
///
/// The English description (for logs) is also `toString()` in Kotlin and `description`
/// in Swift; the screen shows the French user message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum CvError {
    /// No connection to the backend.
    #[error("no connection to the backend")]
    Offline,
    /// The backend did not answer in time.
    #[error("the backend did not answer in time")]
    Timeout,
    /// The server certificate does not match the pinned keys.
    #[error("the backend's certificate does not match the pinned keys")]
    CertificateRejected,
    /// The backend failed (an HTTP 5xx answer).
    #[error("server error (HTTP {status})")]
    Server {
        /// The HTTP status, 500 to 599.
        status: i32,
    },
    /// The backend answered something the protocol does not allow.
    #[error("protocol violation: {detail}")]
    ProtocolViolation {
        /// What was wrong, in English, for logs.
        detail: String,
    },
    /// The backend refused the request with a protocol error code.
    #[error("refused by the backend: {code} (HTTP {http_status})")]
    Api {
        /// The protocol's error code, such as "invalid_activation_code".
        code: String,
        /// The backend's French sentence.
        server_message: String,
        /// The HTTP status.
        http_status: i32,
    },
    /// This device is not enrolled yet.
    #[error("this device is not enrolled")]
    NotEnrolled,
    /// This device is enrolled already.
    #[error("this device is already enrolled")]
    AlreadyEnrolled,
    /// This device was enrolled, but the app's local data was lost (its database was
    /// damaged or replaced). The device key is kept: enroll again, and the backend
    /// receives the same key.
    #[error("the local store lost this device's enrollment")]
    EnrollmentLost,
    /// The backend no longer accepts this device: enroll again.
    #[error("the backend refused this device's credentials")]
    Unauthorized,
    /// This phone was revoked (from another phone of the account, or by the backend).
    /// Its local data were wiped: show that it was disconnected, then offer to enroll.
    #[error("this device was revoked")]
    DeviceRevoked,
    /// No payment with this id for this account.
    #[error("payment {payment_id} not found")]
    PaymentNotFound {
        /// The id asked for.
        payment_id: String,
    },
    /// The payment is final already.
    #[error("payment already handled ({status:?})")]
    AlreadyHandled {
        /// How it finished.
        status: PaymentStatus,
    },
    /// A confirmation of this payment is on its way already.
    #[error("a confirmation for this payment is already in progress")]
    ConfirmationInProgress,
    /// The amount was refused.
    #[error("invalid amount: {detail}")]
    InvalidAmount {
        /// A French sentence to show under the amount field.
        detail: String,
    },
    /// The personal code entry lapsed after a pause: start a new one.
    #[error("PIN entry expired")]
    PinEntryExpired,
    /// The keypad was used out of order: a key that does not exist, a digit after the
    /// code was complete, a confirmation before it was.
    #[error("PIN entry: {detail}")]
    PinEntry {
        /// A French sentence.
        detail: String,
    },
    /// The device key could not sign (unavailable, failed).
    #[error("signer: {detail}")]
    Signer {
        /// Why, in English, for logs.
        detail: String,
    },
    /// The user dismissed the prompt guarding the device key.
    #[error("signature cancelled by the user")]
    SignerCancelled,
    /// The device key is permanently unusable: enroll again.
    #[error("signing key invalidated")]
    KeyInvalidated,
    /// The local database failed.
    #[error("local storage: {detail}")]
    Storage {
        /// Why, in English, for logs.
        detail: String,
    },
    /// A push payload was refused.
    #[error("push payload refused: {detail}")]
    Push {
        /// Why, in English, for logs.
        detail: String,
    },
    /// The client configuration was refused.
    #[error("invalid configuration: {reason}")]
    InvalidConfig {
        /// Which setting, and why.
        reason: String,
    },
    /// A bug in the library, a panic included. The operation did not complete.
    #[error("internal error: {detail}")]
    Unexpected {
        /// What failed, in English, for a bug report.
        detail: String,
    },
}

#[uniffi::export]
impl CvError {
    /// The French sentence to show the beneficiary.
    pub fn user_message(&self) -> String {
        self.notice().message_fr()
    }

    /// Whether the same call may succeed if tried again later (network, server, too
    /// many requests for now).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            CvError::Offline
                | CvError::Timeout
                | CvError::Server { .. }
                | CvError::Api {
                    http_status: 429,
                    ..
                }
        )
    }
}

impl CvError {
    /// The situation the beneficiary is told about; the core holds the sentences.
    fn notice(&self) -> Notice {
        match self {
            CvError::Offline => Notice::Offline,
            CvError::Timeout => Notice::Timeout,
            CvError::CertificateRejected => Notice::InsecureConnection,
            CvError::Server { .. }
            | CvError::ProtocolViolation { .. }
            | CvError::Storage { .. } => Notice::Unavailable,
            CvError::Api {
                code,
                server_message,
                ..
            } => Notice::Refused {
                code: ErrorCode::parse(code),
                server_message: server_message.clone(),
            },
            CvError::NotEnrolled => Notice::NotEnrolled,
            CvError::AlreadyEnrolled => Notice::AlreadyEnrolled,
            CvError::EnrollmentLost => Notice::EnrollmentLost,
            CvError::Unauthorized => Notice::Unauthorized,
            CvError::DeviceRevoked => Notice::DeviceRevoked,
            CvError::PaymentNotFound { .. } => Notice::PaymentNotFound,
            CvError::AlreadyHandled { .. } => Notice::AlreadyHandled,
            CvError::ConfirmationInProgress => Notice::ConfirmationInProgress,
            CvError::PinEntryExpired => Notice::Sentence(KeypadError::Expired.to_string()),
            // Already the core's French sentence.
            CvError::InvalidAmount { detail } | CvError::PinEntry { detail } => {
                Notice::Sentence(detail.clone())
            }
            CvError::Signer { .. } | CvError::KeyInvalidated => Notice::DeviceSecurity,
            CvError::SignerCancelled => Notice::SignatureCancelled,
            CvError::Push { .. } => Notice::UnreadableNotification,
            CvError::InvalidConfig { .. } => Notice::InvalidConfiguration,
            CvError::Unexpected { .. } => Notice::Unexpected,
        }
    }
}

/// Runs `call`, turning a panic inside it into [`CvError::Unexpected`].
pub(crate) fn guard<T>(call: impl FnOnce() -> Result<T, CvError>) -> Result<T, CvError> {
    catch_unwind(AssertUnwindSafe(call)).unwrap_or_else(|payload| Err(panic_error(payload)))
}

/// The [`CvError::Unexpected`] for a caught panic, with its message when it has one.
pub(crate) fn panic_error(payload: Box<dyn Any + Send>) -> CvError {
    let reason = payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into());
    CvError::Unexpected {
        detail: format!("panic: {reason}"),
    }
}

impl From<ClientError> for CvError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Http(error) => error.into(),
            ClientError::Store(error) => CvError::Storage {
                detail: error.detail,
            },
            ClientError::Signer(error) => error.into(),
            ClientError::Seal(error) => CvError::Unexpected {
                detail: error.to_string(),
            },
            ClientError::Keypad(error) => error.into(),
            ClientError::Push(error) => CvError::Push {
                detail: error.to_string(),
            },
            ClientError::Amount(error) => error.into(),
            ClientError::InvalidConfig { reason } => CvError::InvalidConfig { reason },
            ClientError::NotEnrolled => CvError::NotEnrolled,
            ClientError::AlreadyEnrolled => CvError::AlreadyEnrolled,
            ClientError::EnrollmentLost { .. } => CvError::EnrollmentLost,
            ClientError::Unauthorized => CvError::Unauthorized,
            ClientError::DeviceRevoked => CvError::DeviceRevoked,
            ClientError::PaymentNotFound { payment_id } => CvError::PaymentNotFound { payment_id },
            ClientError::AlreadyHandled { status } => CvError::AlreadyHandled { status },
            ClientError::ConfirmationInProgress => CvError::ConfirmationInProgress,
            error @ ClientError::InsufficientBalance { .. } => CvError::InvalidAmount {
                detail: error.user_message(),
            },
        }
    }
}

impl From<HttpError> for CvError {
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::Offline => CvError::Offline,
            HttpError::Timeout => CvError::Timeout,
            HttpError::CertificateRejected => CvError::CertificateRejected,
            HttpError::Server { status } => CvError::Server {
                status: status.into(),
            },
            HttpError::Protocol { detail } => CvError::ProtocolViolation { detail },
            HttpError::Api {
                code,
                status,
                message,
                ..
            } => CvError::Api {
                code: code.as_str().to_owned(),
                server_message: message,
                http_status: status.into(),
            },
        }
    }
}

impl From<SignerError> for CvError {
    fn from(error: SignerError) -> Self {
        match error {
            SignerError::UserCancelled => CvError::SignerCancelled,
            SignerError::KeyInvalidated => CvError::KeyInvalidated,
            other => CvError::Signer {
                detail: other.to_string(),
            },
        }
    }
}

impl From<KeypadError> for CvError {
    fn from(error: KeypadError) -> Self {
        match error {
            KeypadError::Expired => CvError::PinEntryExpired,
            other => CvError::PinEntry {
                detail: other.to_string(),
            },
        }
    }
}

impl From<AmountInputError> for CvError {
    fn from(error: AmountInputError) -> Self {
        CvError::InvalidAmount {
            detail: error.to_string(),
        }
    }
}

impl From<AmountError> for CvError {
    fn from(error: AmountError) -> Self {
        CvError::InvalidAmount {
            detail: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
