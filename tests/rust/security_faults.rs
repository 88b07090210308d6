//! The randomized fault matrix: at least 1 000 payment flows against one sandbox, run by
//! several phones at once, with faults armed at random on every beneficiary route
//! (a few milliseconds of delay, an HTTP 500 without the work, the connection dropped
//! after the work is committed), random amounts, wrong PINs, declines, callers that
//! give up and apps killed between the journal write and the answer.
//!
//! Each phone is a real [`cvconnect_core::client::Client`] on its own Tokio runtime (the
//! "app"); killing the app is shutting that runtime down with the confirmation in
//! flight, then starting a new client on the same data directory. The harness (sandbox,
//! merchant, admin) lives on the test's main runtime.
//!
//! After every flow is settled, the phone's last known outcome of each payment equals
//! the sandbox's status, no payment has more than one ledger debit, every balance is
//! its initial value minus its ledger debits, and nothing is left to reconcile.
//!
//! `CVCONNECT_FAULT_SEED` replays a seed (the decisions of each phone; the interleaving
//! of concurrent phones is up to the scheduler); `CVCONNECT_FAULT_FLOWS` changes the
//! number of flows.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{Client, ClientError, HttpError, PaymentOutcome, PaymentSession};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_e2e::{type_pin, Fault, Harness, LogCapture, Phone, TestAccount, PIN};
use tokio::runtime::{Handle, Runtime};

/// Every route a beneficiary device calls during a payment.
const ROUTES: [&str; 7] = [
    "/v1/auth/challenge",
    "/v1/auth/token",
    "/v1/balance",
    "/v1/payments",
    "/v1/payments/{payment_id}",
    "/v1/payments/{payment_id}/confirm",
    "/v1/payments/{payment_id}/decline",
];
const CONFIRM_ROUTE: &str = "/v1/payments/{payment_id}/confirm";
const DEFAULT_FLOWS: usize = 2_000;
const PHONES: usize = 12;
const INITIAL_BALANCE: &str = "10000.00";
/// How many times a step is tried again after a retryable error before giving up.
const STEP_TRIES: usize = 30;

#[test]
#[ignore = "the fault matrix runs in its own lane: cargo xtask test faults"]
fn thousands_of_random_flows_under_faults_match_the_ledger() {
    let started = Instant::now();
    let seed = std::env::var("CVCONNECT_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    let flows: usize = std::env::var("CVCONNECT_FAULT_FLOWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_FLOWS);
    println!("fault matrix: seed {seed} (CVCONNECT_FAULT_SEED={seed} replays it), {flows} flows, {PHONES} phones");

    let logs = LogCapture::install();
    let main = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let h = main.block_on(Harness::start());
    let stats = Stats::default();

    let mut workers = Vec::new();
    for index in 0..PHONES {
        let account = main.block_on(h.account(INITIAL_BALANCE));
        let phone = main.block_on(h.phone(&account));
        workers.push(Worker {
            index,
            h: &h,
            main: main.handle(),
            stats: &stats,
            rng: Rng::new(seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            account,
            app: Some(app_runtime()),
            phone: Some(phone),
        });
    }
    let per_phone: Vec<usize> = (0..PHONES)
        .map(|i| flows / PHONES + usize::from(i < flows % PHONES))
        .collect();
    let done: Vec<(Worker<'_>, Vec<FlowRecord>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .zip(&per_phone)
            .map(|(mut worker, &count)| {
                scope.spawn(move || {
                    let records = (0..count).map(|_| worker.flow()).collect::<Vec<_>>();
                    (worker, records)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let flows_run = Instant::now();

    // Settle: no fault left, every phone reconciles what is still open.
    main.block_on(h.admin().clear_faults()).unwrap();
    let ledger = main.block_on(h.admin().ledger()).unwrap();
    let mut debits: HashMap<&str, Vec<&cvconnect_sandbox::client::LedgerEntry>> = HashMap::new();
    for entry in &ledger.entries {
        debits
            .entry(entry.payment_id.as_str())
            .or_default()
            .push(entry);
    }
    let mut checked = 0;
    let mut history_final = 0;
    for (worker, records) in &done {
        let client = worker.client();
        let left = worker.on_app(client.reconcile()).unwrap();
        assert!(
            left.is_empty(),
            "phone {}: left unreconciled {left:?}",
            worker.index
        );
        let history: HashMap<String, _> = client
            .history()
            .unwrap()
            .into_iter()
            .map(|record| (record.payment_id.clone(), record))
            .collect();
        for record in records {
            let merchant = main.block_on(h.merchant_payment(&record.payment_id));
            let entries = debits
                .get(record.payment_id.as_str())
                .cloned()
                .unwrap_or_default();
            let context = || {
                format!(
                    "phone {} payment {} (total {}): phone says {:?} paid {:?}, sandbox says {:?} paid {:?}, ledger {:?}",
                    worker.index,
                    record.payment_id,
                    record.total,
                    record.last_status,
                    record.paid,
                    merchant.status,
                    merchant.paid_amount,
                    entries
                )
            };
            assert!(merchant.status.is_final(), "{}", context());
            assert_eq!(record.last_status, Some(merchant.status), "{}", context());
            assert!(entries.len() <= 1, "debited twice: {}", context());
            let paid = matches!(
                merchant.status,
                PaymentStatus::Authorised | PaymentStatus::PartiallyAuthorised
            );
            assert_eq!(entries.len(), usize::from(paid), "{}", context());
            if let Some(entry) = entries.first() {
                assert_eq!(Some(entry.amount), merchant.paid_amount, "{}", context());
                if let Some(phone_paid) = record.paid {
                    assert_eq!(phone_paid, entry.amount, "{}", context());
                }
            }
            if let Some(stored) = history.get(&record.payment_id) {
                if stored.status.is_final() {
                    history_final += 1;
                    assert_eq!(stored.status, merchant.status, "history: {}", context());
                    assert_eq!(
                        stored.paid_amount,
                        merchant.paid_amount,
                        "history: {}",
                        context()
                    );
                }
            }
            checked += 1;
        }

        let account = main
            .block_on(h.admin().account(&worker.account.email))
            .unwrap();
        let debited = ledger
            .entries
            .iter()
            .filter(|e| e.account_id == account.account_id)
            .try_fold(Amount::ZERO, |sum, e| sum.checked_add(e.amount))
            .unwrap();
        let expected = Amount::from_plain(INITIAL_BALANCE)
            .unwrap()
            .checked_sub(debited)
            .unwrap();
        assert_eq!(account.balance, expected, "phone {}", worker.index);
        let shown = worker.on_app(client.balance()).unwrap();
        assert!(!shown.stale);
        assert_eq!(shown.amount, expected, "phone {}", worker.index);
    }
    assert_eq!(checked, flows);

    // Counts.
    let text = logs.text();
    let injected = |kind: &str| {
        text.lines()
            .filter(|l| l.contains("fault injected") && l.contains(&format!("kind={kind}")))
            .count()
    };
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, records) in &done {
        for record in records {
            *outcomes
                .entry(record.last_status.map_or("?", PaymentStatus::as_str))
                .or_default() += 1;
        }
    }
    println!("fault matrix: {checked} flows checked against the ledger ({} debits, {} in {:.1} s, checks {:.1} s)",
        ledger.entries.len(),
        ledger.total,
        (flows_run - started).as_secs_f64(),
        flows_run.elapsed().as_secs_f64()
    );
    println!("final status per flow: {outcomes:?}");
    println!(
        "faults injected (sandbox log): delay {}, error {}, drop_after_commit {}",
        injected("Delay"),
        injected("Error"),
        injected("DropAfterCommit")
    );
    for route in ROUTES {
        let hits = text
            .lines()
            .filter(|l| l.contains("fault injected") && l.contains(&format!("route={route} ")))
            .count();
        println!("  {route}: {hits}");
    }
    println!("history entries with a final status checked: {history_final}");
    stats.print();
    assert_eq!(stats.get("anomaly: right PIN refused"), 0);
    assert_eq!(stats.get("anomaly: unexpected lock"), 0);
    assert!(injected("Delay") + injected("Error") + injected("DropAfterCommit") > flows / 4);
    assert!(stats.get("restart: app killed mid-confirm") > 0);

    for (mut worker, _) in done {
        worker.phone.take();
        if let Some(app) = worker.app.take() {
            app.shutdown_background();
        }
    }
    drop(h);
    main.shutdown_timeout(Duration::from_secs(5));
}

/// A wrong PIN reaches the sandbox (attempt counted, nonce renewed) but its answer is
/// lost, and so is the read that would have reconciled it. The app offers "Réessayer"
/// on the same payment screen and the beneficiary types the right PIN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_on_the_same_screen_after_a_lost_answer_pays() {
    let h = Harness::start().await;
    let account = h.account("200.00").await;
    let phone = h.phone(&account).await;
    let payment_id = h.create_payment(&account, "50.00").await;
    let session = phone.client.open_payment(&payment_id).await.unwrap();

    // Every try of the confirmation is answered into the void; the reconciling reads fail.
    h.inject_fault(CONFIRM_ROUTE, Fault::DropAfterCommit, 3)
        .await;
    h.inject_fault("/v1/payments/{payment_id}", Fault::Error, 3)
        .await;
    let mut keypad = session.start_pin_entry().unwrap();
    type_pin(&mut keypad, "0000");
    let lost = session.confirm_keypad(&mut keypad).await;
    assert!(
        matches!(&lost, Err(error) if error.is_retryable()),
        "{lost:?}"
    );
    h.admin().clear_faults().await.unwrap();

    let mut keypad = session.start_pin_entry().unwrap();
    type_pin(&mut keypad, PIN);
    let retried = session.confirm_keypad(&mut keypad).await;
    assert!(
        matches!(retried, Ok(PaymentOutcome::PaidInFull { .. })),
        "{retried:?}"
    );
    assert_eq!(h.debits_for(&payment_id).await, 1);
}

/// One phone: an account, a client on its own runtime, and a random generator.
struct Worker<'a> {
    index: usize,
    h: &'a Harness,
    main: &'a Handle,
    stats: &'a Stats,
    rng: Rng,
    account: TestAccount,
    app: Option<Runtime>,
    phone: Option<Phone>,
}

enum Attempt {
    Outcome(PaymentOutcome),
    /// The payment was already final (the status is recorded).
    Final,
    /// No answer: the journal entry stays open until the next open or reconcile.
    Lost,
}

struct FlowRecord {
    payment_id: String,
    total: Amount,
    /// The status the last outcome shown or reconciled on the phone implies.
    last_status: Option<PaymentStatus>,
    /// What the phone says was paid, when it was told.
    paid: Option<Amount>,
    /// A reconcile after a restart said the confirmation never took effect.
    reconciled_not_processed: bool,
}

impl FlowRecord {
    fn observe(&mut self, outcome: &PaymentOutcome) {
        if let Some(status) = outcome.status() {
            self.last_status = Some(status);
        }
        if let PaymentOutcome::PaidInFull { paid, .. } | PaymentOutcome::PaidInPart { paid, .. } =
            outcome
        {
            self.paid = Some(*paid);
        }
    }

    fn is_final(&self) -> bool {
        self.last_status.is_some_and(PaymentStatus::is_final)
    }
}

fn app_runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn outcome_name(outcome: &PaymentOutcome) -> String {
    match outcome {
        PaymentOutcome::WrongPin { .. } => "WRONG_PIN".into(),
        other => other.code(),
    }
}

impl Worker<'_> {
    fn client(&self) -> &Client {
        &self.phone.as_ref().expect("phone").client
    }

    fn on_app<F: Future>(&self, future: F) -> F::Output {
        self.app.as_ref().expect("app").block_on(future)
    }

    fn on_main<F: Future>(&self, future: F) -> F::Output {
        self.main.block_on(future)
    }

    fn pause(&self, millis: u64) {
        std::thread::sleep(Duration::from_millis(millis));
    }

    fn flow(&mut self) -> FlowRecord {
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
            self.on_main(self.h.inject_fault(route, fault, 1));
            self.stats.add(format!("faults armed: {kind}"));
        }
        if self.rng.percent(3) {
            self.restart("restart: app closed between flows");
        }

        let total = Amount::from_cents(2_000 + self.rng.below(8_000));
        let payment_id = self.on_main(self.h.create_payment(&self.account, &total.to_plain()));
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
            self.on_main(self.h.unlock(&self.account));
        }
        self.stats.add("flows");
        record
    }

    /// Opens the payment directly, from the pending list or from its push.
    fn open(&mut self, record: &mut FlowRecord) -> Option<Arc<PaymentSession>> {
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
    fn push_for(&self, payment_id: &str) -> HashMap<String, String> {
        let device = self.client().enrolled_device().unwrap().expect("enrolled");
        let mut after = 0;
        loop {
            let feed = self
                .on_main(
                    self.h
                        .admin()
                        .push_feed(Some(&device.device_id), after, 5_000),
                )
                .unwrap();
            if let Some(push) = feed
                .notifications
                .iter()
                .find(|n| n.payment_id == payment_id)
            {
                return push.data.clone().into_iter().collect();
            }
            assert!(!feed.notifications.is_empty(), "no push for {payment_id}");
            after = feed.next_after;
        }
    }

    fn act(&mut self, session: Arc<PaymentSession>, record: &mut FlowRecord) {
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

    fn wrong_pin(&mut self) -> String {
        loop {
            let pin = format!("{:04}", self.rng.below(10_000));
            if pin != PIN {
                return pin;
            }
        }
    }

    fn decline(&mut self, session: &PaymentSession, record: &mut FlowRecord) {
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
    fn attempt(&mut self, session: &PaymentSession, pin: &str, record: &mut FlowRecord) -> Attempt {
        let mut keypad = match session.start_pin_entry() {
            Ok(keypad) => keypad,
            Err(ClientError::AlreadyHandled { status }) => {
                record.last_status = Some(status);
                return Attempt::Final;
            }
            Err(error) => panic!("keypad: {error:?}"),
        };
        type_pin(&mut keypad, pin);
        let result = self.on_app(session.confirm_keypad(&mut keypad));
        self.confirmed(result, record)
    }

    fn confirmed(
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
    fn give_up_waiting(&mut self, session: &PaymentSession, record: &mut FlowRecord) {
        let mut keypad = session.start_pin_entry().unwrap();
        type_pin(&mut keypad, PIN);
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
    fn kill_mid_confirm(&mut self, session: Arc<PaymentSession>, record: &mut FlowRecord) {
        let delay = Duration::from_millis(20 + self.rng.below(40));
        self.on_main(self.h.inject_fault(CONFIRM_ROUTE, Fault::Delay(delay), 1));
        self.stats.add("faults armed: delay (for a kill)");
        let mut keypad = session.start_pin_entry().unwrap();
        type_pin(&mut keypad, PIN);
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

    /// Kills the app's runtime (whatever it was doing) and starts a new client on the
    /// same data directory.
    fn restart(&mut self, counter: &str) {
        self.app.take().expect("app").shutdown_background();
        let phone = self.phone.take().expect("phone");
        let (data_dir, signer) = (phone.data_dir.clone(), phone.signer.clone());
        drop(phone);
        self.app = Some(app_runtime());
        self.phone = Some(self.on_main(self.h.reopen_phone(&data_dir, signer)));
        self.stats.add(counter.to_owned());
    }

    /// Brings the flow to a final status the way a user would: open the payment again
    /// (which reconciles its journal first) and, if still pending, pay it.
    fn settle(&mut self, record: &mut FlowRecord) {
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

/// xorshift64*, seeded through splitmix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

#[derive(Default)]
struct Stats(Mutex<BTreeMap<String, u64>>);

impl Stats {
    fn add(&self, key: impl Into<String>) {
        *self.0.lock().unwrap().entry(key.into()).or_default() += 1;
    }

    fn get(&self, key: &str) -> u64 {
        self.0.lock().unwrap().get(key).copied().unwrap_or(0)
    }

    fn print(&self) {
        for (key, count) in self.0.lock().unwrap().iter() {
            println!("  {key}: {count}");
        }
    }
}
