//! The payment flow end to end: the real client against a real sandbox on loopback.

use std::collections::HashMap;
use std::sync::Arc;

use cvconnect_core::amount::Amount;
use cvconnect_core::client::{ClientError, PaymentOutcome};
use cvconnect_core::protocol::wire::PaymentStatus;
use cvconnect_testkit::{confirm_pin, eur, OpenPayment, Options, Phone, World, PIN};

/// A payment request of 150.00 to a new account holding 200.00: the world, the
/// account's enrolled phone, the payment id and the push the phone received.
async fn pushed() -> anyhow::Result<(World, Phone, String, HashMap<String, String>)> {
    let h = World::start(Options::default()).await?;
    let (account, phone) = h.account_with_phone("200.00").await?;
    let payment_id = h.create_payment(&account.email, "150.00").await?;
    let push = h.push_for(&phone, &payment_id).await?;
    Ok((h, phone, payment_id, push))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_flow_pays_in_full() -> anyhow::Result<()> {
    let (h, phone, payment_id, push) = pushed().await?;
    let session = phone.client.open_from_push(&push).await.unwrap();
    let view = session.view();
    assert_eq!(view.payment_id, payment_id);
    assert_eq!(
        (view.total, view.balance, view.amount),
        (eur("150.00"), eur("200.00"), eur("150.00"))
    );
    assert_eq!(view.remainder, Amount::ZERO);
    assert_eq!(view.payee_name, "Boutique Démo");
    assert!(view.can_confirm);

    let outcome = confirm_pin(&session, PIN).await?;
    assert_eq!(
        outcome,
        PaymentOutcome::PaidInFull {
            paid: eur("150.00"),
            balance: eur("50.00")
        }
    );
    assert_eq!(outcome.message_fr(), "Votre achat est validé !");
    assert_eq!(
        h.merchant_status(&payment_id).await?,
        PaymentStatus::Authorised
    );
    assert_eq!(phone.client.balance().await.unwrap().amount, eur("50.00"));
    let history = phone.client.history().unwrap();
    assert_eq!(history[0].payment_id, payment_id);
    assert_eq!(history[0].status, PaymentStatus::Authorised);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_payment_leaves_the_remainder_for_the_card() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let p = h.open_new_payment("120.00", "150.00").await?;
    let view = p.session.view();
    assert_eq!((view.amount, view.remainder), (eur("120.00"), eur("30.00")));
    assert_eq!(view.remainder_text, "30,00\u{a0}€");

    let outcome = pay(&p.session).await?;
    assert_eq!(
        outcome,
        PaymentOutcome::PaidInPart {
            paid: eur("120.00"),
            remainder: eur("30.00"),
            balance: Amount::ZERO
        }
    );
    let merchant = h.merchant_payment(&p.payment_id).await?;
    assert_eq!(merchant.status, PaymentStatus::PartiallyAuthorised);
    assert_eq!(merchant.remaining_amount, Some(eur("30.00")));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_beneficiary_lowers_the_amount_by_hand() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let p = h.open_new_payment("200.00", "150.00").await?;

    assert!(p.session.set_amount("250").is_err(), "above the total");
    assert!(p.session.set_amount("0").is_err(), "below the minimum");
    assert!(p.session.set_amount("12,345").is_err(), "three decimals");
    let view = p.session.set_amount("100,50 €").unwrap();
    assert_eq!((view.amount, view.remainder), (eur("100.50"), eur("49.50")));

    let outcome = pay(&p.session).await?;
    assert!(
        matches!(outcome, PaymentOutcome::PaidInPart { remainder, .. } if remainder == eur("49.50"))
    );
    assert_eq!(
        h.merchant_payment(&p.payment_id).await?.remaining_amount,
        Some(eur("49.50"))
    );
    assert_eq!(p.phone.client.balance().await.unwrap().amount, eur("99.50"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decline_cancels_the_request() -> anyhow::Result<()> {
    ends_unpaid(
        Ending::Decline,
        PaymentOutcome::Declined,
        PaymentStatus::Cancelled,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_request_cannot_be_paid() -> anyhow::Result<()> {
    ends_unpaid(
        Ending::Expiry,
        PaymentOutcome::Expired,
        PaymentStatus::Expired,
    )
    .await
}

/// How a request ends without a payment.
enum Ending {
    /// The beneficiary taps "Refuser".
    Decline,
    /// The request expires (clock moved past its 180 s) before the right PIN is sent.
    Expiry,
}

/// A request of 150.00 to an account holding 200.00 ends unpaid: the phone shows
/// `outcome`, the merchant sees `status`, and the balance is whole.
async fn ends_unpaid(
    ending: Ending,
    outcome: PaymentOutcome,
    status: PaymentStatus,
) -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let p = h.open_new_payment("200.00", "150.00").await?;
    let shown = match ending {
        Ending::Decline => p.session.decline().await.unwrap(),
        Ending::Expiry => {
            h.advance_clock(181).await?;
            pay(&p.session).await?
        }
    };
    assert_eq!(shown, outcome);
    assert_eq!(h.merchant_status(&p.payment_id).await?, status);
    assert_eq!(
        p.phone.client.balance().await.unwrap().amount,
        eur("200.00")
    );
    Ok(())
}

/// A payment of 150.00 open on the phone of an account holding 200.00, after one wrong
/// PIN: two attempts are left.
async fn open_after_a_wrong_pin() -> anyhow::Result<(World, OpenPayment)> {
    let h = World::start(Options::default()).await?;
    let p = h.open_new_payment("200.00", "150.00").await?;
    assert_eq!(
        confirm_pin(&p.session, "0000").await?,
        PaymentOutcome::WrongPin { attempts_left: 2 }
    );
    Ok((h, p))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pin_then_right_pin() -> anyhow::Result<()> {
    let (h, p) = open_after_a_wrong_pin().await?;
    assert_eq!(p.session.view().attempts_left, 2);
    assert!(matches!(
        pay(&p.session).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    assert_eq!(
        h.merchant_status(&p.payment_id).await?,
        PaymentStatus::Authorised
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_wrong_pins_lock_with_the_last_attempt_announced() -> anyhow::Result<()> {
    let (h, p) = open_after_a_wrong_pin().await?;
    let last = confirm_pin(&p.session, "1111").await?;
    assert_eq!(last, PaymentOutcome::WrongPin { attempts_left: 1 });
    assert!(last.message_fr().contains("Dernière tentative"));
    assert_eq!(
        confirm_pin(&p.session, "2222").await?,
        PaymentOutcome::Locked
    );
    assert_eq!(
        h.merchant_status(&p.payment_id).await?,
        PaymentStatus::Refused
    );

    let next = h.create_payment(&p.account.email, "30.00").await?;
    let session = p.phone.client.open_payment(&next).await.unwrap();
    assert_eq!(
        pay(&session).await?,
        PaymentOutcome::Locked,
        "the right PIN no longer works"
    );
    assert_eq!(
        p.phone.client.balance().await.unwrap().amount,
        eur("200.00")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_pushes_open_one_session() -> anyhow::Result<()> {
    let (_h, phone, _, push) = pushed().await?;

    let first = phone.client.open_from_push(&push).await.unwrap();
    let second = phone.client.open_from_push(&push).await.unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert!(matches!(
        pay(&first).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    drop((first, second));

    let again = phone.client.open_from_push(&push).await;
    assert!(matches!(
        again,
        Err(ClientError::AlreadyHandled {
            status: PaymentStatus::Authorised
        })
    ));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_or_forged_pushes_give_clear_errors() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (_, phone) = h.account_with_phone("200.00").await?;
    let mut push = std::collections::HashMap::new();
    push.insert("type".to_owned(), "payment_request".to_owned());
    push.insert("payment_id".to_owned(), "pay_doesnotexist".to_owned());
    push.insert("message_id".to_owned(), "msg_1".to_owned());
    let unknown = phone.client.open_from_push(&push).await;
    assert!(matches!(unknown, Err(ClientError::PaymentNotFound { .. })));

    push.insert("type".to_owned(), "transfer".to_owned());
    assert!(matches!(
        phone.client.open_from_push(&push).await,
        Err(ClientError::Push(_))
    ));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_push_is_found_in_the_pending_list() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (account, phone) = h.account_with_phone("200.00").await?;
    let payment_id = h.create_payment(&account.email, "150.00").await?;

    let pending = phone.client.pending_payments().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].payment_id, payment_id);
    let session = phone
        .client
        .open_payment(&pending[0].payment_id)
        .await
        .unwrap();
    assert!(matches!(
        pay(&session).await?,
        PaymentOutcome::PaidInFull { .. }
    ));
    assert!(phone.client.pending_payments().await.unwrap().is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_of_another_account_is_not_found() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let alice = h.account("200.00").await?;
    let bob = h.account("200.00").await?;
    let bobs_phone = h.phone(&bob.email).await?;
    let payment_id = h.create_payment(&alice.email, "150.00").await?;
    let result = bobs_phone.client.open_payment(&payment_id).await;
    assert!(matches!(result, Err(ClientError::PaymentNotFound { .. })));
    Ok(())
}

async fn pay(session: &cvconnect_core::client::PaymentSession) -> anyhow::Result<PaymentOutcome> {
    confirm_pin(session, PIN).await
}

/// 1 005 pending requests for one account (1 400 of them once weighed 296 KB, above the
/// core's 256 KiB answer cap): the core reads the list page by page, newest first, and
/// stops at its bound of 1 000.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_pending_list_is_read_page_by_page() -> anyhow::Result<()> {
    let h = World::start(Options::default()).await?;
    let (account, phone) = h.account_with_phone("200.00").await?;
    let mut ids = Vec::new();
    for _ in 0..1_005 {
        ids.push(h.create_payment(&account.email, "25.00").await?);
    }
    let pending = phone.client.pending_payments().await.unwrap();
    let newest: Vec<&str> = ids.iter().rev().take(1_000).map(String::as_str).collect();
    let read: Vec<&str> = pending.iter().map(|p| p.payment_id.as_str()).collect();
    assert_eq!(read, newest);
    Ok(())
}
