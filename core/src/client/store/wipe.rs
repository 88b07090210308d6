//! Wiping the store of a revoked device: whatever this phone knew of the account (its
//! enrollment, balance, history, journal, seen pushes) goes, and so does the
//! enrollment marker, so the app starts over as a phone that never enrolled.

use std::sync::atomic::Ordering;

use super::{Store, StoreError};

impl Store {
    /// Deletes every row and the enrollment marker.
    pub fn wipe(&self) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute_batch(
                "BEGIN IMMEDIATE;
                 DELETE FROM device; DELETE FROM seen_push; DELETE FROM balance_cache;
                 DELETE FROM payment; DELETE FROM journal;
                 COMMIT;",
            )
        })?;
        *self.device.write().unwrap_or_else(|p| p.into_inner()) = None;
        self.open_entries.store(0, Ordering::Release);
        self.marker.remove()
    }
}
