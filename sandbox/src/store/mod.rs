//! Queries, grouped by topic. Every function takes a connection (or a transaction,
//! which derefs to one) and runs synchronously on a blocking thread.

pub mod accounts;
pub mod activation;
pub mod confirm;
pub mod devices;
pub mod ledger;
pub mod limits;
pub mod merchants;
pub mod payments;
pub mod push;

use cvconnect_core::amount::Amount;

pub fn cents_to_i64(amount: Amount) -> i64 {
    i64::try_from(amount.cents()).unwrap_or(i64::MAX)
}

pub fn amount_from_db(cents: i64) -> Amount {
    Amount::from_cents(u64::try_from(cents).unwrap_or(0))
}
