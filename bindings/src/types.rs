//! Values that cross the boundary as they are in the core: the `Amount` custom type and
//! the core's records and enums whose fields already read well on every platform.
//! They are declared again with `#[uniffi::remote]`, so a field added in the core
//! breaks this build instead of drifting silently. Values whose fields need another
//! shape on the platforms (counts as `Int`) are in [`crate::view`].

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{BalanceInfo, EnrolledDevice, PaymentRecord};
use cvconnect_core::log::LogLevel;
use cvconnect_core::protocol::wire::{Payee, PaymentStatus, PaymentSummary, Platform};

use crate::errors::CvError;

// An amount in euros crosses as its plain decimal string, "1234.56", and becomes
// BigDecimal (Kotlin), Decimal (Swift) or decimal.Decimal (Python) through the custom
// type settings of uniffi.toml: never a float. What comes back is read strictly (at
// most two decimals, not negative); a refused value is thrown as `InvalidAmount` by
// every call that can fail. `parseAmount` reads what people type.
uniffi::custom_type!(Amount, String, {
    remote,
    lower: |amount| amount.to_plain(),
    try_lift: |text| Amount::from_plain(&text).map_err(|error| CvError::from(error).into()),
});

/// Where a payment request stands. Pending until the beneficiary answers, then final.
#[uniffi::remote(Enum)]
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

/// The platform a device enrolls from.
#[uniffi::remote(Enum)]
pub enum Platform {
    /// An Android phone (Firebase Cloud Messaging).
    Android,
    /// An iPhone (Apple Push Notification service).
    Ios,
    /// Anything else: test harnesses, the terminal demo.
    Other,
}

/// Severity of a log line given to a log sink.
#[uniffi::remote(Enum)]
pub enum LogLevel {
    /// A failure the user sees.
    Error,
    /// Something unexpected that the library recovered from.
    Warn,
    /// Steps of a payment: opened, confirmed, reconciled.
    Info,
    /// Details for a developer: requests, retries.
    Debug,
    /// Everything, for a bug report.
    Trace,
}

/// The enrolled identity of this device.
#[uniffi::remote(Record)]
pub struct EnrolledDevice {
    /// The backend's id for this device.
    pub device_id: String,
    /// The account e-mail, masked for display: "c***@example.fr".
    pub email_masked: String,
}

/// A balance for display.
#[uniffi::remote(Record)]
pub struct BalanceInfo {
    /// The balance in euros.
    pub amount: Amount,
    /// The same, written in French: "200,00 €".
    pub text: String,
    /// True when this is the last known balance rather than a fresh one (offline).
    pub stale: bool,
    /// When the backend gave this balance, in seconds since 1970 (UTC).
    pub fetched_at: i64,
}

/// The merchant a payment goes to.
#[uniffi::remote(Record)]
pub struct Payee {
    /// The backend's id for the merchant.
    pub id: String,
    /// The shop's name as the beneficiary sees it.
    pub name: String,
}

/// A payment waiting for this account, as listed in the pending payments.
#[uniffi::remote(Record)]
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

/// A payment this device has seen to its end (history).
#[uniffi::remote(Record)]
pub struct PaymentRecord {
    /// The payment's id.
    pub payment_id: String,
    /// The merchant's id.
    pub payee_id: String,
    /// The shop's name.
    pub payee_name: String,
    /// The order total in euros.
    pub total: Amount,
    /// How it ended.
    pub status: PaymentStatus,
    /// What Chèque-Vacances Connect paid, when it paid.
    pub paid_amount: Option<Amount>,
    /// What is left to pay by card, when it paid in part.
    pub remaining_amount: Option<Amount>,
    /// When this device last learnt of it, in seconds since 1970 (UTC).
    pub updated_at: i64,
}
