//! The randomized fault matrix: at least 1 000 payment flows against one sandbox, run by
//! several phones at once, with faults armed at random on every beneficiary route
//! (a few milliseconds of delay, an HTTP 500 without the work, the connection dropped
//! after the work is committed), random amounts, wrong PINs, declines, answers lost
//! (and tried again on the same screen), callers that give up and apps killed between
//! the journal write and the answer.
//!
//! Each phone is a real [`cvconnect_core::client::Client`] on its own Tokio runtime (the
//! "app"); killing the app is shutting that runtime down with the confirmation in
//! flight, then starting a new client on the same data directory. The harness (sandbox,
//! merchant, admin) lives on the test's main runtime.
//!
//! It checks the client, not the database:
//! - every answer of the phone's API is recorded as it comes, and what the phone was
//!   told before anything settles the payment (its belief), with its own record of the
//!   payment (history), is compared with the sandbox before settling;
//! - a confirmation tried again on the same screen never meets `nonce_used`, and the
//!   phone never finds a payment it made "already handled", unless an earlier
//!   confirmation went on out of its sight (its caller gave up, or the app was killed);
//! - a reconcile that said "not processed" is never followed by a debit from that
//!   confirmation;
//! - the phone is told at most once that a payment was paid, and for the amount
//!   debited; every confirmation the sandbox answered is in the phone's journal, and the
//!   one that debited is journaled as paid;
//! - after settling, what the phone was told, its history and its balance equal the
//!   sandbox's, and nothing is left to reconcile.
//!
//! Each of these is counted as a violation ([`stats::Violation`]) and the test fails
//! on any. That no payment is debited twice is also a `UNIQUE` constraint of the
//! sandbox's ledger: a second line of defence that the checks do not rely on
//! (see `security_faults/checks.rs`).
//!
//! The seed is fixed ([`DEFAULT_SEED`]) and printed, so that a CI failure replays as it
//! is; `CVCONNECT_FAULT_SEED=N` runs seed N and `CVCONNECT_FAULT_SEED=random` draws one
//! from the clock (the seed decides each phone's steps; the interleaving of concurrent
//! phones is up to the scheduler); `CVCONNECT_FAULT_FLOWS` changes the
//! number of flows (2 000 by default, as CI runs it), and the phones' balances grow
//! with it so that no phone runs out:
//!
//! ```sh
//! CVCONNECT_FAULT_FLOWS=10000 cargo test -p cvconnect-e2e --test security_faults -- --ignored --nocapture
//! ```

#[path = "security_faults/acts.rs"]
mod acts;
#[path = "security_faults/belief.rs"]
mod belief;
#[path = "security_faults/checks.rs"]
mod checks;
#[path = "security_faults/stats.rs"]
mod stats;
#[path = "security_faults/stores.rs"]
mod stores;
#[path = "security_faults/worker.rs"]
mod worker;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cvconnect_core::amount::Amount;
use cvconnect_core::client::PaymentOutcome;
use cvconnect_e2e::rng::Rng;
use cvconnect_testkit::{type_pin, Fault, LogCapture, Options, World, PIN};

use belief::{Belief, FlowRecord};
use checks::{check_phone, Counted, Sandbox};
use stats::{Stats, Violation};
use worker::{app_runtime, Worker};

/// Every route a beneficiary device calls during a payment.
const ROUTES: [&str; 8] = [
    "/v1/auth/challenge",
    "/v1/auth/token",
    "/v1/balance",
    "/v1/payments",
    DETAIL_ROUTE,
    CONFIRM_ROUTE,
    "/v1/payments/{payment_id}/abandon",
    "/v1/payments/{payment_id}/decline",
];
const DETAIL_ROUTE: &str = "/v1/payments/{payment_id}";
const CONFIRM_ROUTE: &str = "/v1/payments/{payment_id}/confirm";
const DEFAULT_FLOWS: usize = 2_000;
const PHONES: usize = 12;
/// The largest order total of a flow (99,99 €), so the most one flow can debit.
const MAX_FLOW_TOTAL_CENTS: u64 = 9_999;

/// The balance each phone starts with: enough for every flow it runs to be paid in
/// full (so that balances scale with `CVCONNECT_FAULT_FLOWS`), and at least 10 000 €.
fn initial_balance(flows_per_phone: usize) -> Amount {
    let needed = (flows_per_phone as u64).saturating_mul(MAX_FLOW_TOTAL_CENTS);
    Amount::try_from_cents(needed.max(1_000_000))
        .expect("CVCONNECT_FAULT_FLOWS too large for one balance per phone")
}
/// How many times a step is tried again after a retryable error before the matrix
/// fails: with faults armed for one request at a time, a step that fails that often is
/// a bug, not bad luck.
const STEP_TRIES: usize = 30;

/// The seed CI runs.
const DEFAULT_SEED: u64 = 20_261_201;

/// `CVCONNECT_FAULT_SEED`: a number, `random`, or unset for [`DEFAULT_SEED`].
fn fault_seed() -> u64 {
    match std::env::var("CVCONNECT_FAULT_SEED").ok().as_deref() {
        None | Some("") => DEFAULT_SEED,
        Some("random") => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(DEFAULT_SEED, |since| since.as_nanos() as u64),
        Some(number) => number
            .parse()
            .unwrap_or_else(|_| panic!("CVCONNECT_FAULT_SEED={number}: a number or `random`")),
    }
}

#[test]
#[ignore = "the fault matrix runs in its own lane: cargo xtask test faults"]
fn thousands_of_random_flows_under_faults_match_the_ledger() -> anyhow::Result<()> {
    let started = Instant::now();
    let seed = fault_seed();
    let flows: usize = std::env::var("CVCONNECT_FAULT_FLOWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_FLOWS);
    let initial = initial_balance(flows.div_ceil(PHONES));
    println!("fault matrix: seed {seed} (CVCONNECT_FAULT_SEED={seed} replays it), {flows} flows, {PHONES} phones, {} each", initial.to_plain());

    let logs = LogCapture::install();
    let main = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let h = main.block_on(World::start(Options::default()))?;
    let stats = Stats::default();

    let mut workers = Vec::new();
    for index in 0..PHONES {
        let (account, phone) = main.block_on(h.account_with_phone(&initial.to_plain()))?;
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

    // Settled: no fault left, every phone has reconciled what was still open.
    main.block_on(h.clear_faults())?;
    let ledger = main.block_on(h.admin.ledger()).unwrap();
    let mut debits: HashMap<&str, Vec<&cvconnect_sandbox_client::LedgerEntry>> = HashMap::new();
    for entry in &ledger.entries {
        debits
            .entry(entry.payment_id.as_str())
            .or_default()
            .push(entry);
    }
    let sandbox = Sandbox {
        h: &h,
        main: &main,
        debits,
        keys: stores::answered_keys(&h.database_path().expect("an embedded sandbox")),
    };
    let mut counted = Counted::default();
    for (worker, records) in &done {
        let client = worker.client();
        let left = worker.on_app(client.reconcile()).unwrap();
        assert!(
            left.is_empty(),
            "phone {}: left unreconciled {left:?}",
            worker.index
        );
        check_phone(worker, records, &sandbox, &stats, &mut counted);

        let account = main
            .block_on(h.admin.account(&worker.account.email))
            .unwrap();
        let expected = initial
            .checked_sub(checks::debited(&ledger.entries, &account.account_id))
            .unwrap();
        assert_eq!(account.balance, expected, "phone {}", worker.index);
        let shown = worker.on_app(client.balance()).unwrap();
        assert!(!shown.stale);
        assert_eq!(shown.amount, expected, "phone {}", worker.index);
    }
    assert_eq!(counted.flows, flows);

    let text = logs.text();
    let injected = |kind: &str| {
        text.lines()
            .filter(|l| l.contains("fault injected") && l.contains(&format!("kind={kind}")))
            .count()
    };
    println!("fault matrix: {} flows checked against the ledger ({} debits, {} in {:.1} s, checks {:.1} s)",
        counted.flows,
        ledger.entries.len(),
        ledger.total,
        (flows_run - started).as_secs_f64(),
        flows_run.elapsed().as_secs_f64()
    );
    print_counts(&done, &text, &stats, &counted);
    let report = stats.violation_report();
    assert!(
        report.is_empty(),
        "seed {seed} (CVCONNECT_FAULT_SEED={seed} replays it), violations:\n{report}"
    );
    for named in [
        Violation::NonceUsed,
        Violation::NotProcessedThenDebited,
        Violation::TwoSuccesses,
        Violation::RightPinRefused,
        Violation::UnexpectedLock,
    ] {
        assert_eq!(stats.violations(named), 0, "{named:?}");
    }
    assert!(injected("Delay") + injected("Error") + injected("DropAfterCommit") > flows / 4);
    if flows >= DEFAULT_FLOWS {
        // The cases the checks above are about did happen (each a few dozen times at
        // the default count; a short run may miss one).
        for case in [
            "restart: app killed mid-confirm",
            "reconciled: not processed",
            "confirm: answer lost (retryable error after the retries)",
            "confirm: tried again on the same screen",
            "caller gave up: before the answer",
        ] {
            assert!(stats.get(case) > 0, "{case}: never happened");
        }
    }

    for (mut worker, _) in done {
        worker.phone.take();
        if let Some(app) = worker.app.take() {
            app.shutdown_background();
        }
    }
    drop(h);
    main.shutdown_timeout(Duration::from_secs(5));
    Ok(())
}

/// The counts of the run: final statuses, faults injected per route, what the phones
/// did and were told.
fn print_counts(
    done: &[(Worker<'_>, Vec<FlowRecord>)],
    log: &str,
    stats: &Stats,
    counted: &Counted,
) {
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, records) in done {
        for record in records {
            let status = match record.belief() {
                Belief::Final(status, _) => status.as_str(),
                Belief::Pending | Belief::Unknown => "?",
            };
            *outcomes.entry(status).or_default() += 1;
        }
    }
    println!("final status per flow: {outcomes:?}");
    let injected = |what: &str| {
        log.lines()
            .filter(|l| l.contains("fault injected") && l.contains(what))
            .count()
    };
    println!(
        "faults injected (sandbox log): delay {}, error {}, drop_after_commit {}",
        injected("kind=Delay"),
        injected("kind=Error"),
        injected("kind=DropAfterCommit")
    );
    for route in ROUTES {
        println!("  {route}: {}", injected(&format!("route={route} ")));
    }
    println!(
        "history entries checked: {} (missing: {})",
        counted.history_checked, counted.history_missing
    );
    stats.print();
}

/// A wrong PIN reaches the sandbox (attempt counted, nonce renewed) but its answer is
/// lost, and so is the read that would have reconciled it. The app offers "Réessayer"
/// on the same payment screen and the beneficiary types the right PIN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_on_the_same_screen_after_a_lost_answer_pays() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let p = h.open_new_payment("200.00", "50.00").await?;
    let session = &p.session;

    // Every try of the confirmation is answered into the void; the reconciling reads fail.
    h.inject_fault(CONFIRM_ROUTE, Fault::DropAfterCommit, 3)
        .await?;
    h.inject_fault(DETAIL_ROUTE, Fault::Error, 3).await?;
    let mut keypad = session.start_pin_entry().unwrap();
    type_pin(&mut keypad, "0000")?;
    let lost = session.confirm_keypad(&mut keypad).await;
    assert!(
        matches!(&lost, Err(error) if error.is_retryable()),
        "{lost:?}"
    );
    h.clear_faults().await?;

    let mut keypad = session.start_pin_entry().unwrap();
    type_pin(&mut keypad, PIN)?;
    let retried = session.confirm_keypad(&mut keypad).await;
    assert!(
        matches!(retried, Ok(PaymentOutcome::PaidInFull { .. })),
        "{retried:?}"
    );
    assert_eq!(h.debits_for(&p.payment_id).await?, 1);
    Ok(())
}
