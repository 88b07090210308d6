//! Outcomes of a confirmation, and the journal that makes them survive lost answers.
//!
//! A confirmation is first written to the journal, then sent, then its outcome is
//! written. Whatever interrupts that sequence (a timeout, a dropped connection, the
//! caller giving up, the app killed), the entry stays unresolved and is settled later
//! from the backend's own record of the payment, never by sending a second debit.

use super::error::{ClientError, HttpError};
use super::http::{crash_point, Request, Retry};
use super::store::{JournalEntry, PaymentRecord};
use super::{now_unix, Inner};
use crate::amount::Amount;
use crate::protocol::errors::ErrorCode;
use crate::protocol::wire::{ConfirmRequest, ConfirmResponse, PaymentDetail, PaymentStatus};
use fence::Fence;

/// What a confirmation (or a decline) ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Covered in full: "Votre achat est validé !".
    PaidInFull {
        /// Debited from the account: the whole order.
        paid: Amount,
        /// What is left on the account afterwards.
        balance: Amount,
    },
    /// Covered in part: the merchant offers to pay `remainder` by card.
    PaidInPart {
        /// Debited from the account.
        paid: Amount,
        /// What the order still needs: `total - paid`.
        remainder: Amount,
        /// What is left on the account afterwards.
        balance: Amount,
    },
    /// Wrong PIN (or device signature); `attempts_left == 1` announces the last attempt.
    WrongPin {
        /// Wrong PINs still allowed before the PIN locks.
        attempts_left: u8,
    },
    /// Too many wrong PINs: the PIN is locked and this payment refused.
    Locked,
    /// The payment request timed out before it was confirmed; nothing was debited.
    Expired,
    /// Finished before this device's answer counted (another device, the merchant).
    AlreadyHandled {
        /// The final status the backend holds.
        status: PaymentStatus,
    },
    /// The beneficiary declined the request; nothing was debited.
    Declined,
}

impl PaymentOutcome {
    /// Stable code recorded in the journal.
    pub fn code(&self) -> String {
        match self {
            PaymentOutcome::PaidInFull { .. } => "AUTHORISED".into(),
            PaymentOutcome::PaidInPart { .. } => "PARTIALLY_AUTHORISED".into(),
            PaymentOutcome::WrongPin { .. } => "WRONG_PIN".into(),
            PaymentOutcome::Locked => "LOCKED".into(),
            PaymentOutcome::Expired => "EXPIRED".into(),
            PaymentOutcome::AlreadyHandled { status } => {
                format!("ALREADY_HANDLED:{}", status.as_str())
            }
            PaymentOutcome::Declined => "DECLINED".into(),
        }
    }

    /// French sentence for the result screen.
    pub fn message_fr(&self) -> String {
        match self {
            PaymentOutcome::PaidInFull { .. } => "Votre achat est validé !".into(),
            PaymentOutcome::PaidInPart { remainder, .. } => format!(
                "Paiement accepté. Reste à payer : {} par carte bancaire.",
                remainder.format_fr()
            ),
            PaymentOutcome::WrongPin { attempts_left: 1 } => {
                "Code personnel incorrect. Dernière tentative avant blocage.".into()
            }
            PaymentOutcome::WrongPin { attempts_left } => {
                format!("Code personnel incorrect. Il vous reste {attempts_left} tentatives.")
            }
            PaymentOutcome::Locked => ErrorCode::PinLocked.message_fr().into(),
            PaymentOutcome::Expired => ErrorCode::PaymentExpired.message_fr().into(),
            PaymentOutcome::AlreadyHandled { .. } => {
                ErrorCode::PaymentNotPending.message_fr().into()
            }
            PaymentOutcome::Declined => "Paiement refusé.".into(),
        }
    }

    /// The payment's final status after this outcome; `None` for a wrong PIN, after
    /// which the payment is still pending.
    pub fn status(&self) -> Option<PaymentStatus> {
        match self {
            PaymentOutcome::PaidInFull { .. } => Some(PaymentStatus::Authorised),
            PaymentOutcome::PaidInPart { .. } => Some(PaymentStatus::PartiallyAuthorised),
            PaymentOutcome::WrongPin { .. } => None,
            PaymentOutcome::Locked => Some(PaymentStatus::Refused),
            PaymentOutcome::Expired => Some(PaymentStatus::Expired),
            PaymentOutcome::AlreadyHandled { status } => Some(*status),
            PaymentOutcome::Declined => Some(PaymentStatus::Cancelled),
        }
    }
}

/// One journal entry settled by [`super::Client::reconcile`]; `outcome` is `None` when
/// the backend shows the confirmation never took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciledPayment {
    /// The payment the entry was about.
    pub payment_id: String,
    /// What the backend's record says the confirmation ended with.
    pub outcome: Option<PaymentOutcome>,
}

const NOT_PROCESSED: &str = "NOT_PROCESSED";

impl Inner {
    /// Sends a journaled confirmation and records its outcome. Runs detached from the
    /// caller so that a cancelled caller cannot stop it between send and record; the
    /// caller took the payment's submission lock and it is held until this returns.
    pub(crate) async fn submit_confirmation(
        &self,
        entry: JournalEntry,
        request: ConfirmRequest,
        record: PaymentRecord,
    ) -> Result<PaymentOutcome, ClientError> {
        // Journaled by the session; nothing sent yet.
        crash_point!(BeforeSend);
        let path = format!("/v1/payments/{}/confirm", entry.payment_id);
        let http_request = Request {
            idempotency_key: Some(&entry.idempotency_key),
            ..Request::post(&path, Some(&request), Retry::Idempotent)
        };
        let result = match self.authed::<ConfirmResponse, _>(http_request).await {
            Ok(response) => Ok(outcome_of_success(&response)),
            Err(ClientError::Http(HttpError::Api {
                code,
                attempts_left,
                payment_status,
                ..
            })) if is_outcome_code(code) => {
                Ok(outcome_of_refusal(code, attempts_left, payment_status))
            }
            Err(error) if error.is_retryable() => {
                tracing::warn!("confirmation answer lost; reconciling with the backend");
                return match self.settle_entry(&entry).await {
                    Ok(Some(outcome)) => Ok(outcome),
                    _ => Err(error),
                };
            }
            Err(error) => Err(error),
        };
        let code = match &result {
            Ok(outcome) => outcome.code(),
            Err(error) => format!("REJECTED:{error}"),
        };
        // The answer is read; the journal does not hold it yet.
        crash_point!(AfterAnswer);
        self.store
            .journal_resolve(&entry.idempotency_key, &code, now_unix())?;
        if let Ok(outcome) = &result {
            self.record_outcome(record, outcome).await;
        }
        result
    }

    pub(crate) async fn reconcile_all(&self) -> Result<Vec<super::ReconciledPayment>, ClientError> {
        let mut settled = Vec::new();
        for entry in self.store.unresolved()? {
            let _submission = self.submission_lock(&entry.payment_id).await;
            if !self.store.journal_is_open(&entry.idempotency_key)? {
                continue; // its own submission answered while this waited
            }
            let outcome = self.settle_entry(&entry).await?;
            settled.push(ReconciledPayment {
                payment_id: entry.payment_id,
                outcome,
            });
        }
        Ok(settled)
    }

    /// Settles the open journal entries of one payment; returns the last outcome found.
    /// An entry whose submission answered while this waited for it is read back from
    /// the backend, without touching the answer its submission journaled.
    pub(crate) async fn reconcile_payment(
        &self,
        payment_id: &str,
    ) -> Result<Option<PaymentOutcome>, ClientError> {
        let mut last = None;
        for entry in self.store.unresolved()? {
            if entry.payment_id != payment_id {
                continue;
            }
            let _submission = self.submission_lock(payment_id).await;
            let outcome = if self.store.journal_is_open(&entry.idempotency_key)? {
                self.settle_entry(&entry).await?
            } else {
                let detail = self.fetch_detail(payment_id).await?;
                self.outcome_of_detail(&entry, &detail).await
            };
            last = outcome.or(last);
        }
        Ok(last)
    }

    /// Settles one journal entry from the payment's detail, fenced first while the
    /// payment is pending (the `fence` module says why). Leaves it unresolved when the
    /// backend cannot be reached. The caller holds the payment's submission lock.
    async fn settle_entry(
        &self,
        entry: &JournalEntry,
    ) -> Result<Option<PaymentOutcome>, ClientError> {
        let not_processed = || -> Result<Option<PaymentOutcome>, ClientError> {
            self.store
                .journal_resolve(&entry.idempotency_key, NOT_PROCESSED, now_unix())?;
            Ok(None)
        };
        let mut detail = match self.fetch_detail(&entry.payment_id).await {
            Ok(detail) => detail,
            Err(ClientError::PaymentNotFound { .. }) => return not_processed(),
            Err(error) => return Err(error),
        };
        if detail.status == PaymentStatus::Pending {
            match self.fence(entry).await? {
                Fence::Abandoned => {
                    self.cache_payment(&detail)?;
                    return not_processed();
                }
                Fence::Answered => detail = self.fetch_detail(&entry.payment_id).await?,
                Fence::Unsupported => {}
            }
        }
        self.cache_payment(&detail)?;
        let Some(outcome) = self.outcome_of_detail(entry, &detail).await else {
            return not_processed();
        };
        self.store
            .journal_resolve(&entry.idempotency_key, &outcome.code(), now_unix())?;
        tracing::info!(outcome = %outcome.code(), "confirmation reconciled");
        Ok(Some(outcome))
    }

    async fn outcome_of_detail(
        &self,
        entry: &JournalEntry,
        detail: &PaymentDetail,
    ) -> Option<PaymentOutcome> {
        let balance = || async {
            match detail.balance {
                Some(balance) => balance,
                None => self.fetch_balance().await.unwrap_or(Amount::ZERO),
            }
        };
        match (detail.status, detail.paid_amount) {
            (PaymentStatus::Authorised, Some(paid)) => Some(PaymentOutcome::PaidInFull {
                paid,
                balance: balance().await,
            }),
            (PaymentStatus::PartiallyAuthorised, Some(paid)) => Some(PaymentOutcome::PaidInPart {
                paid,
                remainder: detail
                    .remaining_amount
                    .unwrap_or_else(|| detail.total.checked_sub(paid).unwrap_or(Amount::ZERO)),
                balance: balance().await,
            }),
            (PaymentStatus::Refused, _) => Some(PaymentOutcome::Locked),
            (PaymentStatus::Expired, _) => Some(PaymentOutcome::Expired),
            (PaymentStatus::Pending, _) if detail.nonce == entry.nonce => None,
            // The nonce moved on: the attempt reached the server and failed.
            (PaymentStatus::Pending, _) => Some(PaymentOutcome::WrongPin {
                attempts_left: detail.attempts_left,
            }),
            (status, _) => Some(PaymentOutcome::AlreadyHandled { status }),
        }
    }

    /// Keeps the balance cache and the history in step with an outcome, from what the
    /// session already knows (`record` is its payment as last read); only a payment
    /// finished elsewhere is read again, to learn how.
    pub(crate) async fn record_outcome(&self, mut record: PaymentRecord, outcome: &PaymentOutcome) {
        let Some(status) = outcome.status() else {
            return;
        };
        match outcome {
            PaymentOutcome::PaidInFull { paid, balance } => {
                let _ = self
                    .store
                    .save_balance(*balance, self.store.balance_stamp());
                record.paid_amount = Some(*paid);
            }
            PaymentOutcome::PaidInPart {
                paid,
                remainder,
                balance,
            } => {
                let _ = self
                    .store
                    .save_balance(*balance, self.store.balance_stamp());
                record.paid_amount = Some(*paid);
                record.remaining_amount = Some(*remainder);
            }
            PaymentOutcome::AlreadyHandled { .. } => {
                if let Ok(detail) = self.fetch_detail(&record.payment_id).await {
                    let _ = self.cache_payment(&detail);
                }
                return;
            }
            _ => {}
        }
        record.status = status;
        record.updated_at = now_unix();
        if let Err(error) = self.store.save_payment(&record) {
            tracing::warn!(%error, "payment history not updated");
        }
    }
}

fn outcome_of_success(response: &ConfirmResponse) -> PaymentOutcome {
    if response.status == PaymentStatus::Authorised || response.remaining_amount == Amount::ZERO {
        PaymentOutcome::PaidInFull {
            paid: response.paid_amount,
            balance: response.balance,
        }
    } else {
        PaymentOutcome::PaidInPart {
            paid: response.paid_amount,
            remainder: response.remaining_amount,
            balance: response.balance,
        }
    }
}

fn is_outcome_code(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::AuthenticationFailed
            | ErrorCode::PinLocked
            | ErrorCode::PaymentExpired
            | ErrorCode::PaymentNotPending
    )
}

fn outcome_of_refusal(
    code: ErrorCode,
    attempts_left: Option<u8>,
    status: Option<PaymentStatus>,
) -> PaymentOutcome {
    match code {
        ErrorCode::AuthenticationFailed => match attempts_left {
            Some(0) | None => PaymentOutcome::Locked,
            Some(attempts_left) => PaymentOutcome::WrongPin { attempts_left },
        },
        ErrorCode::PinLocked => PaymentOutcome::Locked,
        ErrorCode::PaymentExpired => PaymentOutcome::Expired,
        _ => PaymentOutcome::AlreadyHandled {
            status: status.unwrap_or(PaymentStatus::Cancelled),
        },
    }
}

mod fence;
#[cfg(test)]
mod tests;
