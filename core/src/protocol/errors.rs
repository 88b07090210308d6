//! Stable error codes of protocol v1 and their HTTP statuses and French messages.

use serde::{Deserialize, Serialize};

/// Every error code a v1 server may return. Clients must treat an unknown code as
/// [`ErrorCode::Unknown`] rather than fail to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Body is not valid JSON or does not match the schema.
    BadRequest,
    /// A field is well-formed JSON but has an invalid value (`field` says which).
    ValidationFailed,
    /// Body larger than 16 KiB.
    PayloadTooLarge,
    /// Missing, invalid or expired bearer token (device or merchant).
    Unauthorized,
    /// Unknown route or object.
    NotFound,
    /// Activation code unknown, used, expired, or not for this e-mail.
    InvalidActivationCode,
    /// Challenge unknown, used, expired, or bad signature over it.
    InvalidChallenge,
    /// Merchant total below the minimum for CV Connect (20.00 by default).
    AmountBelowMinimum,
    /// Confirm amount outside [min_amount, max_amount].
    AmountOutOfBounds,
    /// The nonce in the request is not the payment's current unused nonce.
    NonceUsed,
    /// Wrong PIN or bad device signature (never says which); `attempts_left` is set.
    AuthenticationFailed,
    /// The account's PIN is locked after too many failures.
    PinLocked,
    /// The payment request expired.
    PaymentExpired,
    /// The payment is already handled (`status` says how).
    PaymentNotPending,
    /// Same idempotency key with a different body.
    IdempotencyConflict,
    /// Too many requests (new payment requests, pending ones, challenges): try again
    /// after the `Retry-After` header's seconds.
    RateLimited,
    /// The device was revoked (from another device of the account or by an
    /// administrator); told only to a request signed by that device's key.
    DeviceRevoked,
    /// (v1.2) The backend requires a key attestation at enrollment and none was sent.
    AttestationRequired,
    /// (v1.2) The enrollment's attestation did not verify (which check failed is told
    /// to the backend's logs only).
    AttestationRefused,
    /// Server fault (also what fault injection returns).
    InternalError,
    /// Any code this client does not know.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The `error.code` value on the wire (snake_case).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidActivationCode => "invalid_activation_code",
            ErrorCode::InvalidChallenge => "invalid_challenge",
            ErrorCode::AmountBelowMinimum => "amount_below_minimum",
            ErrorCode::AmountOutOfBounds => "amount_out_of_bounds",
            ErrorCode::NonceUsed => "nonce_used",
            ErrorCode::AuthenticationFailed => "authentication_failed",
            ErrorCode::PinLocked => "pin_locked",
            ErrorCode::PaymentExpired => "payment_expired",
            ErrorCode::PaymentNotPending => "payment_not_pending",
            ErrorCode::IdempotencyConflict => "idempotency_conflict",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::DeviceRevoked => "device_revoked",
            ErrorCode::AttestationRequired => "attestation_required",
            ErrorCode::AttestationRefused => "attestation_refused",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::Unknown => "unknown",
        }
    }

    /// Inverse of [`as_str`](Self::as_str); a code this client does not know is
    /// [`ErrorCode::Unknown`], never an error.
    pub fn parse(code: &str) -> ErrorCode {
        serde_json::from_value(serde_json::Value::String(code.to_owned()))
            .unwrap_or(ErrorCode::Unknown)
    }

    /// HTTP status a server answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::ValidationFailed
            | ErrorCode::AmountBelowMinimum
            | ErrorCode::AmountOutOfBounds => 422,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::Unauthorized | ErrorCode::InvalidChallenge | ErrorCode::DeviceRevoked => 401,
            ErrorCode::NotFound => 404,
            ErrorCode::InvalidActivationCode
            | ErrorCode::AuthenticationFailed
            | ErrorCode::PinLocked
            | ErrorCode::AttestationRequired
            | ErrorCode::AttestationRefused => 403,
            ErrorCode::NonceUsed
            | ErrorCode::PaymentNotPending
            | ErrorCode::IdempotencyConflict => 409,
            ErrorCode::PaymentExpired => 410,
            ErrorCode::RateLimited => 429,
            ErrorCode::InternalError | ErrorCode::Unknown => 500,
        }
    }

    /// Default French message.
    pub fn message_fr(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "Requête invalide.",
            ErrorCode::ValidationFailed => "Une valeur saisie est invalide.",
            ErrorCode::PayloadTooLarge => "Requête trop volumineuse.",
            ErrorCode::Unauthorized => "Authentification requise.",
            ErrorCode::NotFound => "Élément introuvable.",
            ErrorCode::InvalidActivationCode => "Code d'activation invalide ou expiré.",
            ErrorCode::InvalidChallenge => "Authentification de l'appareil refusée.",
            ErrorCode::AmountBelowMinimum => {
                "Le paiement en Chèque-Vacances Connect est proposé à partir de 20,00 € d'achat."
            }
            ErrorCode::AmountOutOfBounds => "Le montant saisi n'est pas autorisé pour ce paiement.",
            ErrorCode::NonceUsed => "Cette demande a déjà été utilisée. Veuillez réessayer.",
            ErrorCode::AuthenticationFailed => "Code personnel incorrect.",
            ErrorCode::PinLocked => {
                "Votre code personnel est bloqué après trop d'essais. Contactez l'ANCV."
            }
            ErrorCode::PaymentExpired => "La demande de paiement a expiré.",
            ErrorCode::PaymentNotPending => "Ce paiement a déjà été traité.",
            ErrorCode::IdempotencyConflict => "Requête en conflit avec une précédente.",
            ErrorCode::RateLimited => {
                "Trop de demandes. Veuillez réessayer dans quelques instants."
            }
            ErrorCode::DeviceRevoked => "Ce téléphone a été déconnecté de votre compte.",
            ErrorCode::AttestationRequired => {
                "Cette version de l'application ne peut pas activer ce téléphone. Mettez-la à jour."
            }
            ErrorCode::AttestationRefused => {
                "Ce téléphone ne peut pas être activé : son intégrité n'a pas pu être vérifiée."
            }
            ErrorCode::InternalError | ErrorCode::Unknown => {
                "Le service est momentanément indisponible. Veuillez réessayer."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limited_is_a_known_code_with_its_status_and_sentence() {
        assert_eq!(ErrorCode::parse("rate_limited"), ErrorCode::RateLimited);
        assert_eq!(ErrorCode::RateLimited.as_str(), "rate_limited");
        assert_eq!(ErrorCode::RateLimited.http_status(), 429);
        assert!(ErrorCode::RateLimited
            .message_fr()
            .starts_with("Trop de demandes"));
    }

    #[test]
    fn a_code_newer_than_this_client_is_unknown_not_an_error() {
        assert_eq!(ErrorCode::parse("some_future_code"), ErrorCode::Unknown);
    }
}
