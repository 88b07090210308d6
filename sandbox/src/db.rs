//! The SQLite database: one connection (WAL, foreign keys) behind a mutex, used from
//! blocking threads; the schema and its migrations.

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::config::Database;
use crate::error::{ApiError, ApiResult};

/// Current schema version (table `schema_version`).
pub const SCHEMA_VERSION: i64 = 5;

const SCHEMA_V1: &str = r#"
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    account_number  TEXT NOT NULL UNIQUE,
    balance_cents   INTEGER NOT NULL CHECK (balance_cents >= 0),
    pin_hash        BLOB NOT NULL,
    pin_length      INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    pin_locked      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE TABLE merchants (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    api_key_hash BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);
CREATE TABLE activation_codes (
    code_hash  BLOB PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    public_key BLOB NOT NULL,
    push_token TEXT,
    platform   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX devices_account ON devices(account_id);
CREATE TABLE challenges (
    challenge  TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tokens (
    token_hash BLOB PRIMARY KEY,
    device_id  TEXT NOT NULL REFERENCES devices(id),
    expires_at INTEGER NOT NULL
);
CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    account_id      TEXT REFERENCES accounts(id),
    total_cents     INTEGER NOT NULL CHECK (total_cents > 0),
    order_ref       TEXT,
    status          TEXT NOT NULL CHECK (status IN ('PENDING','AUTHORISED','PARTIALLY_AUTHORISED','REFUSED','EXPIRED','CANCELLED')),
    nonce           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    paid_cents      INTEGER CHECK (paid_cents > 0),
    remaining_cents INTEGER CHECK (remaining_cents >= 0),
    updated_at      INTEGER NOT NULL
);
CREATE INDEX payments_account ON payments(account_id);
CREATE TABLE ledger (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id          TEXT NOT NULL UNIQUE REFERENCES payments(id),
    account_id          TEXT NOT NULL REFERENCES accounts(id),
    merchant_id         TEXT NOT NULL REFERENCES merchants(id),
    device_id           TEXT NOT NULL REFERENCES devices(id),
    amount_cents        INTEGER NOT NULL CHECK (amount_cents > 0),
    balance_after_cents INTEGER NOT NULL CHECK (balance_after_cents >= 0),
    created_at          INTEGER NOT NULL
);
CREATE TABLE idempotency (
    payment_id   TEXT NOT NULL REFERENCES payments(id),
    device_id    TEXT NOT NULL REFERENCES devices(id),
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    http_status  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (payment_id, device_id, key)
);
CREATE TABLE push_notifications (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id  TEXT NOT NULL REFERENCES devices(id),
    payment_id TEXT NOT NULL REFERENCES payments(id),
    message_id TEXT NOT NULL UNIQUE,
    push_token TEXT,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX push_device ON push_notifications(device_id, seq);
"#;

/// Version 2 (issue 15): the account reference a request was made for (rate limits and
/// the pending cap count by it), the push outbox written with every request, the
/// checkout page's own payments, merchant idempotency keys, wrong activation codes per
/// e-mail. Activation codes are now stored under a keyed hash: the unused codes of
/// version 1 (plain SHA-256) are dropped.
const SCHEMA_V2: &str = r#"
ALTER TABLE payments ADD COLUMN account_ref TEXT;
CREATE INDEX payments_merchant_created ON payments(merchant_id, created_at);
CREATE INDEX payments_ref_status ON payments(account_ref, status, created_at);
CREATE INDEX payments_account_list ON payments(account_id, created_at);
CREATE INDEX challenges_device ON challenges(device_id, expires_at);
CREATE TABLE push_outbox (
    payment_id TEXT PRIMARY KEY REFERENCES payments(id),
    created_at INTEGER NOT NULL
);
CREATE TABLE checkout_payments (
    payment_id   TEXT PRIMARY KEY REFERENCES payments(id),
    session_hash BLOB NOT NULL
);
CREATE TABLE merchant_idempotency (
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    http_status  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, key)
);
CREATE INDEX merchant_idempotency_created ON merchant_idempotency(created_at);
CREATE TABLE enrollment_failures (
    email      TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL CHECK (failures >= 0),
    updated_at INTEGER NOT NULL
);
DELETE FROM activation_codes WHERE used_at IS NULL;
"#;

/// Version 3 (issue 16): the ids of request proofs (protocol v1.1) seen while they are
/// within their time window, so that each serves once.
const SCHEMA_V3: &str = r#"
CREATE TABLE proof_ids (
    device_id  TEXT NOT NULL REFERENCES devices(id),
    proof_id   TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, proof_id)
);
CREATE INDEX proof_ids_expiry ON proof_ids(expires_at);
"#;

/// Version 4 (issue 17, merchant notifications): the merchant's notification URL and
/// webhook secret (existing merchants get a random one), a request's own URL, the
/// outbox of events written with each final status and the log of delivery attempts.
const SCHEMA_V4: &str = r#"
ALTER TABLE merchants ADD COLUMN notification_url TEXT;
ALTER TABLE merchants ADD COLUMN webhook_secret TEXT;
UPDATE merchants SET webhook_secret = 'whsec_' || lower(hex(randomblob(24)));
ALTER TABLE payments ADD COLUMN notification_url TEXT;
CREATE INDEX payments_pending_expiry ON payments(expires_at) WHERE status = 'PENDING';
CREATE TABLE webhook_events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    payment_id      TEXT NOT NULL REFERENCES payments(id),
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    type            TEXT NOT NULL,
    body            TEXT NOT NULL,
    url             TEXT,
    created_at      INTEGER NOT NULL,
    created_ms      INTEGER NOT NULL,
    next_attempt_ms INTEGER,
    delivered_at_ms INTEGER,
    gave_up         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_events_due ON webhook_events(next_attempt_ms)
    WHERE next_attempt_ms IS NOT NULL;
CREATE INDEX webhook_events_payment ON webhook_events(payment_id, seq);
CREATE TABLE webhook_attempts (
    event_seq   INTEGER NOT NULL REFERENCES webhook_events(seq),
    at_ms       INTEGER NOT NULL,
    http_status INTEGER,
    error       TEXT
);
CREATE INDEX webhook_attempts_event ON webhook_attempts(event_seq, at_ms);
"#;

/// Version 5 (issue 17, devices): the name a user gave a device, its last use, its
/// revocation, and the account's single-use nonce for revocations.
const SCHEMA_V5: &str = r#"
ALTER TABLE devices ADD COLUMN name TEXT;
ALTER TABLE devices ADD COLUMN last_used_at INTEGER;
ALTER TABLE devices ADD COLUMN revoked_at INTEGER;
ALTER TABLE accounts ADD COLUMN device_nonce TEXT;
"#;

/// The shared connection.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (or creates) the database and brings its schema up to date.
    pub fn open(database: &Database) -> anyhow::Result<Db> {
        let mut conn = match database {
            Database::File(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)?;
                }
                Connection::open(path)?
            }
            Database::Memory => Connection::open_in_memory()?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        crate::work::install(&conn);
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on a blocking thread with the connection locked.
    pub async fn run<F, R>(&self, f: F) -> ApiResult<R>
    where
        F: FnOnce(&mut Connection) -> ApiResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| ApiError::internal(format_args!("database task: {e}")))?
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction, committed when `f` returns
    /// `Ok` (even an `Ok` carrying a protocol error to answer), rolled back on `Err`.
    pub async fn transaction<F, R>(&self, f: F) -> ApiResult<R>
    where
        F: FnOnce(&rusqlite::Transaction<'_>) -> ApiResult<R> + Send + 'static,
        R: Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    /// Synchronous access, for start-up.
    pub fn with_conn<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> anyhow::Result<R>,
    ) -> anyhow::Result<R> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let has_table: bool = tx
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
            [],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    let version: i64 = if has_table {
        tx.query_row("SELECT MAX(version) FROM schema_version", [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0)
    } else {
        0
    };
    if version > SCHEMA_VERSION {
        anyhow::bail!(
            "database schema version {version} is newer than this sandbox ({SCHEMA_VERSION})"
        );
    }
    if version < 1 {
        tx.execute_batch(SCHEMA_V1)?;
        tx.execute("INSERT INTO schema_version (version) VALUES (1)", [])?;
    }
    if version < 2 {
        tx.execute_batch(SCHEMA_V2)?;
        tx.execute("INSERT INTO schema_version (version) VALUES (2)", [])?;
    }
    if version < 3 {
        tx.execute_batch(SCHEMA_V3)?;
        tx.execute("INSERT INTO schema_version (version) VALUES (3)", [])?;
    }
    if version < 4 {
        tx.execute_batch(SCHEMA_V4)?;
        tx.execute("INSERT INTO schema_version (version) VALUES (4)", [])?;
    }
    if version < 5 {
        tx.execute_batch(SCHEMA_V5)?;
        tx.execute("INSERT INTO schema_version (version) VALUES (5)", [])?;
    }
    tx.commit()?;
    Ok(())
}

/// A value of the `meta` table.
pub fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

pub fn meta_set(conn: &Connection, key: &str, value: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        rusqlite::params![key, value],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let db = Db::open(&Database::File(path.clone())).unwrap();
        db.with_conn(|c| Ok(meta_set(c, "k", b"v")?)).unwrap();
        drop(db);
        let db = Db::open(&Database::File(path)).unwrap();
        let v = db.with_conn(|c| Ok(meta_get(c, "k")?)).unwrap();
        assert_eq!(v.as_deref(), Some(&b"v"[..]));
        let n: i64 = db
            .with_conn(
                |c| Ok(c.query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))?),
            )
            .unwrap();
        assert_eq!(n, SCHEMA_VERSION);
    }

    #[test]
    fn a_version_1_file_is_brought_to_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.execute("INSERT INTO schema_version (version) VALUES (1)", [])
                .unwrap();
            conn.execute(
                "INSERT INTO merchants (id, name, api_key_hash, created_at) VALUES ('mer_1', 'M', x'00', 0)",
                [],
            )
            .unwrap();
        }
        let db = Db::open(&Database::File(path)).unwrap();
        let (version, refs): (i64, i64) = db
            .with_conn(|c| {
                Ok((
                    c.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))?,
                    c.query_row(
                        "SELECT COUNT(*) FROM pragma_table_info('payments') WHERE name = 'account_ref'",
                        [],
                        |r| r.get(0),
                    )?,
                ))
            })
            .unwrap();
        assert_eq!((version, refs), (SCHEMA_VERSION, 1));
        // Version 4 gave the existing merchant its own webhook secret.
        let secret: String = db
            .with_conn(|c| {
                Ok(c.query_row("SELECT webhook_secret FROM merchants", [], |r| r.get(0))?)
            })
            .unwrap();
        assert!(
            secret.starts_with("whsec_") && secret.len() == 54,
            "{secret}"
        );
    }
}
