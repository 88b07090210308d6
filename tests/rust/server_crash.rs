//! Issue 15, item 15: the sandbox *process* killed with SIGKILL at random moments while
//! phones pay, and started again on the same SQLite file and port.
//!
//! The sandbox is the binary (`CVCONNECT_SANDBOX_BIN`, else `target/debug/cvconnect-sandbox`,
//! which `cargo test --workspace` builds; after changing the sandbox alone, run
//! `cargo build -p cvconnect-sandbox` first). Each phone is a real core client on its own
//! runtime; its merchant creates every request with an `Idempotency-Key` and retries it
//! after a lost answer. After the kills, with the sandbox up again:
//! - every request answered `201` exists, and no order was created twice;
//! - every payment a phone was told was paid (a `200`) is paid, for that amount, once;
//! - every balance is its initial value minus its ledger debits;
//! - after a last SIGKILL, `PRAGMA integrity_check` says `ok`.
//!
//! About a minute: `CVCONNECT_CRASH_SECS` (default 30) of kills, then settling. The seed
//! is fixed and printed; `CVCONNECT_CRASH_SEED` picks another.

#[path = "server_crash/phone.rs"]
mod phone;
#[path = "server_crash/process.rs"]
mod process;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cvconnect_core::amount::Amount;
use cvconnect_e2e::rng::Rng;
use cvconnect_sandbox_client::LedgerEntry;
use cvconnect_testkit::World;
use phone::{PhoneReport, PhoneSetup};
use process::{SandboxProcess, ADMIN_TOKEN};

const PHONES: usize = 4;
/// The kill times and amounts of CI's run (the interleaving is up to the scheduler).
const DEFAULT_SEED: u64 = 20_261_201;
const INITIAL_BALANCE: &str = "900000.00";

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn payments_survive_the_sandbox_process_killed_at_random() -> anyhow::Result<()> {
    let seed = env_u64("CVCONNECT_CRASH_SEED").unwrap_or(DEFAULT_SEED);
    let kill_phase = Duration::from_secs(env_u64("CVCONNECT_CRASH_SECS").unwrap_or(30));
    println!("server crash: seed {seed} (CVCONNECT_CRASH_SEED={seed} replays it), {kill_phase:?} of kills, {PHONES} phones");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite3");
    let mut server = SandboxProcess::start(&db);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let world = runtime.block_on(World::connect(server.base_url(), ADMIN_TOKEN))?;
    let setups = (0..PHONES)
        .map(|index| runtime.block_on(PhoneSetup::new(&world, index, INITIAL_BALANCE)))
        .collect::<anyhow::Result<Vec<PhoneSetup>>>()?;

    let stop = AtomicBool::new(false);
    let mut rng = Rng::new(seed);
    let (reports, kills) = std::thread::scope(|scope| {
        let phones: Vec<_> = setups
            .iter()
            .enumerate()
            .map(|(i, setup)| {
                let (stop, phone_seed) = (&stop, seed ^ ((i as u64 + 1) * 0x9E37_79B9));
                scope.spawn(move || setup.run(phone_seed, stop))
            })
            .collect();
        let started = Instant::now();
        let mut kills = 0;
        while started.elapsed() < kill_phase {
            // A random moment: the kills are the point of the test, not a synchronisation.
            std::thread::sleep(Duration::from_millis(100 + rng.below(700)));
            server.kill();
            kills += 1;
            server.restart();
        }
        stop.store(true, Ordering::SeqCst);
        let reports: Vec<PhoneReport> = phones.into_iter().map(|p| p.join().unwrap()).collect();
        (reports, kills)
    });

    let ledger = runtime.block_on(world.admin.ledger()).unwrap();
    check(&runtime, &world, &setups, &reports, &ledger.entries);
    let flows: usize = reports.iter().map(|r| r.created.len()).sum();
    let told_paid: usize = reports.iter().map(|r| r.paid.len()).sum();
    let retries: usize = reports.iter().map(|r| r.create_retries).sum();
    println!(
        "server crash: {kills} kills, {flows} requests created, {told_paid} answered paid, {} debits, {retries} create retries",
        ledger.entries.len()
    );
    assert!(kills >= 5 && flows >= PHONES, "too little happened");

    server.kill();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let twice: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM (SELECT order_ref FROM payments GROUP BY order_ref HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(twice, 0, "an order was created twice");
    let debits: i64 = conn
        .query_row("SELECT COUNT(*) FROM ledger", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        debits as usize,
        ledger.entries.len(),
        "the ledger survives the last kill"
    );
    Ok(())
}

/// What the phones were told against what the restarted sandbox holds.
fn check(
    runtime: &tokio::runtime::Runtime,
    world: &World,
    setups: &[PhoneSetup],
    reports: &[PhoneReport],
    ledger: &[LedgerEntry],
) {
    let mut debits: HashMap<&str, Vec<&LedgerEntry>> = HashMap::new();
    for entry in ledger {
        debits
            .entry(entry.payment_id.as_str())
            .or_default()
            .push(entry);
    }
    assert!(
        debits.values().all(|d| d.len() == 1),
        "a payment debited twice"
    );
    for (setup, report) in setups.iter().zip(reports) {
        let merchant = setup.merchant(&world.base_url);
        for id in &report.created {
            let payment = runtime.block_on(merchant.payment(id));
            assert!(
                payment.is_ok(),
                "{id} was answered 201 and is gone: {payment:?}"
            );
        }
        for (id, paid) in &report.paid {
            let payment = runtime.block_on(merchant.payment(id)).unwrap();
            assert_eq!(payment.paid_amount, Some(*paid), "{id}: {payment:?}");
            let entry = debits.get(id.as_str()).map(|d| d[0]);
            assert_eq!(entry.map(|e| e.amount), Some(*paid), "{id} in the ledger");
        }
        let account = runtime.block_on(world.admin.account(&setup.email)).unwrap();
        let debited = ledger
            .iter()
            .filter(|e| e.account_id == account.account_id)
            .try_fold(Amount::ZERO, |sum, e| sum.checked_add(e.amount))
            .unwrap();
        let initial = Amount::from_plain(INITIAL_BALANCE).unwrap();
        assert_eq!(
            Some(account.balance),
            initial.checked_sub(debited),
            "{}",
            setup.email
        );
    }
}
