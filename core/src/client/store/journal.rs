//! The confirmation journal (see the store's module docs for why it exists): an intent
//! written durably before a confirmation is sent, its outcome after. The count of open
//! entries is kept in memory so that the common case, none, costs no query.

use std::sync::atomic::Ordering;

use rusqlite::params;

use super::{parse_amount, Store, StoreError};
use crate::amount::Amount;

/// The intent of one confirmation, written before it is sent. No PIN material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub idempotency_key: String,
    pub payment_id: String,
    pub amount: Amount,
    pub nonce: String,
    pub created_at: i64,
}

impl Store {
    /// Writes the intent durably (`synchronous=FULL`, surviving a power loss) before
    /// the request is sent.
    pub fn journal_intent(&self, entry: &JournalEntry) -> Result<(), StoreError> {
        self.with(|c| {
            c.pragma_update(None, "synchronous", "FULL")?;
            let written = c.execute(
                "INSERT INTO journal (idempotency_key, payment_id, amount, nonce, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    entry.idempotency_key,
                    entry.payment_id,
                    entry.amount.to_plain(),
                    entry.nonce,
                    entry.created_at
                ],
            );
            c.pragma_update(None, "synchronous", "NORMAL")?;
            written.map(drop)
        })?;
        self.open_entries.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Records the outcome of the entry sent under `idempotency_key`.
    pub fn journal_resolve(
        &self,
        idempotency_key: &str,
        outcome: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        // A later, better-informed outcome may replace an earlier one (the detached
        // submission's answer after a reconcile); only the first one closes the entry.
        let closed = self.with(|c| {
            let closed = c.execute(
                "UPDATE journal SET outcome = ?2, resolved_at = ?3
                 WHERE idempotency_key = ?1 AND outcome IS NULL",
                params![idempotency_key, outcome, now],
            )?;
            if closed == 0 {
                c.execute(
                    "UPDATE journal SET outcome = ?2, resolved_at = ?3 WHERE idempotency_key = ?1",
                    params![idempotency_key, outcome, now],
                )?;
            }
            Ok(closed)
        })?;
        if closed > 0 {
            self.open_entries.fetch_sub(1, Ordering::AcqRel);
        }
        Ok(())
    }

    /// Entries without an outcome, oldest first.
    pub fn unresolved(&self) -> Result<Vec<JournalEntry>, StoreError> {
        if self.open_entries.load(Ordering::Acquire) == 0 {
            return Ok(Vec::new());
        }
        let rows: Vec<(String, String, String, String, i64)> = self.with(|c| {
            let mut statement = c.prepare(
                "SELECT idempotency_key, payment_id, amount, nonce, created_at
                 FROM journal WHERE outcome IS NULL ORDER BY created_at",
            )?;
            let rows = statement.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            rows.collect()
        })?;
        rows.into_iter()
            .map(|(idempotency_key, payment_id, amount, nonce, created_at)| {
                Ok(JournalEntry {
                    idempotency_key,
                    payment_id,
                    amount: parse_amount(&amount)?,
                    nonce,
                    created_at,
                })
            })
            .collect()
    }

    /// True while the entry sent under `idempotency_key` has no outcome.
    pub fn journal_is_open(&self, idempotency_key: &str) -> Result<bool, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM journal WHERE idempotency_key = ?1 AND outcome IS NULL",
                [idempotency_key],
                |row| row.get::<_, i64>(0),
            )
        })
        .map(|open| open > 0)
    }

    /// Outcome recorded for a journal entry, if resolved.
    #[cfg(test)]
    pub fn journal_outcome(&self, idempotency_key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension as _;
        self.with(|c| {
            c.query_row(
                "SELECT outcome FROM journal WHERE idempotency_key = ?1",
                [idempotency_key],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
        })
    }
}
