//! Queries, grouped by topic. Every function takes a connection (or a transaction,
//! which derefs to one) and runs synchronously on a blocking thread.

pub mod abandon;
pub mod accounts;
pub mod activation;
pub mod confirm;
pub mod devices;
pub mod enrollment;
pub mod ledger;
pub mod limits;
pub mod merchants;
pub mod payments;
pub mod push;
pub mod revoke;

use cvconnect_core::amount::Amount;
use rusqlite::{Connection, OptionalExtension, Params, Row};

pub fn cents_to_i64(amount: Amount) -> i64 {
    i64::try_from(amount.cents()).unwrap_or(i64::MAX)
}

pub fn amount_from_db(cents: i64) -> Amount {
    Amount::from_cents(u64::try_from(cents).unwrap_or(0))
}

/// The columns of the one row `sql` selects, as a tuple, or `None` when it selects none.
pub fn optional_row<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> rusqlite::Result<Option<T>>
where
    T: for<'r> TryFrom<&'r Row<'r>, Error = rusqlite::Error>,
{
    conn.query_row(sql, params, |row| T::try_from(row))
        .optional()
}

/// Whether `sql` selects a row.
pub fn exists(conn: &Connection, sql: &str, params: impl Params) -> rusqlite::Result<bool> {
    Ok(conn
        .query_row(sql, params, |_| Ok(()))
        .optional()?
        .is_some())
}
