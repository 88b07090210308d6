//! A payment session: one payment on screen, from the push to the outcome.
//!
//! The view the screen renders and the bytes the device signs come from the same
//! state: what the beneficiary sees is what they sign. The PIN reaches the session
//! only as a [`Pin`] taken from the keypad; it is sealed (and wiped) before anything
//! touches the network.

use std::sync::{Arc, Mutex};

use super::error::{AmountInputError, ClientError};
use super::http::{Request, Retry};
use super::outcome::PaymentOutcome;
use super::store::{JournalEntry, PaymentRecord};
use super::{now_unix, random_id, Inner};
use crate::amount::Amount;
use crate::crypto::confirmation::sign_confirmation;
use crate::keypad::Keypad;
use crate::pin::Pin;
use crate::protocol::errors::ErrorCode;
use crate::protocol::wire::{ConfirmRequest, DeclineResponse, PaymentDetail, PaymentStatus};

/// Everything the payment screen shows, with French texts ready to display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentView {
    /// The payment's id, as in the push that announced it.
    pub payment_id: String,
    /// The merchant's id, signed with the confirmation.
    pub payee_id: String,
    /// The merchant's name as the backend registered it (not as the push said).
    pub payee_name: String,
    /// Where the payment stands; only `Pending` can be confirmed.
    pub status: PaymentStatus,
    /// The order's total, what the merchant asks for.
    pub total: Amount,
    /// The account's balance when the session started.
    pub balance: Amount,
    /// Amount to pay in CV Connect (editable).
    pub amount: Amount,
    /// Remainder to pay by card: total − amount.
    pub remainder: Amount,
    /// Smallest amount payable in CV Connect, from the backend.
    pub min_amount: Amount,
    /// Largest amount payable now: the smallest of the backend's maximum, the balance
    /// and the total.
    pub max_amount: Amount,
    /// When the request lapses, in Unix seconds (the backend's clock).
    pub expires_at: i64,
    /// Digits of the PIN (4 to 6), for the keypad.
    pub pin_length: u8,
    /// Wrong PINs still allowed before the PIN locks.
    pub attempts_left: u8,
    /// True when the payment is pending and `amount` is within `min_amount..=max_amount`.
    pub can_confirm: bool,
    /// `total` in French (`"150,00 €"`).
    pub total_text: String,
    /// `balance` in French.
    pub balance_text: String,
    /// `amount` in French.
    pub amount_text: String,
    /// `remainder` in French.
    pub remainder_text: String,
}

struct State {
    detail: PaymentDetail,
    balance: Amount,
    amount: Amount,
    status: PaymentStatus,
    /// The nonce was consumed by a failed attempt: read the detail before the next one.
    stale: bool,
}

/// One payment on screen, from the push to the outcome: the amount being chosen, the
/// PIN entry and the confirmation. Safe to share between threads; one confirmation at
/// a time.
pub struct PaymentSession {
    inner: Arc<Inner>,
    state: Mutex<State>,
    confirming: tokio::sync::Mutex<()>,
}

impl PaymentSession {
    pub(crate) fn new(inner: Arc<Inner>, detail: PaymentDetail, balance: Amount) -> Self {
        let amount = inner
            .policy
            .default_amount(balance, detail.total)
            .unwrap_or(Amount::ZERO)
            .min(detail.max_amount);
        let status = detail.status;
        PaymentSession {
            inner,
            state: Mutex::new(State {
                detail,
                balance,
                amount,
                status,
                stale: false,
            }),
            confirming: tokio::sync::Mutex::new(()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The id of the payment this session is about.
    pub fn payment_id(&self) -> String {
        self.state().detail.payment_id.clone()
    }

    /// What the screen shows now, computed from the same state the device will sign.
    pub fn view(&self) -> PaymentView {
        let state = self.state();
        let detail = &state.detail;
        let max_amount = detail.max_amount.min(state.balance).min(detail.total);
        let remainder = detail
            .total
            .checked_sub(state.amount)
            .unwrap_or(Amount::ZERO);
        let can_confirm = state.status == PaymentStatus::Pending
            && state.amount >= detail.min_amount
            && state.amount <= max_amount;
        PaymentView {
            payment_id: detail.payment_id.clone(),
            payee_id: detail.payee.id.clone(),
            payee_name: detail.payee.name.clone(),
            status: state.status,
            total: detail.total,
            balance: state.balance,
            amount: state.amount,
            remainder,
            min_amount: detail.min_amount,
            max_amount,
            expires_at: detail.expires_at,
            pin_length: detail.pin_length,
            attempts_left: detail.attempts_left,
            can_confirm,
            total_text: detail.total.format_fr(),
            balance_text: state.balance.format_fr(),
            amount_text: state.amount.format_fr(),
            remainder_text: remainder.format_fr(),
        }
    }

    /// Applies the amount the beneficiary typed ("12,50", "1 234,56 €", …).
    pub fn set_amount(&self, text: &str) -> Result<PaymentView, AmountInputError> {
        let amount = Amount::parse_user(text)?;
        {
            let mut state = self.state();
            let split = self
                .inner
                .policy
                .check(amount, state.balance, state.detail.total)?;
            state.amount = split.paid;
        }
        Ok(self.view())
    }

    /// A fresh shuffled keypad for this payment's PIN length.
    pub fn start_pin_entry(&self) -> Result<Keypad, ClientError> {
        let state = self.state();
        if state.status.is_final() {
            return Err(ClientError::AlreadyHandled {
                status: state.status,
            });
        }
        Ok(Keypad::new(state.detail.pin_length)?)
    }

    /// Takes the PIN out of `keypad` (wiping it there) and confirms.
    pub async fn confirm_keypad(&self, keypad: &mut Keypad) -> Result<PaymentOutcome, ClientError> {
        let pin = keypad.take_pin()?;
        self.confirm(pin).await
    }

    /// Seals the PIN, signs the canonical bytes and submits. Safe to cancel: once the
    /// request is journaled it runs to completion on the runtime and its outcome is
    /// recorded even if the caller stopped waiting.
    pub async fn confirm(&self, pin: Pin) -> Result<PaymentOutcome, ClientError> {
        let _one_at_a_time = self
            .confirming
            .try_lock()
            .map_err(|_| ClientError::ConfirmationInProgress)?;
        if self.state().stale {
            if let Some(outcome) = self.settle_lost_attempt().await? {
                return Ok(outcome);
            }
            self.refresh().await?;
        }
        let (entry, request, record) = self.prepare(pin)?;
        let submission = self.inner.submission_lock(&entry.payment_id).await;
        self.inner.store.journal_intent(&entry)?;
        // Whatever happens next, this nonce may be spent: a caller that stops waiting
        // leaves the next attempt to learn how this one ended first.
        self.state().stale = true;
        let inner = self.inner.clone();
        let submit = async move {
            let outcome = inner.submit_confirmation(entry, request, record).await;
            drop(submission);
            outcome
        };
        let outcome = match tokio::runtime::Handle::try_current() {
            Ok(runtime) => runtime
                .spawn(submit)
                .await
                .map_err(|_| ClientError::ConfirmationInProgress)?,
            Err(_) => submit.await,
        };
        if let Ok(outcome) = &outcome {
            self.apply(outcome);
        }
        outcome
    }

    /// Before a new attempt after one whose answer was lost: if that attempt finished
    /// the payment, its outcome is the answer, not a second confirmation.
    async fn settle_lost_attempt(&self) -> Result<Option<PaymentOutcome>, ClientError> {
        let settled = self.inner.reconcile_payment(&self.payment_id()).await?;
        match settled {
            Some(outcome) if outcome.status().is_some() => {
                self.apply(&outcome);
                Ok(Some(outcome))
            }
            _ => Ok(None),
        }
    }

    /// Builds the sealed, signed request from the current state. Consumes the PIN.
    fn prepare(
        &self,
        pin: Pin,
    ) -> Result<(JournalEntry, ConfirmRequest, PaymentRecord), ClientError> {
        let device = self.inner.device()?;
        let (detail, amount, status, balance) = {
            let state = self.state();
            (
                state.detail.clone(),
                state.amount,
                state.status,
                state.balance,
            )
        };
        if status.is_final() {
            return Err(ClientError::AlreadyHandled { status });
        }
        let split = self
            .inner
            .policy
            .check(amount, balance, detail.total)
            .map_err(AmountInputError::from)?;
        let request = sign_confirmation(
            &detail,
            split.paid,
            &device.device_id,
            pin,
            self.inner.signer.as_ref(),
            random_id()?,
        )?;
        let entry = JournalEntry {
            idempotency_key: request.idempotency_key.clone(),
            payment_id: detail.payment_id.clone(),
            amount: split.paid,
            nonce: detail.nonce.clone(),
            created_at: now_unix(),
        };
        Ok((
            entry,
            request,
            PaymentRecord::of_detail(&detail, now_unix()),
        ))
    }

    fn apply(&self, outcome: &PaymentOutcome) {
        let mut state = self.state();
        match outcome {
            PaymentOutcome::WrongPin { attempts_left } => {
                state.detail.attempts_left = *attempts_left;
            }
            PaymentOutcome::PaidInFull { balance, .. }
            | PaymentOutcome::PaidInPart { balance, .. } => {
                state.balance = *balance;
            }
            _ => {}
        }
        // A wrong PIN spent the nonce; a final outcome leaves nothing to read again.
        state.stale = outcome.status().is_none();
        if let Some(status) = outcome.status() {
            state.status = status;
        }
    }

    /// Reads the payment again (new nonce after a failed attempt, status changes).
    pub async fn refresh(&self) -> Result<PaymentView, ClientError> {
        let payment_id = self.payment_id();
        let (detail, balance) = self.inner.fetch_detail_and_balance(&payment_id).await?;
        self.inner.cache_payment(&detail)?;
        {
            let mut state = self.state();
            let max = detail.max_amount.min(balance);
            if state.amount > max {
                state.amount = max;
            }
            state.status = detail.status;
            state.detail = detail;
            state.balance = balance;
            state.stale = false;
        }
        Ok(self.view())
    }

    /// Refuses the payment request; the merchant sees it CANCELLED.
    pub async fn decline(&self) -> Result<PaymentOutcome, ClientError> {
        let path = format!("/v1/payments/{}/decline", self.payment_id());
        let request = Request::post(&path, None::<&()>, Retry::Idempotent);
        let outcome = match self.inner.authed::<DeclineResponse, _>(request).await {
            Ok(_) => PaymentOutcome::Declined,
            Err(ClientError::Http(super::HttpError::Api {
                code: ErrorCode::PaymentNotPending,
                payment_status: Some(PaymentStatus::Cancelled),
                ..
            })) => PaymentOutcome::Declined,
            Err(ClientError::Http(super::HttpError::Api {
                code: ErrorCode::PaymentNotPending,
                payment_status: Some(status),
                ..
            })) => PaymentOutcome::AlreadyHandled { status },
            Err(ClientError::Http(super::HttpError::Api {
                code: ErrorCode::PaymentExpired,
                ..
            })) => PaymentOutcome::Expired,
            Err(error) => return Err(error),
        };
        self.apply(&outcome);
        let record = PaymentRecord::of_detail(&self.state().detail, now_unix());
        self.inner.record_outcome(record, &outcome).await;
        Ok(outcome)
    }
}

impl std::fmt::Debug for PaymentSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentSession")
            .field("payment_id", &self.payment_id())
            .finish_non_exhaustive()
    }
}
