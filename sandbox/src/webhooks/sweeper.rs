//! The expiry sweeper: readers expire a request they find past its expiry, but a
//! request nobody reads would never be expired, and its merchant never told. The
//! sweeper expires the due requests at a fixed interval (`--expiry-sweep-ms`), with
//! their events, in the same transactions as any reader would.

use crate::state::AppState;
use crate::store::payments;

/// Requests expired per transaction.
const BATCH: u32 = 200;

/// Expires every due request now; returns how many.
pub async fn sweep(state: &AppState) -> usize {
    let mut total = 0;
    loop {
        let expired = state
            .transaction(|tx, _, now| Ok(payments::expire_due(tx, None, now, BATCH)?))
            .await;
        match expired {
            Ok(n) => {
                total += n;
                if n < BATCH as usize {
                    return total;
                }
            }
            Err(e) => {
                tracing::warn!(code = e.code_str(), "expiry sweep failed");
                return total;
            }
        }
    }
}

/// Runs until shutdown.
pub async fn run(state: AppState) {
    let mut shutdown = state.shutdown.clone();
    let interval = state.config.webhooks.expiry_sweep;
    loop {
        let expired = sweep(&state).await;
        if expired > 0 {
            tracing::info!(expired, "payment requests expired by the sweeper");
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
            }
        }
    }
}
