//! The store's schema: migrations applied in order, `PRAGMA user_version` counting them.
//!
//! A shipped migration is never edited; a change is a new migration appended to the
//! list. A database of a later version (the app was downgraded) is refused rather than
//! misread.

use rusqlite::Connection;

use super::StoreError;

/// Schema migrations; `PRAGMA user_version` is the number applied.
pub(super) const MIGRATIONS: &[&str] = &[
    // v1
    "CREATE TABLE device (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        device_id TEXT NOT NULL,
        public_key BLOB NOT NULL,
        email TEXT NOT NULL,
        enrolled_at INTEGER NOT NULL
     );
     CREATE TABLE seen_push (
        message_id TEXT PRIMARY KEY,
        payment_id TEXT NOT NULL,
        received_at INTEGER NOT NULL
     );
     CREATE TABLE balance_cache (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        balance TEXT NOT NULL,
        fetched_at INTEGER NOT NULL
     );
     CREATE TABLE payment (
        payment_id TEXT PRIMARY KEY,
        payee_name TEXT NOT NULL,
        total TEXT NOT NULL,
        status TEXT NOT NULL,
        paid_amount TEXT,
        remaining_amount TEXT,
        updated_at INTEGER NOT NULL
     );
     CREATE TABLE journal (
        idempotency_key TEXT PRIMARY KEY,
        payment_id TEXT NOT NULL,
        amount TEXT NOT NULL,
        nonce TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        outcome TEXT,
        resolved_at INTEGER
     );",
    // v2: payee id for the history screen; fast lookup of unresolved journal entries.
    "ALTER TABLE payment ADD COLUMN payee_id TEXT NOT NULL DEFAULT '';
     CREATE INDEX journal_unresolved ON journal (payment_id) WHERE outcome IS NULL;",
    // v3: balance readings ordered in milliseconds, not seconds (balance.rs).
    "ALTER TABLE balance_cache RENAME COLUMN fetched_at TO fetched_at_ms;
     UPDATE balance_cache SET fetched_at_ms = fetched_at_ms * 1000;",
    // v4: the age prune of seen_push, on each tapped notification, without a table scan.
    "CREATE INDEX seen_push_received ON seen_push (received_at);",
];

/// The schema version this library writes (`PRAGMA user_version`); it refuses a
/// database of a later version rather than misread it.
pub fn schema_version() -> u32 {
    MIGRATIONS.len() as u32
}

pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current as usize > MIGRATIONS.len() {
        return Err(StoreError {
            detail: format!(
                "database schema v{current} is newer than this app (v{})",
                MIGRATIONS.len()
            ),
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as u32 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "local database migrated");
    }
    Ok(())
}
