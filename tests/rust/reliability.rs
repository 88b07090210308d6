//! Lost answers and cancelled callers: the outcome shown always matches the sandbox's
//! ledger and a payment is never debited twice. Killed apps: `killed_app.rs`.

use cvconnect_core::client::{ClientConfig, PaymentOutcome};
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_testkit::{
    confirm_pin, eur, type_pin, wait_for, Fault, OpenPayment, Options, World, CONFIRM_ROUTE, PIN,
};

/// A payment of `total` open on a new phone (its configuration adjusted by `tweak`) of
/// an account holding `balance`, confirmed with the right PIN while `fault` hits the
/// confirmation once. Whatever the phone was told, the sandbox debited it exactly once.
async fn confirm_under_fault(
    balance: &str,
    total: &str,
    tweak: impl FnOnce(&mut ClientConfig),
    fault: Fault,
) -> anyhow::Result<(World, OpenPayment, PaymentOutcome)> {
    let h = World::start(Options::default()).await?;
    let p = h.open_new_payment_with(balance, total, tweak).await?;
    h.inject_fault(CONFIRM_ROUTE, fault, 1).await?;
    let outcome = confirm_pin(&p.session, PIN).await?;
    assert_eq!(h.debits_for(&p.payment_id).await?, 1, "{outcome:?}");
    Ok((h, p, outcome))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_confirm_answer_is_replayed_with_its_idempotency_key() -> anyhow::Result<()> {
    let (h, p, outcome) =
        confirm_under_fault("200.00", "150.00", |_| {}, Fault::DropAfterCommit).await?;
    assert_eq!(
        outcome,
        PaymentOutcome::PaidInFull {
            paid: eur("150.00"),
            balance: eur("50.00")
        }
    );
    assert_eq!(
        h.merchant_status(&p.payment_id).await?,
        PaymentStatus::Authorised
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_retries_a_lost_answer_is_reconciled_from_the_payment_status() -> anyhow::Result<()>
{
    let no_retries = |config: &mut ClientConfig| config.max_retries = 0;
    let (_, _, outcome) =
        confirm_under_fault("120.00", "150.00", no_retries, Fault::DropAfterCommit).await?;
    assert!(
        matches!(outcome, PaymentOutcome::PaidInPart { remainder, .. } if remainder == eur("30.00"))
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_before_the_work_is_retried_once_and_pays_once() -> anyhow::Result<()> {
    let (_, _, outcome) = confirm_under_fault("200.00", "150.00", |_| {}, Fault::Error).await?;
    assert!(matches!(outcome, PaymentOutcome::PaidInFull { .. }));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_caller_does_not_cut_the_confirmation_in_half() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let p = h.open_new_payment("200.00", "150.00").await?;
    h.confirm_then_leave(&p.session, PIN).await?;

    // The detached submission finishes and records its outcome; reconcile agrees with it.
    assert_eq!(
        p.phone.wait_finished(&p.payment_id).await?,
        PaymentStatus::Authorised
    );
    let settled = p.phone.client.reconcile().await.unwrap();
    assert!(settled.is_empty(), "nothing left unresolved: {settled:?}");
    assert_eq!(h.debits_for(&p.payment_id).await?, 1);
    let again = p.phone.client.open_payment(&p.payment_id).await;
    assert!(again.is_err(), "the payment is finished");
    Ok(())
}

/// The user types a wrong PIN, leaves while it is in flight, comes back to the same
/// screen once the sandbox has counted it, and types the right one. The retry learns
/// how the first attempt ended (its nonce is spent) and reads the payment again before
/// it signs: it pays, and never meets `nonce_used`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_on_the_same_screen_after_leaving_never_reuses_a_spent_nonce() -> anyhow::Result<()>
{
    let h = World::start(Options::default()).await?;
    let p = h.open_new_payment("200.00", "150.00").await?;
    h.confirm_then_leave(&p.session, "0000").await?;
    wait_for("la sandbox compte le code faux", || async {
        let account = h.admin.account(&p.account.email).await?;
        Ok((account.failed_attempts == 1).then_some(()))
    })
    .await?;

    let outcome = confirm_pin(&p.session, PIN).await?;
    assert_eq!(
        outcome,
        PaymentOutcome::PaidInFull {
            paid: eur("150.00"),
            balance: eur("50.00")
        }
    );
    assert_eq!(h.debits_for(&p.payment_id).await?, 1);
    Ok(())
}

/// A reconciliation that starts while a confirmation is still in flight waits for it,
/// instead of settling it as "not processed" while its request may still pay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_waits_for_a_confirmation_still_in_flight() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let p = h.open_new_payment("200.00", "150.00").await?;
    h.confirm_then_leave(&p.session, PIN).await?;

    let settled = p.phone.client.reconcile().await?;
    assert!(settled.is_empty(), "its own answer settled it: {settled:?}");
    assert_eq!(h.debits_for(&p.payment_id).await?, 1);
    let history = p.phone.client.history()?;
    let record = history.iter().find(|r| r.payment_id == p.payment_id);
    assert_eq!(record.map(|r| r.status), Some(PaymentStatus::Authorised));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_of_one_account_answering_the_same_request_debit_once() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (account, first) = h.account_with_phone("200.00").await?;
    let second = h.phone(&account.email).await?;
    let payment_id = h.create_payment(&account.email, "150.00").await?;
    let a = first.client.open_payment(&payment_id).await.unwrap();
    let b = second.client.open_payment(&payment_id).await.unwrap();

    let mut keypad_a = a.start_pin_entry().unwrap();
    let mut keypad_b = b.start_pin_entry().unwrap();
    type_pin(&mut keypad_a, PIN)?;
    type_pin(&mut keypad_b, PIN)?;
    let (ra, rb) = tokio::join!(
        a.confirm_keypad(&mut keypad_a),
        b.confirm_keypad(&mut keypad_b)
    );
    let outcomes = [ra.unwrap(), rb.unwrap()];
    let paid = outcomes
        .iter()
        .filter(|o| matches!(o, PaymentOutcome::PaidInFull { .. }))
        .count();
    assert_eq!(paid, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, PaymentOutcome::AlreadyHandled { .. })),
        "{outcomes:?}"
    );
    assert_eq!(h.debits_for(&payment_id).await?, 1);
    Ok(())
}
