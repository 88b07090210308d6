//! Killed apps. A child process (`killed_app_probe`) confirms a payment and aborts at a
//! named point of the confirmation (`CVCONNECT_TEST_CRASH_AT`, the core's `test-hooks`
//! feature), as when the system kills the app; the app then starts again on the same
//! folder with the same key. Each point has exactly one right outcome, and the test
//! asserts it:
//!
//! - before the send, nothing was debited: the journal entry is settled as not
//!   processed, and paying again debits once;
//! - after the backend processed the request (answer not read, or read but not
//!   journaled), it was debited once: the journal entry is settled as paid from the
//!   backend's record, never by a second debit.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use cvconnect_core::client::{PaymentOutcome, ReconciledPayment};
use cvconnect_core::crypto::signer::SoftwareSigner;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_core::test_hooks::crash::{CrashPoint, ENV_VAR};
use cvconnect_testkit::{
    confirm_pin, eur, wait_for, Fault, LogCapture, Options, Phone, World, CONFIRM_ROUTE, PIN,
};

/// The route of the fence before "not processed" (protocol v1.3).
const ABANDON_ROUTE: &str = "/v1/payments/{payment_id}/abandon";

/// The signal `std::process::abort` raises (Linux, macOS).
const SIGABRT: i32 = 6;

/// The app started again after it was killed at a crash point.
struct Killed {
    restarted: Phone,
    world: World,
    payment_id: String,
}

/// An account holding 200.00 with an enrolled phone and a payment of 150.00, and the
/// probe started on the phone's folder, confirming it: dying at `crash_at`, if given,
/// and with its confirmation held in the sandbox for `held`, if given.
async fn start_probe(
    crash_at: Option<CrashPoint>,
    held: Option<Duration>,
) -> anyhow::Result<(World, Child, PathBuf, Arc<SoftwareSigner>, String)> {
    let world = World::start(Options::default()).await?;
    let (account, phone) = world.account_with_phone("200.00").await?;
    let payment_id = world.create_payment(&account.email, "150.00").await?;
    if let Some(held) = held {
        world
            .inject_fault(CONFIRM_ROUTE, Fault::Delay(held), 1)
            .await?;
    }
    let Phone {
        data_dir, signer, ..
    } = phone;
    let key_file = data_dir.with_extension("key");
    std::fs::write(&key_file, signer.pkcs8_der())?;

    let mut probe = Command::new(env!("CARGO_BIN_EXE_killed_app_probe"));
    probe
        .arg(&world.base_url)
        .arg(&data_dir)
        .arg(&key_file)
        .arg(&payment_id)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(point) = crash_at {
        probe.env(ENV_VAR, point.name());
    }
    let child = probe.spawn()?;
    Ok((world, child, data_dir, signer, payment_id))
}

/// The probe confirms the payment and dies at `point`; the phone starts again.
async fn kill_app_at(point: CrashPoint) -> anyhow::Result<Killed> {
    let (world, mut child, data_dir, signer, payment_id) = start_probe(Some(point), None).await?;
    let ended = wait_for("la fin du téléphone tué", || {
        let status = child.try_wait();
        async move { Ok(status?) }
    })
    .await;
    if ended.is_err() {
        child.kill()?;
    }
    let status = ended?;
    let output = child.wait_with_output()?;
    let said = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        status.signal(),
        Some(SIGABRT),
        "the probe must die at {point:?}, not end with {status}: {said}{stderr}"
    );
    let reached = format!("{ENV_VAR}={}: crash point reached", point.name());
    assert!(stderr.contains(&reached), "{stderr}");

    Ok(Killed {
        restarted: world.reopen_phone(&data_dir, signer)?,
        world,
        payment_id,
    })
}

impl Killed {
    /// The journal entry of the payment, as `reconcile` settled it.
    fn entry(&self, outcome: Option<PaymentOutcome>) -> ReconciledPayment {
        ReconciledPayment {
            payment_id: self.payment_id.clone(),
            outcome,
        }
    }

    /// Paid once in full, and the phone agrees: AUTHORISED in its history, the
    /// balance after one debit, nothing left to reconcile.
    async fn assert_paid_once(&self) -> anyhow::Result<()> {
        let (world, client) = (&self.world, &self.restarted.client);
        assert_eq!(world.debits_for(&self.payment_id).await?, 1);
        assert_eq!(
            world.merchant_status(&self.payment_id).await?,
            PaymentStatus::Authorised
        );
        let history = client.history()?;
        let record = history.iter().find(|r| r.payment_id == self.payment_id);
        assert_eq!(
            record.map(|r| r.status),
            Some(PaymentStatus::Authorised),
            "{history:?}"
        );
        assert_eq!(client.balance().await?.amount, eur("50.00"));
        let left = client.reconcile().await?;
        assert!(left.is_empty(), "nothing left to reconcile: {left:?}");
        Ok(())
    }
}

/// The backend processed the confirmation before the app died: one debit, and
/// reconcile reads the payment's record instead of paying again.
async fn killed_after_the_backend_paid(point: CrashPoint) -> anyhow::Result<()> {
    let killed = kill_app_at(point).await?;
    assert_eq!(killed.world.debits_for(&killed.payment_id).await?, 1);
    let settled = killed.restarted.client.reconcile().await?;
    let paid = PaymentOutcome::PaidInFull {
        paid: eur("150.00"),
        balance: eur("50.00"),
    };
    assert_eq!(settled, [killed.entry(Some(paid))]);
    killed.assert_paid_once().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_before_the_send_nothing_is_debited_and_paying_again_debits_once(
) -> anyhow::Result<()> {
    let killed = kill_app_at(CrashPoint::BeforeSend).await?;
    let (world, client) = (&killed.world, &killed.restarted.client);
    assert_eq!(world.debits_for(&killed.payment_id).await?, 0);
    assert_eq!(client.reconcile().await?, [killed.entry(None)]);
    assert_eq!(
        world.merchant_status(&killed.payment_id).await?,
        PaymentStatus::Pending
    );

    let session = client.open_payment(&killed.payment_id).await?;
    assert!(matches!(
        confirm_pin(&session, PIN).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    killed.assert_paid_once().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_before_reading_the_answer_it_is_settled_paid() -> anyhow::Result<()> {
    killed_after_the_backend_paid(CrashPoint::AfterSend).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_before_journaling_the_answer_it_is_settled_paid() -> anyhow::Result<()> {
    killed_after_the_backend_paid(CrashPoint::AfterAnswer).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_call_after_a_restart_settles_the_journal() -> anyhow::Result<()> {
    let killed = kill_app_at(CrashPoint::AfterAnswer).await?;
    let client = &killed.restarted.client;
    assert_eq!(client.balance().await?.amount, eur("50.00"));
    let left = client.reconcile().await?;
    assert!(left.is_empty(), "already settled: {left:?}");
    killed.assert_paid_once().await
}

/// Killed while the backend still holds its confirmation: the restarted app reads the
/// payment pending with the same nonce, yet the held request has not been refused, it
/// is only late. Reconciliation fences it (§5.7.1) before saying "not processed", so
/// when it arrives it is refused, and what the phone was told stays true.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_the_backend_holds_the_request_not_processed_stays_true() -> anyhow::Result<()>
{
    let logs = LogCapture::install();
    // Long enough for the restart and the reconciliation on a loaded machine (well under
    // a second in practice), which must come first: that is the race under test.
    let held = Some(Duration::from_secs(5));
    let (world, mut child, data_dir, signer, payment_id) = start_probe(None, held).await?;
    world.faults_played(CONFIRM_ROUTE).await?;
    child.kill()?; // SIGKILL while its request is held inside the sandbox
    child.wait()?;

    let restarted = world.reopen_phone(&data_dir, signer)?;
    let entry = ReconciledPayment {
        payment_id: payment_id.clone(),
        outcome: None,
    };
    assert_eq!(restarted.client.reconcile().await?, [entry]);
    let late = format!("beneficiary confirm payment_id={payment_id}");
    let answered = wait_for("la confirmation retenue par le bac à sable", || {
        let line = logs
            .text()
            .lines()
            .find(|l| l.contains(&late))
            .map(str::to_owned);
        async move { Ok(line) }
    })
    .await?;
    assert!(answered.contains("status=409 debited=false"), "{answered}");
    assert_eq!(world.debits_for(&payment_id).await?, 0);
    assert_eq!(
        world.merchant_status(&payment_id).await?,
        PaymentStatus::Pending
    );
    Ok(())
}

/// A backend older than v1.3 has no fence: reconciliation falls back on the payment's
/// record alone, as before, and says so in the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_fence_an_older_backend_is_settled_from_its_record() -> anyhow::Result<()> {
    let logs = LogCapture::install();
    let killed = kill_app_at(CrashPoint::BeforeSend).await?;
    let (world, client) = (&killed.world, &killed.restarted.client);
    world.inject_fault(ABANDON_ROUTE, Fault::Missing, 1).await?;
    assert_eq!(client.reconcile().await?, [killed.entry(None)]);
    assert!(
        world.armed_faults().await?.is_empty(),
        "the fence was asked"
    );
    assert!(logs.text().contains("backend without the abandon fence"));
    assert_eq!(world.debits_for(&killed.payment_id).await?, 0);
    Ok(())
}
