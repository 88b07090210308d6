//! Lost answers, cancelled callers and a second phone on the account: the outcome shown
//! always matches the sandbox's ledger and a payment is never debited twice. Killed
//! apps: `killed_app.rs`.

use cvconnect_core::client::{ClientConfig, ClientError, HttpError, PaymentOutcome};
use cvconnect_core::protocol::errors::ErrorCode;
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_testkit::{
    confirm_pin, eur, type_pin, wait_for, Fault, OpenPayment, Options, World, CONFIRM_ROUTE, PIN,
};

/// The route of a payment's detail, which settles a lost confirmation.
const DETAIL_ROUTE: &str = "/v1/payments/{payment_id}";

fn no_retries(config: &mut ClientConfig) {
    config.max_retries = 0;
}

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

/// The answer to a confirmation that paid is lost, and so is the read that would have
/// settled it: the phone can only say that the network failed, and its journal entry
/// stays open. "Réessayer" on the same screen must learn from the backend that the
/// lost attempt paid, and say "paid", not "already handled"; nothing is debited again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_learns_that_an_unsettled_lost_attempt_paid() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let p = h
        .open_new_payment_with("200.00", "150.00", no_retries)
        .await?;
    h.inject_fault(CONFIRM_ROUTE, Fault::DropAfterCommit, 1)
        .await?;
    h.inject_fault(DETAIL_ROUTE, Fault::Error, 1).await?;
    let lost = confirm_pin(&p.session, PIN).await;
    let error = lost.expect_err("the answer and the settling read are both lost");
    let error = error.downcast_ref::<ClientError>();
    assert!(error.is_some_and(ClientError::is_retryable), "{error:?}");
    assert_eq!(
        h.debits_for(&p.payment_id).await?,
        1,
        "the lost attempt paid"
    );

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

/// Two phones of one account show the same request; the first spends the nonce with a
/// wrong PIN, so the second confirms with a nonce that is no longer current. That
/// refusal is neither an outcome of the payment nor worth settling from its status: the
/// second phone is told `nonce_used` as it is (not "already handled", not the first
/// phone's wrong PIN), and its next try on the same screen reads the payment again and
/// pays, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nonce_spent_by_another_phone_is_an_error_not_an_outcome() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (account, first) = h.account_with_phone("200.00").await?;
    let second = h.phone(&account.email).await?;
    let payment_id = h.create_payment(&account.email, "150.00").await?;
    let on_first = first.client.open_payment(&payment_id).await?;
    let on_second = second.client.open_payment(&payment_id).await?;
    let wrong = confirm_pin(&on_first, "0000").await?;
    assert_eq!(wrong, PaymentOutcome::WrongPin { attempts_left: 2 });

    let stale = confirm_pin(&on_second, PIN).await;
    let error = stale.expect_err("the nonce the second phone read is spent");
    assert!(
        matches!(
            error.downcast_ref::<ClientError>(),
            Some(ClientError::Http(HttpError::Api {
                code: ErrorCode::NonceUsed,
                ..
            }))
        ),
        "{error:?}"
    );
    assert_eq!(h.debits_for(&payment_id).await?, 0);

    let retried = confirm_pin(&on_second, PIN).await?;
    assert_eq!(
        retried,
        PaymentOutcome::PaidInFull {
            paid: eur("150.00"),
            balance: eur("50.00")
        }
    );
    assert_eq!(h.debits_for(&payment_id).await?, 1);
    Ok(())
}
