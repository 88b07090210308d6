//! The mapping of core errors to `CvError`, its French sentences, and the panic guard.

use cvconnect_core::amount::Amount;
use cvconnect_core::client::StoreError;
use cvconnect_core::crypto::seal::SealError;
use cvconnect_core::protocol::push::PushError;

use super::*;

fn api_error(code: ErrorCode, status: u16, message: &str) -> ClientError {
    ClientError::Http(HttpError::Api {
        code,
        status,
        message: message.into(),
        attempts_left: Some(2),
        payment_status: Some(PaymentStatus::Pending),
    })
}

/// One core error of every kind the apps can meet.
fn every_core_error() -> Vec<ClientError> {
    vec![
        ClientError::Http(HttpError::Offline),
        ClientError::Http(HttpError::Timeout),
        ClientError::Http(HttpError::CertificateRejected),
        ClientError::Http(HttpError::Server { status: 503 }),
        ClientError::Http(HttpError::Protocol {
            detail: "no body".into(),
        }),
        api_error(ErrorCode::InvalidActivationCode, 403, ""),
        api_error(ErrorCode::AmountOutOfBounds, 422, "Montant refusé."),
        api_error(ErrorCode::PinLocked, 403, ""),
        api_error(ErrorCode::Unknown, 400, ""),
        ClientError::Store(StoreError {
            detail: "disk full".into(),
        }),
        ClientError::Signer(SignerError::UserCancelled),
        ClientError::Signer(SignerError::KeyInvalidated),
        ClientError::Signer(SignerError::Unavailable {
            reason: "locked".into(),
        }),
        ClientError::Seal(SealError::InvalidServerKey),
        ClientError::Keypad(KeypadError::Expired),
        ClientError::Keypad(KeypadError::AlreadyComplete),
        ClientError::Push(PushError::TooLarge { size: 9000 }),
        ClientError::Amount(AmountInputError::Parse(AmountError::Empty)),
        ClientError::InvalidConfig {
            reason: "timeout".into(),
        },
        ClientError::NotEnrolled,
        ClientError::EnrollmentLost {
            device_id: "dev_x".into(),
        },
        ClientError::AlreadyEnrolled,
        ClientError::Unauthorized,
        ClientError::DeviceRevoked,
        ClientError::PaymentNotFound {
            payment_id: "pay_x".into(),
        },
        ClientError::AlreadyHandled {
            status: PaymentStatus::Expired,
        },
        ClientError::ConfirmationInProgress,
        ClientError::InsufficientBalance {
            balance: Amount::from_plain("12.00").unwrap(),
        },
    ]
}

#[test]
fn every_error_tells_the_same_sentence_on_both_sides() {
    for core in every_core_error() {
        let sentence = core.user_message();
        let ffi = CvError::from(core);
        assert_eq!(ffi.user_message(), sentence, "{ffi:?}");
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
    assert!(!error.is_retryable());
    assert_eq!(error.user_message(), "Montant refusé.");
}

#[test]
fn too_many_requests_keep_their_code_and_may_be_retried() {
    let error = CvError::from(ClientError::Http(HttpError::Api {
        code: ErrorCode::RateLimited,
        status: 429,
        message: String::new(),
        attempts_left: None,
        payment_status: None,
    }));
    assert!(
        matches!(&error, CvError::Api { code, http_status: 429, .. } if code == "rate_limited")
    );
    assert!(error.is_retryable());
    assert!(error.user_message().starts_with("Trop de demandes"));
}

#[test]
fn a_panic_becomes_an_internal_error() {
    let error = guard::<()>(|| panic!("boom")).unwrap_err();
    assert_eq!(
        error,
        CvError::Unexpected {
            detail: "panic: boom".into()
        }
    );
}

#[test]
fn an_expired_entry_has_its_own_variant() {
    let error = CvError::from(KeypadError::Expired);
    assert_eq!(error, CvError::PinEntryExpired);
    assert_eq!(error.user_message(), KeypadError::Expired.to_string());
}

#[test]
fn internal_errors_have_a_french_sentence() {
    let error = CvError::Unexpected {
        detail: "boom".into(),
    };
    assert_eq!(
        error.user_message(),
        "Une erreur inattendue est survenue. Veuillez réessayer."
    );
}
