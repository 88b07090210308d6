//! Target `responses`: every server response body the core decodes, as the wire types
//! and through the core's own status and body decoding.

use cvconnect_core::client::{decode_response, HttpError};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::{
    BalanceResponse, ChallengeResponse, ConfirmResponse, DeclineResponse, EnrollResponse,
    ErrorBody, MerchantPayment, PaymentDetail, PaymentList, TokenResponse,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Every server response body the core reads.
///
/// The input is decoded as each wire response type; what decodes re-encodes to JSON
/// that decodes again to the same encoding. Then it goes through
/// the core's [`decode_response`] under a success, a client-error and a server-error status.
pub fn responses(data: &[u8]) {
    round_trip::<ChallengeResponse>(data);
    round_trip::<TokenResponse>(data);
    round_trip::<EnrollResponse>(data);
    round_trip::<BalanceResponse>(data);
    round_trip::<PaymentList>(data);
    round_trip::<PaymentDetail>(data);
    round_trip::<ConfirmResponse>(data);
    round_trip::<DeclineResponse>(data);
    round_trip::<MerchantPayment>(data);
    round_trip::<ErrorBody>(data);

    for status in [200, 201, 204] {
        check_success::<PaymentDetail>(status, data);
        check_success::<ConfirmResponse>(status, data);
        check_success::<()>(status, data);
    }
    for status in [400, 401, 403, 404, 409, 410, 413, 422] {
        check_client_error(status, data);
    }
    for status in [500, 502, 503] {
        assert_eq!(
            decode_response::<PaymentDetail>(status, data).unwrap_err(),
            HttpError::Server { status }
        );
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let json = serde_json::to_vec(&value).expect("a decoded response re-encodes");
    let again: T = serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!(
            "{} does not decode its own encoding {}: {e}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&json)
        )
    });
    let json_again = serde_json::to_vec(&again).expect("re-encodes");
    assert_eq!(json, json_again, "{}", std::any::type_name::<T>());
}

fn check_success<T: DeserializeOwned + Serialize>(status: u16, data: &[u8]) {
    let direct = serde_json::from_slice::<T>(if data.is_empty() { b"null" } else { data });
    match decode_response::<T>(status, data) {
        Ok(value) => {
            let direct = direct.expect("decode accepted what serde_json refuses");
            assert_eq!(
                serde_json::to_vec(&value).unwrap(),
                serde_json::to_vec(&direct).unwrap()
            );
        }
        Err(error) => {
            assert!(direct.is_err());
            assert!(matches!(error, HttpError::Protocol { .. }), "{error:?}");
        }
    }
}

/// Every code of protocol.md §4.
const KNOWN_CODES: [ErrorCode; 17] = [
    ErrorCode::BadRequest,
    ErrorCode::ValidationFailed,
    ErrorCode::PayloadTooLarge,
    ErrorCode::Unauthorized,
    ErrorCode::NotFound,
    ErrorCode::InvalidActivationCode,
    ErrorCode::InvalidChallenge,
    ErrorCode::AmountBelowMinimum,
    ErrorCode::AmountOutOfBounds,
    ErrorCode::NonceUsed,
    ErrorCode::AuthenticationFailed,
    ErrorCode::PinLocked,
    ErrorCode::PaymentExpired,
    ErrorCode::PaymentNotPending,
    ErrorCode::IdempotencyConflict,
    ErrorCode::RateLimited,
    ErrorCode::InternalError,
];

fn check_client_error(status: u16, data: &[u8]) {
    match decode_response::<PaymentDetail>(status, data) {
        Ok(_) => panic!("HTTP {status} decoded as a success"),
        Err(HttpError::Api {
            code,
            status: got,
            message,
            ..
        }) => {
            assert_eq!(got, status);
            let body: ErrorBody = serde_json::from_slice(data).expect("Api from an error body");
            assert_eq!(message, body.error.message);
            // Known codes map to themselves; anything else is `Unknown`, never an error.
            if code == ErrorCode::Unknown {
                assert!(
                    KNOWN_CODES.iter().all(|c| c.as_str() != body.error.code),
                    "{:?} read as unknown",
                    body.error.code
                );
            } else {
                assert_eq!(code.as_str(), body.error.code);
            }
        }
        Err(HttpError::Protocol { .. }) => {
            assert!(serde_json::from_slice::<ErrorBody>(data).is_err());
        }
        Err(other) => panic!("HTTP {status} gave {other:?}"),
    }
}
