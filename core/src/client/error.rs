//! Errors of the client, one enum per area joined by `#[from]` into [`ClientError`].
//!
//! Every variant carries what a caller needs to decide (retry? re-enroll? show what?)
//! and [`ClientError::user_message`] gives the French text for the screen.

use crate::amount::{Amount, AmountError};
use crate::crypto::seal::SealError;
use crate::crypto::signer::SignerError;
use crate::keypad::KeypadError;
use crate::policy::PolicyError;
use crate::protocol::errors::ErrorCode;
use crate::protocol::push::PushError;
use crate::protocol::wire::PaymentStatus;

use super::notice::Notice;

/// Transport-level failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// No connection could be made (no network, DNS, refused). Retryable.
    #[error("no connection to the backend")]
    Offline,
    /// Connecting or the whole request took longer than the configured timeouts.
    /// Retryable; a confirmation may still have taken effect (see the journal).
    #[error("the backend did not answer in time")]
    Timeout,
    /// TLS refused the server: a certificate outside the pins or the public roots.
    #[error("the backend's certificate does not match the pinned keys")]
    CertificateRejected,
    /// A 5xx answer. Retryable.
    #[error("server error (HTTP {status})")]
    Server {
        /// The HTTP status, 500 to 599.
        status: u16,
    },
    /// An answer protocol v1 does not allow: undecodable body, too large, a 4xx
    /// without an error body. A backend bug, not worth retrying.
    #[error("the backend answered something protocol v1 does not allow: {detail}")]
    Protocol {
        /// What was wrong, for logs.
        detail: String,
    },
    /// A refusal with a protocol error code (4xx).
    #[error("refused by the backend: {code:?} (HTTP {status})")]
    Api {
        /// The protocol's code; [`ErrorCode::Unknown`] for a code this client does not know.
        code: ErrorCode,
        /// The HTTP status, 400 to 499.
        status: u16,
        /// The backend's French sentence, fit for display.
        message: String,
        /// With `authentication_failed`: wrong PINs still allowed.
        attempts_left: Option<u8>,
        /// With `payment_not_pending`: the final status the payment has.
        payment_status: Option<PaymentStatus>,
    },
}

/// Local database failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("local storage error: {detail}")]
pub struct StoreError {
    /// SQLite's or the file system's message, for logs.
    pub detail: String,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError {
            detail: error.to_string(),
        }
    }
}

/// Why an amount typed by the beneficiary was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AmountInputError {
    /// The text is not an amount (its message says why, in French).
    #[error(transparent)]
    Parse(#[from] AmountError),
    /// An amount, but not one this payment allows (above the balance, the total…).
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// Every failure of the client, by area; [`ClientError::user_message`] gives the French
/// sentence and [`ClientError::is_retryable`] says whether trying again may help.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Reaching the backend failed, or it refused.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The local database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The device key failed or the user cancelled its prompt.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The PIN could not be sealed to the backend's key.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// A keypad operation failed (expired, incomplete PIN…).
    #[error(transparent)]
    Keypad(#[from] KeypadError),
    /// A push payload was refused.
    #[error(transparent)]
    Push(#[from] PushError),
    /// The amount typed was refused.
    #[error(transparent)]
    Amount(#[from] AmountInputError),
    /// The [`ClientConfig`](super::ClientConfig) cannot be used: a bad URL or pin, or
    /// an HTTP stack that could not be built.
    #[error("invalid configuration: {reason}")]
    InvalidConfig {
        /// What is wrong, for the app's developer.
        reason: String,
    },
    /// The call needs an enrolled device and there is none yet.
    #[error("this device is not enrolled")]
    NotEnrolled,
    /// The local database lost the enrollment of `device_id` (the device key is kept):
    /// enroll again.
    #[error("the local store lost the enrollment of device {device_id}")]
    EnrollmentLost {
        /// The id of the lost enrollment, from the marker beside the database.
        device_id: String,
    },
    /// Enrollment was asked of a device that is enrolled already.
    #[error("this device is already enrolled")]
    AlreadyEnrolled,
    /// The backend refused the device's signature or token even after a renewal: the
    /// device was revoked or its key changed. Enroll again.
    #[error("the backend refused this device's credentials")]
    Unauthorized,
    /// This phone was revoked (from another phone of the account, or by the backend's
    /// administrators). Its local data were wiped; it can be enrolled again.
    #[error("this device was revoked")]
    DeviceRevoked,
    /// No such payment for this account (or an id outside the id charset).
    #[error("payment {payment_id} not found")]
    PaymentNotFound {
        /// The id asked for, cut to 64 characters.
        payment_id: String,
    },
    /// The payment is final already; nothing more can be done with it.
    #[error("payment already handled ({status:?})")]
    AlreadyHandled {
        /// Its final status.
        status: PaymentStatus,
    },
    /// Another confirmation of this payment is on its way; wait for its outcome.
    #[error("a confirmation for this payment is already in progress")]
    ConfirmationInProgress,
    /// The balance does not cover the amount asked.
    #[error("the balance {balance} is not enough")]
    InsufficientBalance {
        /// The balance, for the message.
        balance: Amount,
    },
}

impl From<crate::crypto::confirmation::ConfirmationError> for ClientError {
    fn from(error: crate::crypto::confirmation::ConfirmationError) -> Self {
        use crate::crypto::confirmation::ConfirmationError;
        match error {
            ConfirmationError::Seal(error) => ClientError::Seal(error),
            ConfirmationError::Signer(error) => ClientError::Signer(error),
        }
    }
}

impl ClientError {
    /// French message to show the beneficiary.
    pub fn user_message(&self) -> String {
        self.notice().message_fr()
    }

    /// The situation the beneficiary is told about.
    pub fn notice(&self) -> Notice {
        match self {
            ClientError::Http(HttpError::Offline) => Notice::Offline,
            ClientError::Http(HttpError::Timeout) => Notice::Timeout,
            ClientError::Http(HttpError::CertificateRejected) => Notice::InsecureConnection,
            ClientError::Http(HttpError::Api { code, message, .. }) => Notice::Refused {
                code: *code,
                server_message: message.clone(),
            },
            ClientError::Http(_) | ClientError::Store(_) => Notice::Unavailable,
            ClientError::Signer(SignerError::UserCancelled) => Notice::SignatureCancelled,
            ClientError::Signer(_) => Notice::DeviceSecurity,
            // A PIN that cannot be sealed to the backend's key is a bug or bad key
            // material, not something the beneficiary can act on.
            ClientError::Seal(_) => Notice::Unexpected,
            ClientError::Push(_) => Notice::UnreadableNotification,
            ClientError::InvalidConfig { .. } => Notice::InvalidConfiguration,
            ClientError::NotEnrolled => Notice::NotEnrolled,
            ClientError::EnrollmentLost { .. } => Notice::EnrollmentLost,
            ClientError::AlreadyEnrolled => Notice::AlreadyEnrolled,
            ClientError::Unauthorized => Notice::Unauthorized,
            ClientError::DeviceRevoked => Notice::DeviceRevoked,
            ClientError::PaymentNotFound { .. } => Notice::PaymentNotFound,
            ClientError::AlreadyHandled { .. } => Notice::AlreadyHandled,
            ClientError::ConfirmationInProgress => Notice::ConfirmationInProgress,
            ClientError::InsufficientBalance { balance } => {
                Notice::InsufficientBalance { balance: *balance }
            }
            // Their own text is French already.
            ClientError::Keypad(error) => Notice::Sentence(error.to_string()),
            ClientError::Amount(error) => Notice::Sentence(error.to_string()),
        }
    }

    /// Whether the same call may succeed if tried again later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ClientError::Http(HttpError::Offline | HttpError::Timeout | HttpError::Server { .. })
        )
    }
}
