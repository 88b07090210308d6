//! The local SQLite store.
//!
//! What is kept: the device identity (never the private key, which stays in the
//! platform keystore), the push message ids already received (`seen_push.rs`, to drop a
//! push delivered twice), the last known balance (`balance.rs`, which also says how
//! readings are ordered), a cache of payments for the history
//! screen, and the confirmation journal.
//!
//! The journal is the reason this store exists. Before a confirmation is sent, its
//! intent (payment, idempotency key, amount, nonce — never any PIN material, not even
//! sealed) is written; the outcome is written after. An entry
//! without an outcome means "the answer may have been lost": it is reconciled with the
//! backend's status before anything else is shown for that payment.
//!
//! Durability is chosen per write: caches use `synchronous=NORMAL` (in WAL mode a
//! commit survives the app being killed, which is what caches need), while a journal
//! intent is written with `synchronous=FULL` so that it also survives a power loss
//! between the write and the request.

use std::path::Path;
use std::sync::atomic::{AtomicI64, AtomicUsize};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use rusqlite::{params, Connection, OptionalExtension};

use super::error::StoreError;
use super::marker::EnrollmentMarker;
use crate::amount::Amount;
use crate::protocol::wire::{PaymentDetail, PaymentStatus};

pub use journal::JournalEntry;
use schema::migrate;
pub use schema::schema_version;

mod balance;
mod journal;
mod schema;
mod seen_push;
mod wipe;

/// Name of the SQLite database inside the configured data folder.
pub const DATABASE_FILE: &str = "cvconnect.sqlite3";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub device_id: String,
    pub public_key: Vec<u8>,
    pub email: String,
}

crate::shared::shared_type! {
    replay: declare_payment_record;
    /// A payment this device has seen to its end (history).
    #[derive(Debug, Clone, PartialEq, Eq)]
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
}

impl PaymentRecord {
    /// The record of a payment as its detail shows it.
    pub fn of_detail(detail: &PaymentDetail, now: i64) -> PaymentRecord {
        PaymentRecord {
            payment_id: detail.payment_id.clone(),
            payee_id: detail.payee.id.clone(),
            payee_name: detail.payee.name.clone(),
            total: detail.total,
            status: detail.status,
            paid_amount: detail.paid_amount,
            remaining_amount: detail.remaining_amount,
            updated_at: now,
        }
    }
}

pub struct Store {
    conn: Arc<Mutex<Connection>>,
    /// The device row, read on every authenticated request: kept in memory once read.
    device: RwLock<Option<Option<DeviceRecord>>>,
    /// Journal entries without an outcome, so that the common case (none) needs no
    /// query on the way to a payment screen.
    open_entries: AtomicUsize,
    /// The last balance stamp issued or stored (`balance.rs`).
    last_balance_stamp: AtomicI64,
    /// Says that this folder enrolled a device, beside the database.
    marker: EnrollmentMarker,
}

impl Store {
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError {
            detail: format!("cannot create {}: {e}", data_dir.display()),
        })?;
        let mut conn = Connection::open(data_dir.join(DATABASE_FILE))?;
        // Creating a database costs several fsyncs (WAL switch, each migration). A new
        // database holds nothing to protect yet, so it is built without them.
        let fresh: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if fresh == 0 {
            conn.pragma_update(None, "synchronous", "OFF")?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let open_entries: i64 = conn.query_row(
            "SELECT COUNT(*) FROM journal WHERE outcome IS NULL",
            [],
            |row| row.get(0),
        )?;
        let last_balance_stamp = balance::last_stamp(&conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            device: RwLock::new(None),
            open_entries: AtomicUsize::new(open_entries as usize),
            last_balance_stamp: AtomicI64::new(last_balance_stamp),
            marker: EnrollmentMarker::new(data_dir),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        Ok(f(&lock(&self.conn))?)
    }

    /// Runs a write whose result nobody waits for (caches) off the caller's path, on
    /// tokio's blocking pool when there is a runtime. Failures are logged.
    fn later(
        &self,
        what: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<()> + Send + 'static,
    ) {
        let conn = self.conn.clone();
        let write = move || {
            if let Err(error) = f(&lock(&conn)) {
                tracing::warn!(%error, what, "local cache not updated");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(write)),
            Err(_) => write(),
        }
    }

    pub fn device(&self) -> Result<Option<DeviceRecord>, StoreError> {
        if let Some(cached) = self
            .device
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            return Ok(cached.clone());
        }
        let device = self.read_device()?;
        *self.device.write().unwrap_or_else(|p| p.into_inner()) = Some(device.clone());
        Ok(device)
    }

    fn read_device(&self) -> Result<Option<DeviceRecord>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT device_id, public_key, email FROM device",
                [],
                |row| {
                    Ok(DeviceRecord {
                        device_id: row.get(0)?,
                        public_key: row.get(1)?,
                        email: row.get(2)?,
                    })
                },
            )
            .optional()
        })
    }

    pub fn save_device(&self, device: &DeviceRecord, now: i64) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO device (id, device_id, public_key, email, enrolled_at)
                 VALUES (1, ?1, ?2, ?3, ?4)",
                params![device.device_id, device.public_key, device.email, now],
            )
            .map(drop)
        })?;
        *self.device.write().unwrap_or_else(|p| p.into_inner()) = Some(Some(device.clone()));
        self.marker.write(&device.device_id)
    }

    /// The device id of an enrollment this folder made and the database no longer
    /// holds (the database was truncated, replaced or lost its WAL).
    pub fn lost_device_id(&self) -> Result<Option<String>, StoreError> {
        if self.device()?.is_some() {
            return Ok(None);
        }
        self.marker.read()
    }

    pub fn save_payment(&self, payment: &PaymentRecord) -> Result<(), StoreError> {
        self.with(|c| insert_payment(c, payment))
    }

    /// [`Store::save_payment`] off the caller's path. The write holds the connection
    /// only: never the client, whose last reference may hold foreign objects (the
    /// signer, the log sink) that must not be released on a background thread.
    pub fn save_payment_later(&self, payment: PaymentRecord) {
        self.later("payment", move |c| insert_payment(c, &payment));
    }

    /// Finished payments, newest first.
    pub fn history(&self) -> Result<Vec<PaymentRecord>, StoreError> {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> = self.with(|c| {
            let mut statement = c.prepare(
                "SELECT payment_id, payee_id, payee_name, total, status, paid_amount, remaining_amount, updated_at
                 FROM payment WHERE status != 'PENDING' ORDER BY updated_at DESC, payment_id",
            )?;
            let rows = statement.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })?;
            rows.collect()
        })?;
        rows.into_iter()
            .map(
                |(payment_id, payee_id, payee_name, total, status, paid, remaining, updated_at)| {
                    Ok(PaymentRecord {
                        payment_id,
                        payee_id,
                        payee_name,
                        total: parse_amount(&total)?,
                        status: parse_status(&status)?,
                        paid_amount: paid.as_deref().map(parse_amount).transpose()?,
                        remaining_amount: remaining.as_deref().map(parse_amount).transpose()?,
                        updated_at,
                    })
                },
            )
            .collect()
    }
}

/// The connection. A poisoned lock only means another thread panicked mid-call; SQLite
/// kept its own consistency (transactions), so carry on with the connection.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn parse_amount(text: &str) -> Result<Amount, StoreError> {
    Amount::from_plain(text).map_err(|e| StoreError {
        detail: format!("stored amount {text:?}: {e}"),
    })
}

fn parse_status(text: &str) -> Result<PaymentStatus, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| StoreError {
        detail: format!("stored status {text:?}"),
    })
}

/// Writes a payment's record. A final record is never put back to pending: the pending
/// copy saved in the background when the payment was opened may land after the
/// confirmation saved its outcome (found by the killed-app tests under load).
fn insert_payment(c: &Connection, payment: &PaymentRecord) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO payment
         (payment_id, payee_id, payee_name, total, status, paid_amount, remaining_amount, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(payment_id) DO UPDATE SET
           payee_id = excluded.payee_id, payee_name = excluded.payee_name,
           total = excluded.total, status = excluded.status,
           paid_amount = excluded.paid_amount, remaining_amount = excluded.remaining_amount,
           updated_at = excluded.updated_at
         WHERE payment.status = 'PENDING' OR excluded.status != 'PENDING'",
        params![
            payment.payment_id,
            payment.payee_id,
            payment.payee_name,
            payment.total.to_plain(),
            payment.status.as_str(),
            payment.paid_amount.map(|a| a.to_plain()),
            payment.remaining_amount.map(|a| a.to_plain()),
            payment.updated_at,
        ],
    )
    .map(drop)
}

#[cfg(test)]
mod tests;
