//! Values that cross the boundary: the `Amount` custom type, the core's records and
//! enums (declared again with `#[uniffi::remote]`, so a field added in the core breaks
//! this build instead of drifting silently), and the FFI-only configuration record.

use std::path::PathBuf;
use std::time::Duration;

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{
    BalanceInfo, ClientConfig as CoreClientConfig, EnrolledDevice, PaymentOutcome, PaymentRecord,
    PaymentView, ReconciledPayment,
};
use cvconnect_core::keypad::KeypadState;
use cvconnect_core::log::LogLevel;
use cvconnect_core::protocol::wire::{Payee, PaymentStatus, PaymentSummary, Platform};

// An amount in euros crosses as its plain decimal string, two decimals ("1234.56"):
// `String` in Kotlin, Swift and Python, never a float. Named `Amount`, not `Decimal`,
// which would shadow Foundation's in Swift. Strings from the foreign side are read
// strictly (the protocol's plain form); `parse_amount` reads what people type.
uniffi::custom_type!(Amount, String, {
    remote,
    lower: |amount| amount.to_plain(),
    try_lift: |text| Ok(Amount::from_plain(&text)?),
});

/// Life cycle of a payment request (protocol.md §3).
#[uniffi::remote(Enum)]
pub enum PaymentStatus {
    Pending,
    Authorised,
    PartiallyAuthorised,
    Refused,
    Expired,
    Cancelled,
}

/// The platform a device enrolls from.
#[uniffi::remote(Enum)]
pub enum Platform {
    Android,
    Ios,
    Other,
}

/// Severity of a log line sent to a [`crate::log::LogSink`].
#[uniffi::remote(Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// What a confirmation (or a decline) ended with.
#[uniffi::remote(Enum)]
pub enum PaymentOutcome {
    /// Covered in full: "Votre achat est validé !".
    PaidInFull {
        paid: Amount,
        balance: Amount,
    },
    /// Covered in part: the merchant offers to pay `remainder` by card.
    PaidInPart {
        paid: Amount,
        remainder: Amount,
        balance: Amount,
    },
    /// Wrong PIN (or device signature); `attempts_left == 1` announces the last attempt.
    WrongPin {
        attempts_left: u8,
    },
    /// Too many wrong PINs: the PIN is locked and this payment refused.
    Locked,
    Expired,
    /// Finished before this device's answer counted (another device, the merchant).
    AlreadyHandled {
        status: PaymentStatus,
    },
    Declined,
}

/// The enrolled identity of this device.
#[uniffi::remote(Record)]
pub struct EnrolledDevice {
    pub device_id: String,
    /// The account e-mail, masked for display (`c***@example.fr`).
    pub email_masked: String,
}

/// A balance for display; `stale` when it is the last known value.
#[uniffi::remote(Record)]
pub struct BalanceInfo {
    pub amount: Amount,
    pub text: String,
    pub stale: bool,
    pub fetched_at: i64,
}

/// Everything the payment screen shows, with French texts ready to display.
#[uniffi::remote(Record)]
pub struct PaymentView {
    pub payment_id: String,
    pub payee_id: String,
    pub payee_name: String,
    pub status: PaymentStatus,
    pub total: Amount,
    pub balance: Amount,
    pub amount: Amount,
    pub remainder: Amount,
    pub min_amount: Amount,
    pub max_amount: Amount,
    pub expires_at: i64,
    pub pin_length: u8,
    pub attempts_left: u8,
    pub can_confirm: bool,
    pub total_text: String,
    pub balance_text: String,
    pub amount_text: String,
    pub remainder_text: String,
}

/// The merchant a payment goes to.
#[uniffi::remote(Record)]
pub struct Payee {
    pub id: String,
    pub name: String,
}

/// A payment waiting for this account (the pending list).
#[uniffi::remote(Record)]
pub struct PaymentSummary {
    pub payment_id: String,
    pub status: PaymentStatus,
    pub payee: Payee,
    pub total: Amount,
    pub currency: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A payment seen by this device (history).
#[uniffi::remote(Record)]
pub struct PaymentRecord {
    pub payment_id: String,
    pub payee_id: String,
    pub payee_name: String,
    pub total: Amount,
    pub status: PaymentStatus,
    pub paid_amount: Option<Amount>,
    pub remaining_amount: Option<Amount>,
    pub updated_at: i64,
}

/// A confirmation whose answer was lost, settled from the backend's record;
/// `outcome` is null when the confirmation never took effect.
#[uniffi::remote(Record)]
pub struct ReconciledPayment {
    pub payment_id: String,
    pub outcome: Option<PaymentOutcome>,
}

/// Progress of a PIN entry: how many digits, never which.
#[uniffi::remote(Record)]
pub struct KeypadState {
    pub entered: u8,
    pub required: u8,
    pub complete: bool,
}

/// How to build a [`crate::CvClient`]. Unset optional values take the core's defaults.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ClientConfig {
    /// Backend base URL: `https://…` (plain `http` only on loopback, for the sandbox).
    pub base_url: String,
    /// Folder for the local database (app-private storage).
    pub data_dir: String,
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<u64>,
    #[uniffi(default = None)]
    pub request_timeout_ms: Option<u64>,
    /// SPKI pins, `sha256/<base64>`: a primary and a backup.
    #[uniffi(default = [])]
    pub spki_pins: Vec<String>,
    /// BCP 47 locale of user messages; v1 ships French only.
    #[uniffi(default = None)]
    pub locale: Option<String>,
    /// Retries of idempotent requests after a transport failure or a 5xx.
    #[uniffi(default = None)]
    pub max_retries: Option<u32>,
}

impl From<ClientConfig> for CoreClientConfig {
    fn from(config: ClientConfig) -> Self {
        let mut core = CoreClientConfig::new(config.base_url, PathBuf::from(config.data_dir));
        if let Some(ms) = config.connect_timeout_ms {
            core.connect_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = config.request_timeout_ms {
            core.request_timeout = Duration::from_millis(ms);
        }
        core.spki_pins = config.spki_pins;
        if let Some(locale) = config.locale {
            core.locale = locale;
        }
        if let Some(retries) = config.max_retries {
            core.max_retries = retries;
        }
        core
    }
}

/// The fields of a confirmation signature (protocol.md §6.1), for test harnesses and
/// other implementations checking their canonical bytes against the core's.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ConfirmationFields {
    pub payment_id: String,
    pub nonce: String,
    pub payee_id: String,
    pub payee_name: String,
    pub total: Amount,
    pub amount: Amount,
    pub expires_at: i64,
    pub device_id: String,
    /// SHA-256 of the sealed PIN block: 32 bytes.
    pub sealed_pin_hash: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_config_values_keep_the_cores_defaults() {
        let config = ClientConfig {
            base_url: "http://127.0.0.1:8787".into(),
            data_dir: "/tmp/x".into(),
            connect_timeout_ms: None,
            request_timeout_ms: Some(2500),
            spki_pins: Vec::new(),
            locale: None,
            max_retries: Some(0),
        };
        let core = CoreClientConfig::from(config);
        let defaults = CoreClientConfig::new("http://127.0.0.1:8787", "/tmp/x");
        assert_eq!(core.connect_timeout, defaults.connect_timeout);
        assert_eq!(core.locale, defaults.locale);
        assert_eq!(core.request_timeout, Duration::from_millis(2500));
        assert_eq!(core.max_retries, 0);
        assert_eq!(core.data_dir, PathBuf::from("/tmp/x"));
    }
}
