//! The last balance read from the backend, and which of two readings is the newer.
//!
//! Readings reach the cache out of order: a balance read is saved in the background
//! (`save_balance_later`), while a payment saves the balance its answer gave at once
//! (`save_balance`), so the background write of a reading taken before the payment can
//! land after the payment's. The cache keeps the reading with the greatest stamp.
//!
//! A stamp is the Unix time in milliseconds, raised when needed to one more than the
//! last stamp this store issued or found in its database. Stamps are therefore strictly
//! increasing within a run, even within one millisecond, and across restarts, even if
//! the clock went back; no two readings of one store share a stamp, so "strictly
//! greater replaces" is a total order. (Stamps used to be seconds, with `>=`: a reading
//! from before a payment, saved late in the same second, replaced the payment's.)
//!
//! A read is stamped when its request is sent, not when its answer comes: a read sent
//! before a payment's answer may show the balance before that payment, so it must not
//! count as newer than it. At worst a reading that was in fact newer is dropped, and the
//! next read brings it.

use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};

use super::{parse_amount, Store, StoreError};
use crate::amount::Amount;

/// When a balance reading was taken: milliseconds since 1970 (UTC), raised when needed
/// to stay in order (see [`Store::balance_stamp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BalanceStamp(i64);

const SAVE_BALANCE: &str = "INSERT INTO balance_cache (id, balance, fetched_at_ms) VALUES (1, ?1, ?2)
     ON CONFLICT (id) DO UPDATE SET balance = excluded.balance, fetched_at_ms = excluded.fetched_at_ms
     WHERE excluded.fetched_at_ms > balance_cache.fetched_at_ms";

/// The greatest stamp in the database, which new stamps must exceed.
pub(super) fn last_stamp(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE(MAX(fetched_at_ms), 0) FROM balance_cache",
        [],
        |row| row.get(0),
    )
}

impl Store {
    /// A stamp for a balance reading taken now: greater than every stamp before it.
    pub fn balance_stamp(&self) -> BalanceStamp {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default();
        self.balance_stamp_at(now)
    }

    /// The stamp for a reading taken at `now_ms` by the clock.
    pub(super) fn balance_stamp_at(&self, now_ms: i64) -> BalanceStamp {
        let next = |last: i64| now_ms.max(last + 1);
        let last = self
            .last_balance_stamp
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |last| Some(next(last)))
            .unwrap_or_else(|last| last);
        BalanceStamp(next(last))
    }

    /// Caches the balance, off the caller's path; it replaces the cached one only if
    /// its stamp is greater.
    pub fn save_balance_later(&self, balance: Amount, stamp: BalanceStamp) {
        self.later("balance", move |c| {
            c.execute(SAVE_BALANCE, params![balance.to_plain(), stamp.0])
                .map(drop)
        });
    }

    /// Caches the balance now; it replaces the cached one only if its stamp is greater.
    pub fn save_balance(&self, balance: Amount, stamp: BalanceStamp) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(SAVE_BALANCE, params![balance.to_plain(), stamp.0])
                .map(drop)
        })
    }

    /// The cached balance and when it was read, in seconds since 1970 (UTC).
    pub fn cached_balance(&self) -> Result<Option<(Amount, i64)>, StoreError> {
        let row = self.with(|c| {
            c.query_row(
                "SELECT balance, fetched_at_ms FROM balance_cache",
                [],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)),
            )
            .optional()
        })?;
        row.map(|(text, at_ms)| Ok((parse_amount(&text)?, at_ms.div_euclid(1000))))
            .transpose()
    }
}
