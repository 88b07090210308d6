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
use cvconnect_testkit::{Account, Fault, Phone, World, PIN};
use tokio::runtime::{Handle, Runtime};

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

pub(super) enum Attempt {
    Outcome(PaymentOutcome),
    /// The payment was already final (the status is recorded).
    Final,
    /// No answer: the journal entry stays open until the next open or reconcile.
    Lost,
}

pub(super) struct FlowRecord {
    pub(super) payment_id: String,
    pub(super) total: Amount,
    /// The status the last outcome shown or reconciled on the phone implies.
    pub(super) last_status: Option<PaymentStatus>,
    /// What the phone says was paid, when it was told.
    pub(super) paid: Option<Amount>,
    /// A reconcile after a restart said the confirmation never took effect.
    pub(super) reconciled_not_processed: bool,
}

impl FlowRecord {
    pub(super) fn observe(&mut self, outcome: &PaymentOutcome) {
        if let Some(status) = outcome.status() {
            self.last_status = Some(status);
        }
        if let PaymentOutcome::PaidInFull { paid, .. } | PaymentOutcome::PaidInPart { paid, .. } =
            outcome
        {
            self.paid = Some(*paid);
        }
    }

    pub(super) fn is_final(&self) -> bool {
        self.last_status.is_some_and(PaymentStatus::is_final)
    }
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
        &self.phone.as_ref().expect("phone").client
    }

    pub(super) fn on_app<F: Future>(&self, future: F) -> F::Output {
        self.app.as_ref().expect("app").block_on(future)
    }

    pub(super) fn on_main<F: Future>(&self, future: F) -> F::Output {
        self.main.block_on(future)
    }

    pub(super) fn pause(&self, millis: u64) {
        std::thread::sleep(Duration::from_millis(millis));
    }

    pub(super) fn flow(&mut self) -> FlowRecord {
        // Faults for whoever comes next on those routes (any phone).
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
        let mut record = FlowRecord {
            payment_id,
            total,
            last_status: None,
            paid: None,
            reconciled_not_processed: false,
        };
        if let Some(session) = self.open(&mut record) {
            self.act(session, &mut record);
        }
        self.settle(&mut record);
        if record.last_status == Some(PaymentStatus::Refused) {
            self.on_main(self.h.unlock(&self.account.email))
                .expect("account unlocked");
        }
        self.stats.add("flows");
        record
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
                    record.last_status = Some(status);
                    return None;
                }
                Err(error) if error.is_retryable() => {
                    self.stats.add("retryable errors: open");
                    self.pause(2);
                }
                Err(error) => panic!("opening {id}: {error:?}"),
            }
        }
        panic!("{} could not be opened", record.payment_id)
    }

    /// The push the platform delivered for `payment_id`, from the sandbox's feed.
    pub(super) fn push_for(&self, payment_id: &str) -> HashMap<String, String> {
        let phone = self.phone.as_ref().expect("phone");
        self.on_main(self.h.push_for(phone, payment_id))
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
    /// (which reconciles its journal first) and, if still pending, pay it.
    pub(super) fn settle(&mut self, record: &mut FlowRecord) {
        for _ in 0..STEP_TRIES {
            if record.is_final() {
                return;
            }
            match self.on_app(self.client().open_payment(&record.payment_id)) {
                Err(ClientError::AlreadyHandled { status }) => {
                    self.stats.add("settled: found final on reopening");
                    if record.reconciled_not_processed
                        && matches!(
                            status,
                            PaymentStatus::Authorised | PaymentStatus::PartiallyAuthorised
                        )
                    {
                        // The dead app's request was still on its way (the sandbox was
                        // delaying it) when the new app reconciled.
                        self.stats
                            .add("settled: 'not processed' request debited afterwards");
                    }
                    record.last_status = Some(status);
                }
                Ok(session) => {
                    self.stats.add("settled: paid again after reopening");
                    if let Attempt::Outcome(PaymentOutcome::WrongPin { .. }) =
                        self.attempt(&session, PIN, record)
                    {
                        self.stats.add("anomaly: right PIN refused");
                    }
                }
                Err(error) if error.is_retryable() => {
                    self.stats.add("retryable errors: settle");
                    self.pause(2);
                }
                Err(error) => panic!("reopening {}: {error:?}", record.payment_id),
            }
        }
        panic!("{} never settled", record.payment_id);
    }
}
