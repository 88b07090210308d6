//! The platforms' own types for values the core shapes for Rust: counts are `Int` /
//! `Int32` on the platforms instead of the core's `u8` (`UByte` in Kotlin, which no
//! Android developer wants in a view model). These types are declared here only; the
//! core's types of the same names never cross the boundary. Each is built from the
//! core's value by destructuring it whole, so a field added in the core breaks this build
//! (ADR 0002).

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{
    PaymentOutcome as CoreOutcome, PaymentView as CoreView, ReconciledPayment as CoreReconciled,
    RevocationOutcome as CoreRevocation,
};
use cvconnect_core::keypad::KeypadState as CoreKeypadState;
use cvconnect_core::protocol::wire::PaymentStatus;

/// Everything the payment screen shows, with French texts ready to display. What the
/// beneficiary sees is exactly what the confirmation signs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PaymentView {
    /// The payment's id.
    pub payment_id: String,
    /// The merchant's id.
    pub payee_id: String,
    /// The shop's name.
    pub payee_name: String,
    /// Where the payment stands.
    pub status: PaymentStatus,
    /// The order total in euros.
    pub total: Amount,
    /// The beneficiary's Chèque-Vacances Connect balance.
    pub balance: Amount,
    /// What Chèque-Vacances Connect will pay (editable by the beneficiary).
    pub amount: Amount,
    /// What is left to pay by card: total minus amount.
    pub remainder: Amount,
    /// The smallest amount accepted.
    pub min_amount: Amount,
    /// The largest amount accepted: the total, or the balance if lower.
    pub max_amount: Amount,
    /// When the request lapses, in seconds since 1970 (UTC).
    pub expires_at: i64,
    /// How many digits the personal code has (4 to 6).
    pub pin_length: i32,
    /// Wrong codes still allowed before the code is locked; 1 means the last attempt.
    pub attempts_left: i32,
    /// Whether the confirm button is enabled.
    pub can_confirm: bool,
    /// The total in French: "150,00 €".
    pub total_text: String,
    /// The balance in French.
    pub balance_text: String,
    /// The amount in French.
    pub amount_text: String,
    /// The remainder in French.
    pub remainder_text: String,
}

impl From<CoreView> for PaymentView {
    fn from(view: CoreView) -> Self {
        let CoreView {
            payment_id,
            payee_id,
            payee_name,
            status,
            total,
            balance,
            amount,
            remainder,
            min_amount,
            max_amount,
            expires_at,
            pin_length,
            attempts_left,
            can_confirm,
            total_text,
            balance_text,
            amount_text,
            remainder_text,
        } = view;
        PaymentView {
            payment_id,
            payee_id,
            payee_name,
            status,
            total,
            balance,
            amount,
            remainder,
            min_amount,
            max_amount,
            expires_at,
            pin_length: pin_length.into(),
            attempts_left: attempts_left.into(),
            can_confirm,
            total_text,
            balance_text,
            amount_text,
            remainder_text,
        }
    }
}

/// What a confirmation, or a decline, ended with.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PaymentOutcome {
    /// Covered in full: "Votre achat est validé !".
    PaidInFull {
        /// What Chèque-Vacances Connect paid.
        paid: Amount,
        /// The balance left afterwards.
        balance: Amount,
    },
    /// Covered in part: the merchant offers to pay the remainder by card.
    PaidInPart {
        /// What Chèque-Vacances Connect paid.
        paid: Amount,
        /// What is left to pay by card.
        remainder: Amount,
        /// The balance left afterwards.
        balance: Amount,
    },
    /// Wrong personal code: the beneficiary may try again.
    WrongPin {
        /// Attempts still allowed; 1 means the next wrong code locks it.
        attempts_left: i32,
    },
    /// Too many wrong codes: the code is locked and this payment refused.
    Locked,
    /// The request lapsed before the answer.
    Expired,
    /// Finished before this device's answer counted (another device, the merchant).
    AlreadyHandled {
        /// How it finished.
        status: PaymentStatus,
    },
    /// The beneficiary declined; the merchant sees it cancelled.
    Declined,
}

/// The core's outcome and this one differ only in the integer type of `attempts_left`,
/// so one list of variants gives both directions (the reverse one serves
/// [`PaymentOutcome::message`], whose sentence is the core's).
macro_rules! convert_outcome {
    ($from:ident => $to:ident, |$count:ident| $convert:expr) => {
        impl From<$from> for $to {
            fn from(outcome: $from) -> Self {
                match outcome {
                    $from::PaidInFull { paid, balance } => $to::PaidInFull { paid, balance },
                    $from::PaidInPart {
                        paid,
                        remainder,
                        balance,
                    } => $to::PaidInPart {
                        paid,
                        remainder,
                        balance,
                    },
                    $from::WrongPin {
                        attempts_left: $count,
                    } => $to::WrongPin {
                        attempts_left: $convert,
                    },
                    $from::Locked => $to::Locked,
                    $from::Expired => $to::Expired,
                    $from::AlreadyHandled { status } => $to::AlreadyHandled { status },
                    $from::Declined => $to::Declined,
                }
            }
        }
    };
}

convert_outcome!(CoreOutcome => PaymentOutcome, |count| count.into());
convert_outcome!(PaymentOutcome => CoreOutcome, |count| {
    u8::try_from(count.max(0)).unwrap_or(u8::MAX)
});

/// How revoking a phone of the account ended.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum RevocationOutcome {
    /// The phone is cut off: its requests are refused and no push goes to it.
    Revoked {
        /// When, in seconds since 1970 (UTC, the backend's clock).
        revoked_at: i64,
    },
    /// Wrong personal code: the beneficiary may try again.
    WrongPin {
        /// Attempts still allowed; 1 means the next wrong code locks it.
        attempts_left: i32,
    },
    /// Too many wrong codes: the code is locked.
    Locked,
}

impl From<CoreRevocation> for RevocationOutcome {
    fn from(outcome: CoreRevocation) -> Self {
        match outcome {
            CoreRevocation::Revoked { revoked_at } => RevocationOutcome::Revoked { revoked_at },
            CoreRevocation::WrongPin { attempts_left } => RevocationOutcome::WrongPin {
                attempts_left: attempts_left.into(),
            },
            CoreRevocation::Locked => RevocationOutcome::Locked,
        }
    }
}

/// A confirmation whose answer was lost, settled from the backend's record.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReconciledPayment {
    /// The payment's id.
    pub payment_id: String,
    /// How it ended, or null when the confirmation never took effect.
    pub outcome: Option<PaymentOutcome>,
}

impl From<CoreReconciled> for ReconciledPayment {
    fn from(reconciled: CoreReconciled) -> Self {
        let CoreReconciled {
            payment_id,
            outcome,
        } = reconciled;
        ReconciledPayment {
            payment_id,
            outcome: outcome.map(Into::into),
        }
    }
}

/// Progress of a personal code entry: how many digits, never which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct KeypadState {
    /// Digits typed so far.
    pub entered: i32,
    /// Digits the code has.
    pub required: i32,
    /// Whether the code is complete and the payment can be confirmed.
    pub complete: bool,
}

impl From<CoreKeypadState> for KeypadState {
    fn from(state: CoreKeypadState) -> Self {
        let CoreKeypadState {
            entered,
            required,
            complete,
        } = state;
        KeypadState {
            entered: entered.into(),
            required: required.into(),
            complete,
        }
    }
}
