//! What a phone of the fault matrix does with an open payment: pay, type wrong PINs,
//! decline, give up waiting, or be killed in the middle of a confirmation.

use std::sync::Arc;
use std::time::Duration;

use cvconnect_core::client::{ClientError, HttpError, PaymentOutcome, PaymentSession};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_testkit::{type_pin, Fault, PIN};

use super::worker::{outcome_name, Attempt, FlowRecord, Worker};
use super::{CONFIRM_ROUTE, STEP_TRIES};

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
            self.decline(&session, record);
            return;
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
                Attempt::Outcome(PaymentOutcome::WrongPin { .. }) => {}
                Attempt::Outcome(PaymentOutcome::Locked) => {
                    if attempt != 3 {
                        self.stats.add("anomaly: unexpected lock");
                    }
                    return;
                }
                Attempt::Outcome(other) => panic!("wrong PIN answered {other:?}"),
                Attempt::Final | Attempt::Lost => return,
            }
        }
        match self.rng.below(100) {
            0..=79 => {
                if let Attempt::Outcome(PaymentOutcome::WrongPin { .. }) =
                    self.attempt(&session, PIN, record)
                {
                    self.stats.add("anomaly: right PIN refused");
                }
            }
            80..=89 => self.give_up_waiting(&session, record),
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

    pub(super) fn decline(&mut self, session: &PaymentSession, record: &mut FlowRecord) {
        for _ in 0..STEP_TRIES {
            match self.on_app(session.decline()) {
                Ok(outcome) => {
                    self.stats
                        .add(format!("outcomes: {}", outcome_name(&outcome)));
                    record.observe(&outcome);
                    return;
                }
                Err(error) if error.is_retryable() => {
                    self.stats.add("retryable errors: decline");
                    self.pause(2);
                }
                Err(error) => panic!("decline {}: {error:?}", record.payment_id),
            }
        }
    }

    /// Types `pin` on a fresh keypad and confirms, waiting for the outcome.
    pub(super) fn attempt(
        &mut self,
        session: &PaymentSession,
        pin: &str,
        record: &mut FlowRecord,
    ) -> Attempt {
        let mut keypad = match session.start_pin_entry() {
            Ok(keypad) => keypad,
            Err(ClientError::AlreadyHandled { status }) => {
                record.last_status = Some(status);
                return Attempt::Final;
            }
            Err(error) => panic!("keypad: {error:?}"),
        };
        type_pin(&mut keypad, pin).expect("PIN typed");
        let result = self.on_app(session.confirm_keypad(&mut keypad));
        self.confirmed(result, record)
    }

    pub(super) fn confirmed(
        &mut self,
        result: Result<PaymentOutcome, ClientError>,
        record: &mut FlowRecord,
    ) -> Attempt {
        match result {
            Ok(outcome) => {
                self.stats
                    .add(format!("outcomes: {}", outcome_name(&outcome)));
                record.observe(&outcome);
                Attempt::Outcome(outcome)
            }
            Err(ClientError::AlreadyHandled { status }) => {
                record.last_status = Some(status);
                Attempt::Final
            }
            Err(error) if error.is_retryable() => {
                self.stats
                    .add("confirm: answer lost (retryable error after the retries)");
                Attempt::Lost
            }
            Err(ClientError::Http(HttpError::Api {
                code: ErrorCode::NonceUsed,
                ..
            })) => {
                self.stats.add("confirm: nonce_used");
                Attempt::Lost
            }
            Err(error) => panic!("confirm {}: {error:?}", record.payment_id),
        }
    }

    /// The caller stops waiting; the detached submission goes on in the app.
    pub(super) fn give_up_waiting(&mut self, session: &PaymentSession, record: &mut FlowRecord) {
        let mut keypad = session.start_pin_entry().unwrap();
        type_pin(&mut keypad, PIN).expect("PIN typed");
        let patience = Duration::from_millis(self.rng.below(10));
        match self.on_app(async {
            tokio::time::timeout(patience, session.confirm_keypad(&mut keypad)).await
        }) {
            Ok(result) => {
                self.stats.add("caller gave up: too late, answered");
                self.confirmed(result, record);
            }
            Err(_) => {
                self.stats.add("caller gave up: before the answer");
                let wait = self.rng.below(40);
                self.pause(wait);
            }
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
                self.confirmed(result, record);
            }
            Err(_) => self.stats.add("restart: app killed mid-confirm"),
        }
        if self.rng.percent(50) {
            // Let the sandbox finish the request the dead app sent.
            self.pause(100);
        }
        for _ in 0..STEP_TRIES {
            match self.on_app(self.client().reconcile()) {
                Ok(settled) => {
                    self.stats.add("reconciles after a restart");
                    for entry in settled {
                        assert_eq!(entry.payment_id, record.payment_id);
                        match &entry.outcome {
                            Some(outcome) => {
                                self.stats
                                    .add(format!("reconciled: {}", outcome_name(outcome)));
                                if matches!(outcome, PaymentOutcome::WrongPin { .. }) {
                                    self.stats.add("anomaly: right PIN refused");
                                }
                                record.observe(outcome);
                            }
                            None => {
                                self.stats.add("reconciled: not processed");
                                record.reconciled_not_processed = true;
                            }
                        }
                    }
                    return;
                }
                Err(error) if error.is_retryable() => {
                    self.stats.add("retryable errors: reconcile");
                    self.pause(2);
                }
                Err(error) => panic!("reconcile: {error:?}"),
            }
        }
    }
}
