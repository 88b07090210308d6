//! The mapping of core errors to `CvError`, its French sentences, and the panic guard.

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
    assert_eq!(error.user_message(), INTERNAL_MESSAGE_FR);
}
