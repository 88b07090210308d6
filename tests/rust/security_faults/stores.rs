//! The two records the matrix reads beside the APIs: the phone's confirmation journal
//! (its SQLite store) and the confirmation keys the sandbox answered (its idempotency
//! table). Together they say which of the phone's confirmations debited, and whether
//! the phone journaled it before sending it and settled it as paid.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use cvconnect_core::amount::Amount;
use cvconnect_core::client::DATABASE_FILE;
use rusqlite::{Connection, OpenFlags};

/// One journal entry of the phone.
#[derive(Debug, Clone)]
pub(super) struct JournalRow {
    pub(super) key: String,
    pub(super) amount: Amount,
    /// `None` while the entry is open.
    pub(super) outcome: Option<String>,
}

/// One confirmation the sandbox answered, under its idempotency key.
#[derive(Debug, Clone)]
pub(super) struct AnsweredKey {
    pub(super) key: String,
    pub(super) http_status: u16,
}

fn read_only(path: &Path) -> Connection {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn
}

/// The rows `sql` selects from the database at `path`, each made by `row` into a
/// payment id and a value, grouped by payment.
fn by_payment<T>(
    path: &Path,
    sql: &str,
    row: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<(String, T)>,
) -> HashMap<String, Vec<T>> {
    let conn = read_only(path);
    let mut statement = conn.prepare(sql).unwrap();
    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
    for found in statement.query_map([], row).unwrap() {
        let (payment_id, value) = found.unwrap();
        grouped.entry(payment_id).or_default().push(value);
    }
    grouped
}

/// The phone's journal, by payment.
pub(super) fn journal(data_dir: &Path) -> HashMap<String, Vec<JournalRow>> {
    by_payment(
        &data_dir.join(DATABASE_FILE),
        "SELECT payment_id, idempotency_key, amount, outcome FROM journal",
        |r| {
            let amount: String = r.get(2)?;
            let row = JournalRow {
                key: r.get(1)?,
                amount: Amount::from_plain(&amount).expect("a journaled amount"),
                outcome: r.get(3)?,
            };
            Ok((r.get(0)?, row))
        },
    )
}

/// The confirmation keys the sandbox answered, by payment.
pub(super) fn answered_keys(database: &Path) -> HashMap<String, Vec<AnsweredKey>> {
    by_payment(
        database,
        "SELECT payment_id, key, http_status FROM idempotency",
        |r| {
            let key = AnsweredKey {
                key: r.get(1)?,
                http_status: r.get(2)?,
            };
            Ok((r.get(0)?, key))
        },
    )
}

/// Waits until the sandbox has answered the phone's latest confirmation of
/// `payment_id` (or the phone has settled it): the confirmation its caller stopped
/// waiting for has reached the sandbox and done its work.
pub(super) fn wait_answered(data_dir: &Path, database: &Path, payment_id: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let phone = read_only(&data_dir.join(DATABASE_FILE));
        let latest: (String, Option<String>) = phone
            .query_row(
                "SELECT idempotency_key, outcome FROM journal WHERE payment_id = ?1
                 ORDER BY rowid DESC LIMIT 1",
                [payment_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("the confirmation is journaled");
        let answered = || {
            answered_keys(database)
                .remove(payment_id)
                .unwrap_or_default()
                .iter()
                .any(|answered| answered.key == latest.0)
        };
        if latest.1.is_some() || answered() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the confirmation of {payment_id} never reached the sandbox"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}
