//! The push dispatcher: writes the notifications queued by new payment requests once
//! their answer is on its way, and wakes the push feed's long polls. The queue is in
//! the database, so a request answered just before a crash is notified after the
//! restart. The admin feed drains the queue before reading, so a feed read after a
//! create always sees its notifications.

use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::push;

/// Writes every queued notification now; wakes the feed when there were some.
pub async fn drain(state: &AppState) -> ApiResult<usize> {
    let written = state
        .transaction(|tx, _, now| Ok(push::deliver_outbox(tx, now)?))
        .await?;
    if written > 0 {
        state.push_notify.notify_waiters();
    }
    Ok(written)
}

/// Runs until shutdown: drains at start (what a crash left), then at every wake-up.
pub async fn run(state: AppState) {
    let mut shutdown = state.shutdown.clone();
    loop {
        if let Err(e) = drain(&state).await {
            tracing::warn!(code = e.code_str(), "push outbox not drained");
        }
        tokio::select! {
            _ = state.outbox_wake.notified() => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
            }
        }
    }
}
