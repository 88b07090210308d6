//! The fence before "not processed" (protocol §5.7.1, v1.3).
//!
//! Reading a payment back after a lost answer shows what the backend has done *so
//! far*. A confirmation still on its way, or held inside the server (the app was
//! killed mid-request, the network stalled), can commit after that read: a pending
//! payment with the same nonce does not prove the attempt never counts. Abandoning the
//! attempt's idempotency key does: from then on the backend refuses the key, so once
//! the fence has answered, the payment's record is the final word on that attempt.

use super::super::error::{ClientError, HttpError};
use super::super::http::{Request, Retry};
use super::super::store::JournalEntry;
use super::super::Inner;
use crate::protocol::errors::ErrorCode;
use crate::protocol::wire::{AbandonRequest, AbandonResponse, AbandonState};

/// What the fence learned about one journaled attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fence {
    /// The attempt never took effect and never will.
    Abandoned,
    /// The attempt was processed; the payment read after this shows its effect.
    Answered,
    /// A backend older than v1.3: no fence, the payment's record is all there is.
    Unsupported,
}

impl Inner {
    /// Abandons the attempt of `entry` at the backend, or learns that it was answered.
    pub(super) async fn fence(&self, entry: &JournalEntry) -> Result<Fence, ClientError> {
        let path = format!("/v1/payments/{}/abandon", entry.payment_id);
        let body = AbandonRequest {
            idempotency_key: entry.idempotency_key.clone(),
        };
        // Safe to resend: the same key gets the same answer.
        let request = Request::post(&path, Some(&body), Retry::Idempotent);
        match self.authed::<AbandonResponse, _>(request).await {
            Ok(answer) if answer.idempotency_key != entry.idempotency_key => {
                Err(HttpError::Protocol {
                    detail: "abandon answered for another key".into(),
                }
                .into())
            }
            Ok(answer) => Ok(match answer.state {
                AbandonState::Abandoned => Fence::Abandoned,
                AbandonState::Answered => Fence::Answered,
            }),
            // The payment was just read, so a 404 here is a route this backend lacks.
            Err(ClientError::Http(HttpError::Api {
                code: ErrorCode::NotFound,
                ..
            })) => {
                tracing::warn!(
                    "backend without the abandon fence (v1.3): settling from its record alone"
                );
                Ok(Fence::Unsupported)
            }
            Err(error) => Err(error),
        }
    }
}
