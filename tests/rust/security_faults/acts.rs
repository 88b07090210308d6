//! What a phone of the fault matrix does with an open payment: pay, type wrong PINs,
//! decline, lose the answers, give up waiting, or be killed in the middle of a
//! confirmation. After an error the beneficiary taps "Réessayer" on the same screen.

use std::sync::Arc;
use std::time::Duration;

use cvconnect_core::client::{ClientError, HttpError, PaymentOutcome, PaymentSession};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_testkit::{type_pin, Fault, PIN};

use super::belief::{FlowRecord, Told};
use super::stats::Violation;
use super::stores::wait_answered;
use super::worker::{outcome_name, Worker};
use super::{CONFIRM_ROUTE, DETAIL_ROUTE, STEP_TRIES};

/// Enough faults for every try of one confirmation, and of the read that would
/// reconcile it, to fail (the core tries a request three times), even when other
/// phones meet some of them first.
const EVERY_TRY: u32 = 6;

impl Worker<'_> {
    pub(super) fn act(&mut self, session: Arc<PaymentSession>, record: &mut FlowRecord) {
        let total = record.total.cents();
        if self.rng.percent(40) {
            let cents = 1 + self.rng.below(total - 1);
            let typed = format!("{},{:02}", cents / 100, cents % 100);
            let view = session.set_amount(&typed).unwrap();
            assert_eq!(view.amount.cents(), cents);
        }
        if self.rng.percent(10) {
            return self.decline(&session, record);
        }
        let wrong = match self.rng.below(100) {
            0..=69 => 0,
            70..=84 => 1,
            85..=95 => 2,
            _ => 3,
        };
        for attempt in 1..=wrong {
            let pin = self.wrong_pin();
            match self.attempt(&session, &pin, record) {
                Told::Outcome(PaymentOutcome::WrongPin { .. }) => {}
                Told::Outcome(PaymentOutcome::Locked) => {
                    if attempt != 3 {
                        self.stats
                            .violation(Violation::UnexpectedLock, record.summary());
                    }
                    return;
                }
                Told::Outcome(other) => panic!("wrong PIN answered {other:?}"),
                Told::Lost | Told::NonceUsed => return self.pay(&session, record),
                _ => return,
            }
        }
        match self.rng.below(100) {
            0..=59 => self.pay(&session, record),
            60..=71 => self.lose_the_answers(&session, record),
            72..=84 => self.give_up_waiting(&session, record),
            _ => self.kill_mid_confirm(session, record),
        }
    }

    pub(super) fn wrong_pin(&mut self) -> String {
        loop {
            let pin = format!("{:04}", self.rng.below(10_000));
            if pin != PIN {
                return pin;
            }
        }
    }

    /// Declines; a decline that keeps failing fails the matrix.
    pub(super) fn decline(&mut self, session: &PaymentSession, record: &mut FlowRecord) {
        for _ in 0..STEP_TRIES {
            match self.on_app(session.decline()) {
                Ok(outcome) => {
                    self.stats
                        .add(format!("outcomes: {}", outcome_name(&outcome)));
                    record.tell(Told::Outcome(outcome), self.stats);
                    return;
                }
                Err(error) if error.is_retryable() => self.stats.add("retryable errors: decline"),
                Err(error) => panic!("decline {}: {error:?}", record.payment_id),
            }
        }
        panic!(
            "decline {}: still failing after {STEP_TRIES} tries",
            record.payment_id
        );
    }

    /// Types the right PIN and confirms; after an error, tries again on the same
    /// screen, as the "Réessayer" button does, until the phone gets an answer.
    pub(super) fn pay(&mut self, session: &PaymentSession, record: &mut FlowRecord) {
        for _ in 0..STEP_TRIES {
            match self.attempt_right_pin(session, record) {
                Told::Lost | Told::NonceUsed => {
                    self.stats.add("confirm: tried again on the same screen")
                }
                _ => return,
            }
        }
        panic!(
            "{}: no answer in {STEP_TRIES} tries on the same screen: {}",
            record.payment_id,
            record.summary()
        );
    }

    pub(super) fn attempt_right_pin(
        &mut self,
        session: &PaymentSession,
        record: &mut FlowRecord,
    ) -> Told {
        self.attempt(session, PIN, record)
    }

    /// Types `pin` on a fresh keypad and confirms, waiting for the answer.
    pub(super) fn attempt(
        &mut self,
        session: &PaymentSession,
        pin: &str,
        record: &mut FlowRecord,
    ) -> Told {
        let mut keypad = match session.start_pin_entry() {
            Ok(keypad) => keypad,
            Err(ClientError::AlreadyHandled { status }) => {
                record.tell(Told::Handled(status), self.stats);
                return Told::Handled(status);
            }
            Err(error) => panic!("keypad: {error:?}"),
        };
        type_pin(&mut keypad, pin).expect("PIN typed");
        let result = self.on_app(session.confirm_keypad(&mut keypad));
        self.confirmed(result, pin == PIN, record)
    }

    /// Records what a confirmation (of the right PIN or not) answered.
    pub(super) fn confirmed(
        &mut self,
        result: Result<PaymentOutcome, ClientError>,
        right_pin: bool,
        record: &mut FlowRecord,
    ) -> Told {
        let told = match result {
            Ok(outcome) => {
                self.stats
                    .add(format!("outcomes: {}", outcome_name(&outcome)));
                Told::Outcome(outcome)
            }
            Err(ClientError::AlreadyHandled { status }) => {
                self.stats.add("confirm: already handled");
                Told::Handled(status)
            }
            Err(error) if error.is_retryable() => {
                self.stats
                    .add("confirm: answer lost (retryable error after the retries)");
                Told::Lost
            }
            Err(ClientError::Http(HttpError::Api {
                code: ErrorCode::NonceUsed,
                ..
            })) => {
                self.stats.add("confirm: nonce_used");
                Told::NonceUsed
            }
            Err(error) => panic!("confirm {}: {error:?}", record.payment_id),
        };
        if right_pin {
            record.tell_right_pin(told.clone(), self.stats);
        } else {
            record.tell(told.clone(), self.stats);
        }
        told
    }

    /// Every answer of the confirmation is lost, and so is the read that would have
    /// reconciled it (unless another phone meets those faults first); the beneficiary
    /// tries again on the same screen.
    pub(super) fn lose_the_answers(&mut self, session: &PaymentSession, record: &mut FlowRecord) {
        self.on_main(async {
            self.h
                .inject_fault(CONFIRM_ROUTE, Fault::DropAfterCommit, EVERY_TRY)
                .await?;
            self.h
                .inject_fault(DETAIL_ROUTE, Fault::Error, EVERY_TRY)
                .await
        })
        .expect("faults armed");
        self.stats.add("faults armed: every answer lost");
        let pin = if self.rng.percent(30) {
            self.wrong_pin()
        } else {
            PIN.to_owned()
        };
        match self.attempt(session, &pin, record) {
            Told::Lost | Told::NonceUsed | Told::Outcome(PaymentOutcome::WrongPin { .. }) => {
                self.pay(session, record)
            }
            _ => {}
        }
    }

    /// The caller stops waiting; the detached submission goes on in the app. The
    /// beneficiary comes back at once or once the sandbox has answered it, and tries
    /// again on the same screen or leaves it to settling.
    pub(super) fn give_up_waiting(&mut self, session: &PaymentSession, record: &mut FlowRecord) {
        let wrong_pin = self.rng.percent(30);
        let pin = if wrong_pin {
            self.wrong_pin()
        } else {
            PIN.to_owned()
        };
        let mut keypad = session.start_pin_entry().unwrap();
        type_pin(&mut keypad, &pin).expect("PIN typed");
        let patience = Duration::from_millis(self.rng.below(10));
        let answered = self.on_app(async {
            tokio::time::timeout(patience, session.confirm_keypad(&mut keypad)).await
        });
        drop(keypad);
        if let Ok(result) = answered {
            self.stats.add("caller gave up: too late, answered");
            if let Told::Lost | Told::NonceUsed | Told::Outcome(PaymentOutcome::WrongPin { .. }) =
                self.confirmed(result, !wrong_pin, record)
            {
                self.pay(session, record);
            }
            return;
        }
        self.stats.add("caller gave up: before the answer");
        record.tell(Told::GaveUp { wrong_pin }, self.stats);
        if self.rng.percent(50) {
            let database = self.h.database_path().expect("an embedded sandbox");
            wait_answered(&self.phone().data_dir, &database, &record.payment_id);
            self.stats
                .add("caller gave up: came back once the sandbox answered");
        }
        if self.rng.percent(50) {
            self.pay(session, record);
        }
    }

    /// The app is killed between the journal write and the answer, then started again
    /// on the same data directory, and reconciles.
    pub(super) fn kill_mid_confirm(
        &mut self,
        session: Arc<PaymentSession>,
        record: &mut FlowRecord,
    ) {
        let delay = Duration::from_millis(20 + self.rng.below(40));
        self.on_main(self.h.inject_fault(CONFIRM_ROUTE, Fault::Delay(delay), 1))
            .expect("fault armed");
        self.stats.add("faults armed: delay (for a kill)");
        let mut keypad = session.start_pin_entry().unwrap();
        type_pin(&mut keypad, PIN).expect("PIN typed");
        let patience = Duration::from_millis(self.rng.below(15));
        let waited = self.on_app(async {
            tokio::time::timeout(patience, session.confirm_keypad(&mut keypad)).await
        });
        drop(keypad);
        drop(session);
        // Killed right there: whatever the app was doing dies with its runtime.
        self.restart("restarts");
        match waited {
            Ok(result) => {
                self.stats.add("restart: app killed after the answer");
                self.confirmed(result, true, record);
            }
            Err(_) => {
                self.stats.add("restart: app killed mid-confirm");
                record.tell(Told::Killed, self.stats);
            }
        }
        self.reconcile_after_restart(record);
    }

    fn reconcile_after_restart(&mut self, record: &mut FlowRecord) {
        for _ in 0..STEP_TRIES {
            match self.on_app(self.client().reconcile()) {
                Ok(settled) => {
                    self.stats.add("reconciles after a restart");
                    for entry in settled {
                        if entry.payment_id != record.payment_id {
                            // An earlier flow's confirmation whose answer was lost, and
                            // which nothing needed to settle since.
                            self.stats.add("reconciled: an earlier payment's entry");
                            continue;
                        }
                        self.stats.add(match &entry.outcome {
                            Some(outcome) => format!("reconciled: {}", outcome_name(outcome)),
                            None => "reconciled: not processed".into(),
                        });
                        // The killed app's confirmation was of the right PIN.
                        record.tell_right_pin(Told::Reconciled(entry.outcome), self.stats);
                    }
                    return;
                }
                Err(error) if error.is_retryable() => self.stats.add("retryable errors: reconcile"),
                Err(error) => panic!("reconcile: {error:?}"),
            }
        }
        panic!(
            "{}: reconcile still failing after {STEP_TRIES} tries",
            record.payment_id
        );
    }
}
