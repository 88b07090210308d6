//! The server clock: wall time plus an offset that `POST /admin/clock` moves forward,
//! so expiry tests never sleep. The offset is kept in the database.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

pub const CLOCK_OFFSET_KEY: &str = "clock.offset_secs";

/// The clock never moves more than a hundred years ahead of the wall clock, so that
/// every time the server computes stays far from `i64` limits.
pub const MAX_OFFSET_SECS: i64 = 100 * 365 * 24 * 3600;

impl Clock {
    pub fn with_offset(offset_secs: i64) -> Clock {
        Clock {
            offset_secs: AtomicI64::new(offset_secs),
        }
    }

    /// Unix seconds as the server sees them.
    pub fn now(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        wall.saturating_add(self.offset())
    }

    pub fn offset(&self) -> i64 {
        self.offset_secs.load(Ordering::SeqCst)
    }

    /// Moves the clock forward; returns the new offset, or `None` (and does not move)
    /// when the offset would pass [`MAX_OFFSET_SECS`].
    pub fn advance(&self, secs: i64) -> Option<i64> {
        self.offset_secs
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                offset
                    .checked_add(secs)
                    .filter(|next| (0..=MAX_OFFSET_SECS).contains(next))
            })
            .ok()
            .map(|previous| previous + secs)
    }
}
