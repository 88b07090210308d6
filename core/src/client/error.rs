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
    #[error("no connection to the backend")]
    Offline,
    #[error("the backend did not answer in time")]
    Timeout,
    #[error("the backend's certificate does not match the pinned keys")]
    CertificateRejected,
    #[error("server error (HTTP {status})")]
    Server { status: u16 },
    #[error("the backend answered something protocol v1 does not allow: {detail}")]
    Protocol { detail: String },
    /// A refusal with a protocol error code (4xx).
    #[error("refused by the backend: {code:?} (HTTP {status})")]
    Api {
        code: ErrorCode,
        status: u16,
        message: String,
        attempts_left: Option<u8>,
        payment_status: Option<PaymentStatus>,
    },
}

/// Local database failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("local storage error: {detail}")]
pub struct StoreError {
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
    #[error(transparent)]
    Parse(#[from] AmountError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Signer(#[from] SignerError),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Keypad(#[from] KeypadError),
    #[error(transparent)]
    Push(#[from] PushError),
    #[error(transparent)]
    Amount(#[from] AmountInputError),
    #[error("invalid configuration: {reason}")]
    InvalidConfig { reason: String },
    #[error("this device is not enrolled")]
    NotEnrolled,
    /// The local database lost the enrollment of `device_id` (the device key is kept):
    /// enroll again.
    #[error("the local store lost the enrollment of device {device_id}")]
    EnrollmentLost { device_id: String },
    #[error("this device is already enrolled")]
    AlreadyEnrolled,
    #[error("the backend refused this device's credentials")]
    Unauthorized,
    #[error("payment {payment_id} not found")]
    PaymentNotFound { payment_id: String },
    #[error("payment already handled ({status:?})")]
    AlreadyHandled { status: PaymentStatus },
    #[error("a confirmation for this payment is already in progress")]
    ConfirmationInProgress,
    #[error("the balance {balance} is not enough")]
    InsufficientBalance { balance: Amount },
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
