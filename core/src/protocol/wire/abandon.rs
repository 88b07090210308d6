//! Protocol v1.3: fencing a confirmation whose answer was lost (protocol.md §5.7.1).
//!
//! A confirmation can still be on its way to the backend, or held there, when the app
//! that sent it reads the payment back: a pending payment with an unchanged nonce then
//! says "not processed *yet*", not "never". Abandoning the attempt's idempotency key
//! makes that "never": from then on a request carrying the key is refused, so the
//! payment detail read afterwards is the final word on what the attempt did.

use serde::{Deserialize, Serialize};

/// `POST /v1/payments/{payment_id}/abandon`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbandonRequest {
    /// The idempotency key of the confirmation whose answer was lost.
    pub idempotency_key: String,
}

/// What became of the confirmation sent under the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbandonState {
    /// It was never processed, and never will be: a request with the key is refused.
    Abandoned,
    /// It was processed (whatever its answer); the payment detail tells how.
    Answered,
}

/// Answer of `POST /v1/payments/{payment_id}/abandon`; the same for the same key again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbandonResponse {
    /// The payment of the path.
    pub payment_id: String,
    /// The key of the request.
    pub idempotency_key: String,
    /// Whether the confirmation under the key was processed.
    pub state: AbandonState,
}
