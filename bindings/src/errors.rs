//! [`CvError`]: what a failed call throws in Kotlin (`CvException.*`), Swift (`CvError`)
//! and Python (`CvError.*`). One variant per situation an app handles differently,
//! each with the fields it needs; [`CvError::user_message`] gives the core's French text.

use cvconnect_core::amount::AmountError;
use cvconnect_core::client::{AmountInputError, ClientError, HttpError, StoreError};
use cvconnect_core::crypto::signer::SignerError;
use cvconnect_core::keypad::KeypadError;
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::push::PushError;
use cvconnect_core::protocol::wire::PaymentStatus;

/// Shown for a failure the core has no sentence for (a bug, a panic).
const INTERNAL_MESSAGE_FR: &str = "Une erreur inattendue est survenue. Veuillez réessayer.";

/// Why a call failed. Fields never hold a PIN, a key or a token. No field is named
/// `message`: it would clash with `Throwable.message` in Kotlin.
///
/// The English `Display` (for logs) is also `toString()` in Kotlin and `description` in
/// Swift; the screen uses `user_message()`.
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
    /// A 5xx answer.
    #[error("server error (HTTP {status})")]
    Server { status: u16 },
    /// The backend answered something protocol v1 does not allow.
    #[error("protocol violation: {detail}")]
    Protocol { detail: String },
    /// A refusal with a protocol error code (`code` as in protocol.md §4, e.g.
    /// `invalid_activation_code`); `server_message` is the backend's French text.
    #[error("refused by the backend: {code} (HTTP {http_status})")]
    Api {
        code: String,
        server_message: String,
        http_status: u16,
    },
    #[error("this device is not enrolled")]
    NotEnrolled,
    #[error("this device is already enrolled")]
    AlreadyEnrolled,
    /// The backend no longer accepts this device: enroll again.
    #[error("the backend refused this device's credentials")]
    Unauthorized,
    #[error("payment {payment_id} not found")]
    PaymentNotFound { payment_id: String },
    /// The payment is final already (`status` says how).
    #[error("payment already handled ({status:?})")]
    AlreadyHandled { status: PaymentStatus },
    #[error("a confirmation for this payment is already in progress")]
    ConfirmationInProgress,
    /// The amount was refused; `detail` is a French sentence for under the field.
    #[error("invalid amount: {detail}")]
    InvalidAmount { detail: String },
    /// Keypad misuse or expiry; `detail` is a French sentence.
    #[error("keypad: {detail}")]
    Keypad { detail: String },
    /// The device key could not sign (unavailable, failed).
    #[error("signer: {detail}")]
    Signer { detail: String },
    /// The user dismissed the prompt guarding the device key.
    #[error("signature cancelled by the user")]
    SignerCancelled,
    /// The device key is permanently unusable: enroll again.
    #[error("signing key invalidated")]
    KeyInvalidated,
    #[error("local storage: {detail}")]
    Storage { detail: String },
    /// A push payload was refused.
    #[error("push payload refused: {detail}")]
    Push { detail: String },
    #[error("invalid configuration: {reason}")]
    InvalidConfig { reason: String },
    /// A bug: should not happen.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

#[uniffi::export]
impl CvError {
    /// The French sentence to show the beneficiary (the core's wording).
    pub fn user_message(&self) -> String {
        let core = match self.clone() {
            CvError::Offline => ClientError::Http(HttpError::Offline),
            CvError::Timeout => ClientError::Http(HttpError::Timeout),
            CvError::CertificateRejected => ClientError::Http(HttpError::CertificateRejected),
            CvError::Server { status } => ClientError::Http(HttpError::Server { status }),
            CvError::Protocol { detail } => ClientError::Http(HttpError::Protocol { detail }),
            CvError::Api {
                code,
                server_message,
                http_status,
            } => ClientError::Http(HttpError::Api {
                code: ErrorCode::parse(&code),
                status: http_status,
                message: server_message,
                attempts_left: None,
                payment_status: None,
            }),
            CvError::NotEnrolled => ClientError::NotEnrolled,
            CvError::AlreadyEnrolled => ClientError::AlreadyEnrolled,
            CvError::Unauthorized => ClientError::Unauthorized,
            CvError::PaymentNotFound { payment_id } => ClientError::PaymentNotFound { payment_id },
            CvError::AlreadyHandled { status } => ClientError::AlreadyHandled { status },
            CvError::ConfirmationInProgress => ClientError::ConfirmationInProgress,
            // Already the core's French sentence.
            CvError::InvalidAmount { detail } | CvError::Keypad { detail } => return detail,
            CvError::Signer { detail } => {
                ClientError::Signer(SignerError::Failed { reason: detail })
            }
            CvError::SignerCancelled => ClientError::Signer(SignerError::UserCancelled),
            CvError::KeyInvalidated => ClientError::Signer(SignerError::KeyInvalidated),
            CvError::Storage { detail } => ClientError::Store(StoreError { detail }),
            CvError::Push { .. } => ClientError::Push(PushError::Malformed),
            CvError::InvalidConfig { reason } => ClientError::InvalidConfig { reason },
            CvError::Internal { .. } => return INTERNAL_MESSAGE_FR.into(),
        };
        core.user_message()
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
            ClientError::Seal(error) => CvError::Internal {
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
            ClientError::Unauthorized => CvError::Unauthorized,
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
            HttpError::Server { status } => CvError::Server { status },
            HttpError::Protocol { detail } => CvError::Protocol { detail },
            HttpError::Api {
                code,
                status,
                message,
                ..
            } => CvError::Api {
                code: code.as_str().to_owned(),
                server_message: message,
                http_status: status,
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
        CvError::Keypad {
            detail: error.to_string(),
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
mod tests {
    use super::*;

    #[test]
    fn user_messages_are_the_cores() {
        let cases = [
            ClientError::Http(HttpError::Offline),
            ClientError::Http(HttpError::Timeout),
            ClientError::Http(HttpError::Server { status: 503 }),
            ClientError::Http(HttpError::Api {
                code: ErrorCode::InvalidActivationCode,
                status: 403,
                message: String::new(),
                attempts_left: None,
                payment_status: None,
            }),
            ClientError::NotEnrolled,
            ClientError::PaymentNotFound {
                payment_id: "pay_x".into(),
            },
            ClientError::AlreadyHandled {
                status: PaymentStatus::Expired,
            },
            ClientError::Signer(SignerError::UserCancelled),
            ClientError::Keypad(KeypadError::Expired),
            ClientError::Amount(AmountInputError::Parse(AmountError::Empty)),
        ];
        for core in cases {
            let expected = core.user_message();
            let ffi = CvError::from(core);
            assert_eq!(ffi.user_message(), expected, "{ffi:?}");
        }
    }

    #[test]
    fn api_errors_keep_their_protocol_code() {
        let error = CvError::from(ClientError::Http(HttpError::Api {
            code: ErrorCode::AmountOutOfBounds,
            status: 422,
            message: "Montant refusé.".into(),
            attempts_left: None,
            payment_status: None,
        }));
        assert_eq!(
            error,
            CvError::Api {
                code: "amount_out_of_bounds".into(),
                server_message: "Montant refusé.".into(),
                http_status: 422,
            }
        );
        assert_eq!(error.user_message(), "Montant refusé.");
    }

    #[test]
    fn internal_errors_have_a_french_sentence() {
        let error = CvError::Internal {
            detail: "boom".into(),
        };
        assert_eq!(error.user_message(), INTERNAL_MESSAGE_FR);
    }
}
