//! JSON bodies of protocol v1 (see `docs/protocol.md`, "Beneficiary API" and
//! "Merchant API"). Field names are snake_case on the wire; statuses are
//! SCREAMING_SNAKE_CASE; amounts are strings in plain form ("1234.56").
//!
//! Requests reject unknown fields (`deny_unknown_fields`) so that a client that
//! believes it sent something the server ignores finds out at once. Responses
//! accept unknown fields so a server may add some without breaking old apps.

use serde::{Deserialize, Serialize};

use crate::amount::Amount;

mod abandon;
mod attestation;
mod devices;
pub use abandon::{AbandonRequest, AbandonResponse, AbandonState};
pub use attestation::{
    AttestationEvidence, AttestationPolicy, AttestationStatement, DeviceAttestationSummary,
    EnrollmentChallenge,
};
pub use devices::{DeviceList, DeviceSummary, RevokeRequest, RevokeResponse};

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
    /// True for every status but `Pending`: a final payment never changes again.
    pub fn is_final(self) -> bool {
        !matches!(self, PaymentStatus::Pending)
    }

    /// The status on the wire, as serde writes it (`"PARTIALLY_AUTHORISED"`).
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
    /// The account's e-mail, trimmed; the server lowercases it, as the enrollment bytes do.
    pub email: String,
    /// The one-time code an administrator issued for this e-mail (`8K2F-9QXM`).
    pub activation_code: String,
    /// base64url (no padding) of the device's P-256 SubjectPublicKeyInfo DER.
    pub public_key: String,
    /// Where the backend sends pushes (FCM or APNs token); none for a device that
    /// reads the pending list only.
    pub push_token: Option<String>,
    /// Which push service `push_token` belongs to.
    pub platform: Platform,
    /// base64url DER ECDSA signature over `canonical::enrollment_bytes`.
    pub proof: String,
    /// A name the user chose for this phone ("Pixel de Camille"), at most 64 characters;
    /// shown in the account's device list (v1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The key's attestation (v1.2), when the phone could make one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationEvidence>,
}

/// Answer `201` of enrollment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The id the backend gave this device, for authentication.
    pub device_id: String,
    /// Digits of the account's PIN (4 to 6).
    pub pin_length: u8,
}

// ---------------------------------------------------------------- device authentication

/// `POST /v1/auth/challenge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    /// The device asking for a token.
    pub device_id: String,
}

/// A challenge for the device to sign.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeResponse {
    /// base64url of 32 random bytes, single use, valid 60 s.
    pub challenge: String,
    /// When the challenge lapses, in Unix seconds.
    pub expires_at: i64,
}

/// `POST /v1/auth/token`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The device the challenge was issued to.
    pub device_id: String,
    /// The challenge, as received.
    pub challenge: String,
    /// base64url DER ECDSA signature over `canonical::auth_bytes`.
    pub signature: String,
}

/// A bearer token; the core keeps it in memory only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    /// Opaque; sent as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `"Bearer"`.
    pub token_type: String,
    /// Seconds until the token expires (300 by default).
    pub expires_in: u64,
}

/// `PUT /v1/devices/me/push-token`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushTokenRequest {
    /// The platform's new token for this device (FCM or APNs).
    pub push_token: String,
}

// ---------------------------------------------------------------- balance and payments

/// `GET /v1/balance`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BalanceResponse {
    /// What the account can spend now.
    pub balance: Amount,
    /// Always `"EUR"`.
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
    /// The entries of this page.
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
    /// Names the key, so the server knows which of its keys opens a block.
    pub key_id: String,
    /// base64url of the 32-byte X25519 public key.
    pub public_key: String,
}

/// `GET /v1/payments/{payment_id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentDetail {
    /// The payment's id.
    pub payment_id: String,
    /// Where it stands; only `Pending` can be confirmed or declined.
    pub status: PaymentStatus,
    /// The merchant, as registered with the backend.
    pub payee: Payee,
    /// The order total.
    pub total: Amount,
    /// Always `"EUR"`.
    pub currency: String,
    /// Smallest amount payable in CV Connect (0.01).
    pub min_amount: Amount,
    /// Largest amount payable in CV Connect: min(balance, total) at the time of reading.
    pub max_amount: Amount,
    /// Current single-use confirmation nonce (base64url of 32 bytes). Each confirmation
    /// attempt consumes it; read the detail again for the next one.
    pub nonce: String,
    /// When the merchant asked, in Unix seconds.
    pub created_at: i64,
    /// When the request lapses, in Unix seconds; signed with the confirmation.
    pub expires_at: i64,
    /// Digits of the account's PIN (4 to 6).
    pub pin_length: u8,
    /// The key to seal the PIN to.
    pub pin_key: PinKey,
    /// Wrong PINs still allowed before the PIN locks.
    pub attempts_left: u8,
    /// Set once the payment is AUTHORISED or PARTIALLY_AUTHORISED.
    pub paid_amount: Option<Amount>,
    /// `total - paid_amount`, to pay by card; set with `paid_amount`.
    pub remaining_amount: Option<Amount>,
    /// The account's balance when the detail was read (v1.1), so that one request
    /// serves the payment screen; absent from v1 servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Amount>,
}

/// `POST /v1/payments/{payment_id}/confirm`. The same key is sent in the
/// `Idempotency-Key` header.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// What to pay in CV Connect: from `min_amount` to `max_amount`.
    pub amount: Amount,
    /// The detail's current nonce; a used one is refused (`nonce_used`).
    pub nonce: String,
    /// base64url of the sealed PIN block.
    pub sealed_pin: String,
    /// base64url DER ECDSA signature over `canonical::ConfirmationFields::encode`.
    pub signature: String,
    /// 16 to 64 id characters, fresh for each new confirmation, the same when resent.
    pub idempotency_key: String,
}

/// Success answer of confirm; also what a replay with the same idempotency key returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmResponse {
    /// The payment confirmed.
    pub payment_id: String,
    /// `Authorised` or `PartiallyAuthorised`.
    pub status: PaymentStatus,
    /// Debited from the account.
    pub paid_amount: Amount,
    /// Left to pay by card; zero when paid in full.
    pub remaining_amount: Amount,
    /// The account's balance after the debit.
    pub balance: Amount,
}

/// `POST /v1/payments/{payment_id}/decline`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeclineResponse {
    /// The payment declined.
    pub payment_id: String,
    /// Always `Cancelled`.
    pub status: PaymentStatus,
}

// ---------------------------------------------------------------- merchant API

/// `POST /v1/merchant/payment-requests`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePaymentRequest {
    /// E-mail of the CV Connect account (6-320 characters) or 11-digit ANCV account number.
    pub account: String,
    /// The order total; at least the minimum for CV Connect (20.00 €).
    pub total: Amount,
    /// The merchant's own reference for the order, echoed back.
    pub order_ref: Option<String>,
}

/// A payment request as the merchant sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MerchantPayment {
    /// The payment's id.
    pub id: String,
    /// Where it stands; `Expired` once its validity elapsed.
    pub status: PaymentStatus,
    /// The order total.
    pub total: Amount,
    /// Always `"EUR"`.
    pub currency: String,
    /// What CV Connect paid, once authorised.
    pub paid_amount: Option<Amount>,
    /// What is left to pay by card (PARTIALLY_AUTHORISED only).
    pub remaining_amount: Option<Amount>,
    /// The merchant's reference, as sent at creation.
    pub order_ref: Option<String>,
    /// When the request was created, in Unix seconds.
    pub created_at: i64,
    /// When it lapses, in Unix seconds.
    pub expires_at: i64,
}

// ---------------------------------------------------------------- errors

/// Every 4xx/5xx body: `{"error": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorInfo,
}

/// The content of an error body; only `code` and `message` are always present.
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
