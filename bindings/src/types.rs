//! Values that cross the boundary as they are in the core: the `Amount` custom type and
//! the core's records and enums whose fields already read well on every platform.
//! The core declares each of them once and replays the declaration here, into
//! `#[uniffi::remote]` (`core/src/shared.rs`, ADR 0002): a field added in the core
//! reaches every platform with no edit here. Values whose fields need another shape on
//! the platforms (counts as `Int`) are in [`crate::view`].

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{BalanceInfo, DeviceInfo, EnrolledDevice, PaymentRecord, PushReceipt};
use cvconnect_core::crypto::DeviceAttestation;
use cvconnect_core::log::LogLevel;
use cvconnect_core::protocol::wire::{Payee, PaymentStatus, PaymentSummary, Platform};

use crate::errors::CvError;

// The core declares these types once and replays the declaration here (core/src/shared.rs).
macro_rules! remote_enum {
    ($($item:tt)*) => { #[uniffi::remote(Enum)] $($item)* };
}

macro_rules! remote_record {
    ($($item:tt)*) => { #[uniffi::remote(Record)] $($item)* };
}

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

cvconnect_core::declare_payment_status!(remote_enum);
cvconnect_core::declare_platform!(remote_enum);
cvconnect_core::declare_log_level!(remote_enum);
cvconnect_core::declare_enrolled_device!(remote_record);
cvconnect_core::declare_balance_info!(remote_record);
cvconnect_core::declare_payee!(remote_record);
cvconnect_core::declare_payment_summary!(remote_record);
cvconnect_core::declare_payment_record!(remote_record);
cvconnect_core::declare_push_receipt!(remote_record);
cvconnect_core::declare_device_info!(remote_record);
cvconnect_core::declare_device_attestation!(remote_enum);
