//! JSON bodies of protocol v1 (see `docs/protocol.md`, "Beneficiary API" and
//! "Merchant API"). Field names are snake_case on the wire; statuses are
//! SCREAMING_SNAKE_CASE; amounts are strings in plain form ("1234.56").
//!
//! Requests reject unknown fields (`deny_unknown_fields`) so that a client that
//! believes it sent something the server ignores finds out at once. Responses
//! accept unknown fields so a server may add some without breaking old apps.

use serde::{Deserialize, Serialize};

use crate::amount::Amount;

crate::shared::shared_type! {
    replay: declare_payment_status;
    /// Where a payment request stands, as the merchant and the beneficiary see it.
    /// Pending until the beneficiary answers, then final.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum PaymentStatus {
        /// Waiting for the beneficiary.
        Pending,
        /// Paid in full with Chèque-Vacances Connect.
        Authorised,
        /// Paid in part; the merchant asks for the remainder by card.
        PartiallyAuthorised,
        /// Refused: wrong PIN too many times, or the account could not pay.
        Refused,
        /// Nobody answered in time.
        Expired,
        /// Declined by the beneficiary or cancelled by the merchant.
        Cancelled,
    }
}

impl PaymentStatus {
    pub fn is_final(self) -> bool {
        !matches!(self, PaymentStatus::Pending)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "PENDING",
            PaymentStatus::Authorised => "AUTHORISED",
            PaymentStatus::PartiallyAuthorised => "PARTIALLY_AUTHORISED",
            PaymentStatus::Refused => "REFUSED",
            PaymentStatus::Expired => "EXPIRED",
            PaymentStatus::Cancelled => "CANCELLED",
        }
    }
}

// ---------------------------------------------------------------- enrollment

crate::shared::shared_type! {
    replay: declare_platform;
    /// The platform a device enrolls from.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Platform {
        /// An Android phone (Firebase Cloud Messaging).
        Android,
        /// An iPhone (Apple Push Notification service).
        Ios,
        /// Anything else: test harnesses, the terminal demo.
        Other,
    }
}

/// `POST /v1/devices`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    pub email: String,
    pub activation_code: String,
    /// base64url (no padding) of the device's P-256 SubjectPublicKeyInfo DER.
    pub public_key: String,
    pub push_token: Option<String>,
    pub platform: Platform,
    /// base64url DER ECDSA signature over `canonical::enrollment_bytes`.
    pub proof: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: String,
    pub pin_length: u8,
}

// ---------------------------------------------------------------- device authentication

/// `POST /v1/auth/challenge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    pub device_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeResponse {
    /// base64url of 32 random bytes, single use, valid 60 s.
    pub challenge: String,
    pub expires_at: i64,
}

/// `POST /v1/auth/token`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub device_id: String,
    pub challenge: String,
    /// base64url DER ECDSA signature over `canonical::auth_bytes`.
    pub signature: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    /// Seconds until the token expires (300 by default).
    pub expires_in: u64,
}

/// `PUT /v1/devices/me/push-token`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushTokenRequest {
    pub push_token: String,
}

// ---------------------------------------------------------------- balance and payments

/// `GET /v1/balance`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BalanceResponse {
    pub balance: Amount,
    pub currency: String,
}

crate::shared::shared_type! {
    replay: declare_payee;
    /// The merchant a payment goes to.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Payee {
        /// The backend's id for the merchant.
        pub id: String,
        /// The shop's name as the beneficiary sees it.
        pub name: String,
    }
}

crate::shared::shared_type! {
    replay: declare_payment_summary;
    /// A payment waiting for this account: one entry of the pending list
    /// (`GET /v1/payments?status=pending`).
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct PaymentSummary {
        /// The payment's id, to open it.
        pub payment_id: String,
        /// Where it stands; always pending in the pending list.
        pub status: PaymentStatus,
        /// Who asks for the payment.
        pub payee: Payee,
        /// The order total in euros.
        pub total: Amount,
        /// Always "EUR".
        pub currency: String,
        /// When the merchant asked, in seconds since 1970 (UTC).
        pub created_at: i64,
        /// When the request lapses, in seconds since 1970 (UTC).
        pub expires_at: i64,
    }
}

/// One page of `GET /v1/payments` (protocol.md §5.5), newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentList {
    pub payments: Vec<PaymentSummary>,
    /// Where the next page starts (`cursor=`); absent or null on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Entries per page the core asks for when it reads the pending list.
pub const PENDING_PAGE_SIZE: u32 = 50;

/// Pages the core reads at most (so at most 1 000 pending payments, newest first).
pub const MAX_PENDING_PAGES: usize = 20;

/// `GET /v1/payments?status=pending&limit=…[&cursor=…]`; `None` when `cursor` is not
/// 1 to 256 characters of `[A-Za-z0-9._-]` (a cursor the core will not send back).
pub fn pending_page_path(cursor: Option<&str>) -> Option<String> {
    let base = format!("/v1/payments?status=pending&limit={PENDING_PAGE_SIZE}");
    let Some(cursor) = cursor else {
        return Some(base);
    };
    let valid = (1..=256).contains(&cursor.len())
        && cursor
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    valid.then(|| format!("{base}&cursor={cursor}"))
}

/// The backend's X25519 key that PINs are sealed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinKey {
    pub key_id: String,
    /// base64url of the 32-byte X25519 public key.
    pub public_key: String,
}

/// `GET /v1/payments/{payment_id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentDetail {
    pub payment_id: String,
    pub status: PaymentStatus,
    pub payee: Payee,
    pub total: Amount,
    pub currency: String,
    /// Smallest amount payable in CV Connect (0.01).
    pub min_amount: Amount,
    /// Largest amount payable in CV Connect: min(balance, total) at the time of reading.
    pub max_amount: Amount,
    /// Current single-use confirmation nonce (base64url of 32 bytes). Each confirmation
    /// attempt consumes it; read the detail again for the next one.
    pub nonce: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub pin_length: u8,
    pub pin_key: PinKey,
    pub attempts_left: u8,
    /// Set once the payment is AUTHORISED or PARTIALLY_AUTHORISED.
    pub paid_amount: Option<Amount>,
    pub remaining_amount: Option<Amount>,
}

/// `POST /v1/payments/{payment_id}/confirm`. The same key is sent in the
/// `Idempotency-Key` header.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub amount: Amount,
    pub nonce: String,
    /// base64url of the sealed PIN block.
    pub sealed_pin: String,
    /// base64url DER ECDSA signature over `canonical::ConfirmationFields::encode`.
    pub signature: String,
    pub idempotency_key: String,
}

/// Success answer of confirm; also what a replay with the same idempotency key returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmResponse {
    pub payment_id: String,
    pub status: PaymentStatus,
    pub paid_amount: Amount,
    pub remaining_amount: Amount,
    pub balance: Amount,
}

/// `POST /v1/payments/{payment_id}/decline`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeclineResponse {
    pub payment_id: String,
    pub status: PaymentStatus,
}

// ---------------------------------------------------------------- merchant API

/// `POST /v1/merchant/payment-requests`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePaymentRequest {
    /// E-mail of the CV Connect account (6-320 characters) or 11-digit ANCV account number.
    pub account: String,
    pub total: Amount,
    pub order_ref: Option<String>,
}

/// A payment request as the merchant sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MerchantPayment {
    pub id: String,
    pub status: PaymentStatus,
    pub total: Amount,
    pub currency: String,
    pub paid_amount: Option<Amount>,
    /// What is left to pay by card (PARTIALLY_AUTHORISED only).
    pub remaining_amount: Option<Amount>,
    pub order_ref: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

// ---------------------------------------------------------------- errors

/// Every 4xx/5xx body: `{"error": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// Stable machine code, see [`crate::protocol::errors::ErrorCode`].
    pub code: String,
    /// French message fit for display.
    pub message: String,
    /// `authentication_failed` only: attempts left before the lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u8>,
    /// `payment_not_pending` only: the status the payment is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PaymentStatus>,
    /// `validation_failed` only: the offending field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_pages() {
        assert_eq!(
            pending_page_path(None).as_deref(),
            Some("/v1/payments?status=pending&limit=50")
        );
        assert_eq!(
            pending_page_path(Some("c1.MTc5MDAwMDAwMDo0Mg")).as_deref(),
            Some("/v1/payments?status=pending&limit=50&cursor=c1.MTc5MDAwMDAwMDo0Mg")
        );
        for bad in ["", "a&b", "a b", "a/b", "%41", &"a".repeat(257)] {
            assert_eq!(pending_page_path(Some(bad)), None, "{bad}");
        }
        let last: PaymentList = serde_json::from_str(r#"{"payments":[]}"#).unwrap();
        assert_eq!(last.next_cursor, None);
    }
}
