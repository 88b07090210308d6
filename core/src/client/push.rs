//! Pushes: one arriving, and one tapped.
//!
//! A push can reach the app more than once: FCM and APNs deliver again when they are
//! not sure the first delivery landed, the backend sends again after a lost answer, and
//! the app may have been restarted in between. For the user, a copy must change nothing:
//! no second notification, no second payment screen. So the two moments are told apart:
//!
//! - **Arrival** ([`Client::receive_push`]): the push receiver (FCM's
//!   `onMessageReceived`, iOS's `willPresent`) asks before showing anything. The
//!   message id is looked up and recorded in the store in one step, before the call
//!   returns, so a copy is recognised after the payment screen was closed and after a
//!   restart. A [`PushReceipt`] with `duplicate` set means: show nothing.
//! - **Tap** ([`Client::open_from_push`]): always opens the payment, copy or not: the
//!   notification on screen is one the user has not acted on. It records the message
//!   too (iOS shows a push received in the background without the app's code, so the
//!   tap may be the first the core hears of it), beside the payment's reads, not before.
//!
//! Copies are recognised by `message_id` only: a new message for the same payment (a
//! reminder) is not a copy. Give the notification the payment id as its tag (Android;
//! on iOS, the backend's `apns-collapse-id`): the platform then replaces the earlier one
//! instead of showing two. What the store keeps, and for how long, is in
//! `store/seen_push.rs`.
//!
//! A push whose arrival was recorded but whose notification never showed (the app died
//! in between) is not shown again: the pending list ([`Client::pending_payments`]) is
//! where a missed push is found.

use std::collections::HashMap;
use std::sync::Arc;

use super::{now_unix, Client, ClientError, PaymentSession};
use crate::protocol::push::parse_push;

crate::shared::shared_type! {
    replay: declare_push_receipt;
    /// What the client found out about a push that just arrived: show its notification,
    /// or drop it as a copy of one already received.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PushReceipt {
        /// The payment the push announces: the notification's tag, and what a tap opens.
        pub payment_id: String,
        /// True when this device already received this message (the same message id),
        /// even before a restart: show nothing. False for a new message.
        pub duplicate: bool,
    }
}

impl Client {
    /// Called by the push receiver when a push arrives, before any notification is
    /// shown: checks the payload (a refused one is [`ClientError::Push`]) and tells
    /// whether this message was already received, recording it before returning. Sends
    /// nothing; needs no enrollment.
    pub fn receive_push(&self, data: &HashMap<String, String>) -> Result<PushReceipt, ClientError> {
        let push = parse_push(data)?;
        let first =
            self.inner
                .store
                .remember_push(&push.message_id, &push.payment_id, now_unix())?;
        if !first {
            tracing::debug!("push delivered again: dropped");
        }
        Ok(PushReceipt {
            payment_id: push.payment_id,
            duplicate: !first,
        })
    }

    /// Opens the payment a tapped notification announces, whether or not its push was a
    /// copy. Only the payment id is taken from the push; everything shown comes from the
    /// backend. A second open of a payment already open returns the same session.
    pub async fn open_from_push(
        &self,
        data: &HashMap<String, String>,
    ) -> Result<Arc<PaymentSession>, ClientError> {
        let push = parse_push(data)?;
        let recorded = self.inner.store.remember_push_off_thread(
            &push.message_id,
            &push.payment_id,
            now_unix(),
        );
        let (recorded, session) = tokio::join!(recorded, self.open_payment(&push.payment_id));
        if let Err(error) = recorded {
            tracing::warn!(%error, "tapped push not recorded as received");
        }
        session
    }
}
