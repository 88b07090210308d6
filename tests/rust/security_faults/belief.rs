//! What a flow's phone was told, and the rules its answers must follow.
//!
//! Every answer of the phone's API about a payment (an outcome, an error, a reconciled
//! entry) is recorded as it comes. What the phone was told before anything settles the
//! payment is its *belief*; it is compared with the sandbox before settling, together
//! with the phone's own record of the payment (its history). Settling answers are kept
//! apart: a status the phone reads back from the sandbox while settling would prove
//! nothing about the client.

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{PaymentOutcome, PaymentRecord};
use cvconnect_core::protocol::wire::{MerchantPayment, PaymentStatus};

use super::stats::{Stats, Violation};

/// One answer of the phone's API about a payment.
#[derive(Debug, Clone)]
pub(super) enum Told {
    /// A confirmation or a decline answered this outcome.
    Outcome(PaymentOutcome),
    /// A confirmation on the payment screen found the payment already final.
    Handled(PaymentStatus),
    /// Opening the payment found it final.
    Final(PaymentStatus),
    /// A confirmation ended with a retryable error: its answer was lost.
    Lost,
    /// A confirmation was refused with `nonce_used`.
    NonceUsed,
    /// The caller stopped waiting; the confirmation (of a wrong PIN or not) went on
    /// in the app, out of the payment screen's sight.
    GaveUp { wrong_pin: bool },
    /// The app was killed with a confirmation of the right PIN in flight.
    Killed,
    /// `Client::reconcile` settled the payment's open confirmation (`None`: it never
    /// took effect).
    Reconciled(Option<PaymentOutcome>),
}

/// What the phone's answers say about the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Belief {
    /// Nothing: the last answer was lost or never came.
    Unknown,
    /// Still pending (a wrong PIN, or a confirmation that never took effect).
    Pending,
    /// Final, with what was paid when the phone was told.
    Final(PaymentStatus, Option<Amount>),
}

pub(super) struct FlowRecord {
    pub(super) payment_id: String,
    pub(super) total: Amount,
    /// Every answer, in order.
    pub(super) told: Vec<Told>,
    /// Where settling began in `told`: what came before is the phone's belief.
    pub(super) settled_from: Option<usize>,
}

fn is_paid(status: PaymentStatus) -> bool {
    matches!(
        status,
        PaymentStatus::Authorised | PaymentStatus::PartiallyAuthorised
    )
}

fn paid_by(outcome: &PaymentOutcome) -> Option<Amount> {
    match outcome {
        PaymentOutcome::PaidInFull { paid, .. } | PaymentOutcome::PaidInPart { paid, .. } => {
            Some(*paid)
        }
        _ => None,
    }
}

fn belief_of(told: &Told) -> Belief {
    let of_outcome = |outcome: &PaymentOutcome| match outcome.status() {
        Some(status) => Belief::Final(status, paid_by(outcome)),
        None => Belief::Pending,
    };
    match told {
        Told::Outcome(outcome) | Told::Reconciled(Some(outcome)) => of_outcome(outcome),
        Told::Handled(status) | Told::Final(status) => Belief::Final(*status, None),
        Told::Reconciled(None) => Belief::Pending,
        Told::Lost | Told::NonceUsed | Told::GaveUp { .. } | Told::Killed => Belief::Unknown,
    }
}

impl FlowRecord {
    pub(super) fn new(payment_id: String, total: Amount) -> FlowRecord {
        FlowRecord {
            payment_id,
            total,
            told: Vec::new(),
            settled_from: None,
        }
    }

    /// Records an answer, after checking the rules an answer must follow on its own.
    ///
    /// A confirmation that went on out of the screen's sight (its caller gave up, or
    /// the app was killed) is the one excuse the core has for not knowing where the
    /// payment stands: a wrong PIN sent that way moves the nonce on, so the next try
    /// may meet `nonce_used`, or be told the wrong PIN late; the right PIN sent that way
    /// may pay, so the next try may find the payment already handled.
    pub(super) fn tell(&mut self, told: Told, stats: &Stats) {
        match &told {
            Told::NonceUsed if !self.wrong_pin_out_of_sight() => {
                stats.violation(Violation::NonceUsed, self.context(&told));
            }
            Told::Handled(status) | Told::Outcome(PaymentOutcome::AlreadyHandled { status })
                if is_paid(*status) && !self.right_pin_out_of_sight() && self.successes() == 0 =>
            {
                stats.violation(Violation::OwnPaymentHandled, self.context(&told));
            }
            Told::Outcome(outcome) | Told::Reconciled(Some(outcome))
                if paid_by(outcome).is_some() && self.successes() > 0 =>
            {
                stats.violation(Violation::TwoSuccesses, self.context(&told));
            }
            _ => {}
        }
        self.told.push(told);
    }

    /// Records what a confirmation of the right PIN answered: a wrong PIN is a
    /// violation, unless it is the late answer of a wrong PIN sent out of sight.
    pub(super) fn tell_right_pin(&mut self, told: Told, stats: &Stats) {
        let refused = matches!(
            told,
            Told::Outcome(PaymentOutcome::WrongPin { .. })
                | Told::Reconciled(Some(PaymentOutcome::WrongPin { .. }))
        );
        if refused && !self.wrong_pin_out_of_sight() {
            stats.violation(Violation::RightPinRefused, self.context(&told));
        }
        self.tell(told, stats);
    }

    fn wrong_pin_out_of_sight(&self) -> bool {
        self.told
            .iter()
            .any(|told| matches!(told, Told::GaveUp { wrong_pin: true }))
    }

    fn right_pin_out_of_sight(&self) -> bool {
        self.told
            .iter()
            .any(|told| matches!(told, Told::GaveUp { wrong_pin: false } | Told::Killed))
    }

    /// How many times the phone was told that this payment was paid.
    pub(super) fn successes(&self) -> usize {
        self.told
            .iter()
            .filter(|told| match told {
                Told::Outcome(outcome) | Told::Reconciled(Some(outcome)) => {
                    paid_by(outcome).is_some()
                }
                _ => false,
            })
            .count()
    }

    /// What the answers up to now say.
    pub(super) fn belief(&self) -> Belief {
        self.told.last().map_or(Belief::Unknown, belief_of)
    }

    pub(super) fn is_final(&self) -> bool {
        matches!(self.belief(), Belief::Final(..))
    }

    /// The amount the phone was told it paid, if it was.
    pub(super) fn told_paid(&self) -> Option<Amount> {
        self.told.iter().find_map(|told| match told {
            Told::Outcome(outcome) | Told::Reconciled(Some(outcome)) => paid_by(outcome),
            _ => None,
        })
    }

    /// Compares what the phone believes, and its own record of the payment (`stored`,
    /// read before `truth`), with the sandbox. Called before anything settles the flow.
    pub(super) fn check_belief(
        &self,
        stored: Option<&PaymentRecord>,
        truth: &MerchantPayment,
        stats: &Stats,
    ) {
        let context = || format!("{}; sandbox {truth:?}; stored {stored:?}", self.summary());
        match self.belief() {
            Belief::Final(status, paid) => {
                if status != truth.status || paid.is_some_and(|p| Some(p) != truth.paid_amount) {
                    stats.violation(Violation::Belief, context());
                }
            }
            Belief::Pending if truth.status != PaymentStatus::Pending => {
                let not_processed = matches!(self.told.last(), Some(Told::Reconciled(None)));
                let kind = if not_processed && is_paid(truth.status) {
                    Violation::NotProcessedThenDebited
                } else {
                    Violation::Belief
                };
                stats.violation(kind, context());
            }
            Belief::Pending | Belief::Unknown => {}
        }
        if let Some(stored) = stored {
            if stored.status != truth.status || stored.paid_amount != truth.paid_amount {
                stats.violation(Violation::Record, context());
            }
        } else if self.told_final_outcome() {
            stats.violation(Violation::OutcomeNotKept, context());
        }
    }

    /// The last answer was a final outcome the core records in its history as it
    /// answers (not a payment found final elsewhere, which it only caches if it can).
    fn told_final_outcome(&self) -> bool {
        match self.told.last() {
            Some(Told::Outcome(PaymentOutcome::AlreadyHandled { .. })) => false,
            Some(Told::Outcome(outcome) | Told::Reconciled(Some(outcome))) => {
                outcome.status().is_some()
            }
            _ => false,
        }
    }

    pub(super) fn summary(&self) -> String {
        format!(
            "payment {} (total {}): told {:?}, settling from {:?}",
            self.payment_id, self.total, self.told, self.settled_from
        )
    }

    fn context(&self, told: &Told) -> String {
        format!("{}, then {told:?}", self.summary())
    }
}
