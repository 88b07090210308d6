//! The push messages this device received, by `message_id`, so that a push delivered
//! twice (an FCM or APNs retry, the backend sending again after a lost answer, the app
//! restarted in between) is told apart from a new one, across sessions and restarts.
//!
//! Bounded in age and size, pruned on each write:
//!
//! - an id is kept [`PUSH_MAX_AGE_SECS`] (24 h) after its first arrival: every copy of
//!   a push arrives within that time of its sending (protocol.md §9), so a copy never
//!   outlives the record that recognises it;
//! - at most [`SEEN_PUSH_LIMIT`] ids, the latest to arrive first: far above what a day of
//!   payment requests brings, so the limit only bounds the table against a flood. The
//!   order of arrival is SQLite's `rowid`, not the clock, so that a device clock set back
//!   cannot make the new id the first forgotten.
//!
//! A duplicate keeps its first arrival's time. The write is a cache's (`synchronous=NORMAL`):
//! it survives the app being killed; after a power loss, a copy may be shown once more,
//! which is harmless (the payment is read from the backend, and a tap opens it once).

use std::sync::Arc;

use rusqlite::{params, Connection, Transaction, TransactionBehavior};

use super::{lock, Store, StoreError};
use crate::protocol::push::PUSH_MAX_AGE_SECS;

/// Most message ids kept (see the module docs).
pub const SEEN_PUSH_LIMIT: usize = 500;

impl Store {
    /// Records that the push `message_id` (announcing `payment_id`) arrived at `now`, in
    /// seconds since 1970; true when it is the first arrival of this message, false for a
    /// copy of one already received.
    pub fn remember_push(
        &self,
        message_id: &str,
        payment_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.with(|c| remember(c, message_id, payment_id, now))
    }

    /// [`Store::remember_push`] on tokio's blocking pool, so that a tapped notification's
    /// write runs beside the reads of the payment instead of before them. The task holds
    /// the connection only (see [`Store::save_payment_later`]).
    pub async fn remember_push_off_thread(
        &self,
        message_id: &str,
        payment_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let conn = Arc::clone(&self.conn);
        let (message_id, payment_id) = (message_id.to_owned(), payment_id.to_owned());
        let write = move || remember(&lock(&conn), &message_id, &payment_id, now);
        let written = match tokio::runtime::Handle::try_current() {
            Ok(runtime) => runtime
                .spawn_blocking(write)
                .await
                .map_err(|e| StoreError {
                    detail: format!("push record task: {e}"),
                })?,
            Err(_) => write(),
        };
        Ok(written?)
    }
}

/// Forgets what is too old, records the message, then keeps the latest
/// [`SEEN_PUSH_LIMIT`]: in one transaction, taken for writing from the start so that
/// two clients on one folder cannot both see the message as new.
fn remember(
    c: &Connection,
    message_id: &str,
    payment_id: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let tx = Transaction::new_unchecked(c, TransactionBehavior::Immediate)?;
    // Both prunes are range deletes on an index (received_at; the rowid), prepared once
    // per connection: a tapped notification waits for this write.
    tx.prepare_cached("DELETE FROM seen_push WHERE received_at < ?1")?
        .execute([now.saturating_sub(PUSH_MAX_AGE_SECS)])?;
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO seen_push (message_id, payment_id, received_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![message_id, payment_id, now])?;
    if inserted == 1 {
        // Everything at or below the rowid of the first id beyond the limit, newest first.
        tx.prepare_cached(
            "DELETE FROM seen_push WHERE rowid <=
             (SELECT rowid FROM seen_push ORDER BY rowid DESC LIMIT 1 OFFSET ?1)",
        )?
        .execute([SEEN_PUSH_LIMIT as i64])?;
    }
    tx.commit()?;
    Ok(inserted == 1)
}
