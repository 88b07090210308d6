//! One phone of the fault matrix: an account, a real client on its own runtime (the
//! "app"), a random generator; how it opens, settles and restarts a payment.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{Client, ClientError, PaymentOutcome, PaymentSession};
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_e2e::rng::Rng;
use cvconnect_testkit::{Account, Fault, Phone, World};
use tokio::runtime::{Handle, Runtime};

use super::belief::{Belief, FlowRecord, Told};
use super::stats::Stats;
use super::{ROUTES, STEP_TRIES};

/// One phone: an account, a client on its own runtime, and a random generator.
pub(super) struct Worker<'a> {
    pub(super) index: usize,
    pub(super) h: &'a World,
    pub(super) main: &'a Handle,
    pub(super) stats: &'a Stats,
    pub(super) rng: Rng,
    pub(super) account: Account,
    pub(super) app: Option<Runtime>,
    pub(super) phone: Option<Phone>,
}

/// The runtime of a phone's app: one worker, like a small device.
pub(super) fn app_runtime() -> Runtime {
    cvconnect_testkit::runtime("app", 1).expect("the app's runtime")
}

pub(super) fn outcome_name(outcome: &PaymentOutcome) -> String {
    match outcome {
        PaymentOutcome::WrongPin { .. } => "WRONG_PIN".into(),
        other => other.code(),
    }
}

impl Worker<'_> {
    pub(super) fn client(&self) -> &Client {
        &self.phone().client
    }

    pub(super) fn phone(&self) -> &Phone {
        self.phone.as_ref().expect("phone")
    }

    pub(super) fn on_app<F: Future>(&self, future: F) -> F::Output {
        self.app.as_ref().expect("app").block_on(future)
    }

    pub(super) fn on_main<F: Future>(&self, future: F) -> F::Output {
        self.main.block_on(future)
    }

    pub(super) fn flow(&mut self) -> FlowRecord {
        self.arm_random_faults();
        if self.rng.percent(3) {
            self.restart("restart: app closed between flows");
        }
        let total = Amount::from_cents(2_000 + self.rng.below(8_000));
        let payment_id = self
            .on_main(
                self.h
                    .create_payment(&self.account.email, &total.to_plain()),
            )
            .expect("payment request");
        let mut record = FlowRecord::new(payment_id, total);
        if let Some(session) = self.open(&mut record) {
            self.act(session, &mut record);
        }
        self.check_belief(&record);
        record.settled_from = Some(record.told.len());
        self.settle(&mut record);
        if record.belief() == Belief::Final(PaymentStatus::Refused, None) {
            self.on_main(self.h.unlock(&self.account.email))
                .expect("account unlocked");
        }
        self.stats.add("flows");
        record
    }

    /// Faults for whoever comes next on those routes (any phone).
    fn arm_random_faults(&mut self) {
        let faults = [0, 0, 1, 1, 2][self.rng.below(5) as usize];
        for _ in 0..faults {
            let route = ROUTES[self.rng.below(ROUTES.len() as u64) as usize];
            let (fault, kind) = match self.rng.below(3) {
                0 => (
                    Fault::Delay(Duration::from_millis(1 + self.rng.below(8))),
                    "delay",
                ),
                1 => (Fault::Error, "error"),
                _ => (Fault::DropAfterCommit, "drop_after_commit"),
            };
            self.on_main(self.h.inject_fault(route, fault, 1))
                .expect("fault armed");
            self.stats.add(format!("faults armed: {kind}"));
        }
    }

    /// The phone's belief and its own record against the sandbox, before settling.
    fn check_belief(&self, record: &FlowRecord) {
        let history = self.client().history().expect("history");
        let stored = history.iter().find(|r| r.payment_id == record.payment_id);
        let truth = self
            .on_main(self.h.merchant_payment(&record.payment_id))
            .expect("the merchant reads the payment");
        record.check_belief(stored, &truth, self.stats);
    }

    /// Opens the payment directly, from the pending list or from its push.
    pub(super) fn open(&mut self, record: &mut FlowRecord) -> Option<Arc<PaymentSession>> {
        let how = self.rng.below(10);
        for _ in 0..STEP_TRIES {
            let id = record.payment_id.as_str();
            let client = self.client();
            let result = match how {
                0..=5 => self.on_app(client.open_payment(id)),
                6..=8 => self.on_app(async {
                    let pending = client.pending_payments().await?;
                    assert!(
                        pending.iter().any(|p| p.payment_id == id),
                        "{id} is pending"
                    );
                    client.open_payment(id).await
                }),
                _ => {
                    let push = self.push_for(id);
                    self.on_app(client.open_from_push(&push))
                }
            };
            match result {
                Ok(session) => {
                    self.stats.add(match how {
                        0..=5 => "opened: by id",
                        6..=8 => "opened: from the pending list",
                        _ => "opened: from the push",
                    });
                    return Some(session);
                }
                Err(ClientError::AlreadyHandled { status }) => {
                    record.tell(Told::Final(status), self.stats);
                    return None;
                }
                Err(error) if error.is_retryable() => self.stats.add("retryable errors: open"),
                Err(error) => panic!("opening {id}: {error:?}"),
            }
        }
        panic!(
            "{} could not be opened in {STEP_TRIES} tries",
            record.payment_id
        )
    }

    /// The push the platform delivered for `payment_id`, from the sandbox's feed.
    pub(super) fn push_for(&self, payment_id: &str) -> HashMap<String, String> {
        self.on_main(self.h.push_for(self.phone(), payment_id))
            .unwrap_or_else(|error| panic!("no push for {payment_id}: {error:#}"))
    }

    /// Kills the app's runtime (whatever it was doing) and starts a new client on the
    /// same data directory.
    pub(super) fn restart(&mut self, counter: &str) {
        self.app.take().expect("app").shutdown_background();
        let phone = self.phone.take().expect("phone");
        let (data_dir, signer) = (phone.data_dir.clone(), phone.signer.clone());
        drop(phone);
        self.app = Some(app_runtime());
        self.phone = Some(
            self.h
                .reopen_phone(&data_dir, signer)
                .expect("app restarted"),
        );
        self.stats.add(counter.to_owned());
    }

    /// Brings the flow to a final status the way a user would: open the payment again
    /// (which reconciles its journal first) and, if still pending, pay it. What it is
    /// told goes on the record after the belief, never into it.
    pub(super) fn settle(&mut self, record: &mut FlowRecord) {
        for _ in 0..STEP_TRIES {
            if record.is_final() {
                return;
            }
            match self.on_app(self.client().open_payment(&record.payment_id)) {
                Err(ClientError::AlreadyHandled { status }) => {
                    self.stats.add("settled: found final on reopening");
                    record.tell(Told::Final(status), self.stats);
                }
                Ok(session) => {
                    self.stats.add("settled: paid again after reopening");
                    self.attempt_right_pin(&session, record);
                }
                Err(error) if error.is_retryable() => self.stats.add("retryable errors: settle"),
                Err(error) => panic!("reopening {}: {error:?}", record.payment_id),
            }
        }
        panic!(
            "{} never settled in {STEP_TRIES} tries: {}",
            record.payment_id,
            record.summary()
        );
    }
}
