//! The outcomes without a network: what a confirm answer, a refusal and each outcome
//! become (journal code, final status, French message); then, on an `Inner` whose
//! backend is never reached, what the history and the balance cache keep after an
//! outcome and how reconciliation reads a pending payment. The end-to-end suites
//! (tests/rust) drive the same code over HTTP but do not reach every arm; these do.

use std::sync::Arc;

use super::*;
use crate::client::http::Http;
use crate::client::store::Store;
use crate::client::ClientConfig;
use crate::crypto::signer::SoftwareSigner;
use crate::protocol::errors::ErrorCode::*;
use crate::protocol::wire::{Payee, PinKey};
use PaymentOutcome::*;

fn eur(cents: u64) -> Amount {
    Amount::from_cents(cents)
}

/// One outcome of each kind, with its journal code and the payment's final status.
fn every_outcome() -> [(PaymentOutcome, &'static str, Option<PaymentStatus>); 7] {
    [
        (
            PaidInFull {
                paid: eur(15_000),
                balance: eur(5_000),
            },
            "AUTHORISED",
            Some(PaymentStatus::Authorised),
        ),
        (
            PaidInPart {
                paid: eur(12_000),
                remainder: eur(3_000),
                balance: Amount::ZERO,
            },
            "PARTIALLY_AUTHORISED",
            Some(PaymentStatus::PartiallyAuthorised),
        ),
        (WrongPin { attempts_left: 2 }, "WRONG_PIN", None),
        (Locked, "LOCKED", Some(PaymentStatus::Refused)),
        (Expired, "EXPIRED", Some(PaymentStatus::Expired)),
        (
            AlreadyHandled {
                status: PaymentStatus::Cancelled,
            },
            "ALREADY_HANDLED:CANCELLED",
            Some(PaymentStatus::Cancelled),
        ),
        (Declined, "DECLINED", Some(PaymentStatus::Cancelled)),
    ]
}

#[test]
fn each_outcome_has_its_journal_code_and_final_status() {
    for (outcome, code, status) in every_outcome() {
        assert_eq!(outcome.code(), code);
        assert_eq!(outcome.status(), status, "{code}");
    }
}

#[test]
fn each_outcome_has_its_french_message() {
    let messages = every_outcome().map(|(outcome, _, _)| outcome.message_fr());
    assert_eq!(
        messages,
        [
            "Votre achat est validé !",
            "Paiement accepté. Reste à payer : 30,00\u{A0}€ par carte bancaire.",
            "Code personnel incorrect. Il vous reste 2 tentatives.",
            PinLocked.message_fr(),
            "La demande de paiement a expiré.",
            "Ce paiement a déjà été traité.",
            "Paiement refusé.",
        ]
    );
    assert_eq!(
        WrongPin { attempts_left: 1 }.message_fr(),
        "Code personnel incorrect. Dernière tentative avant blocage."
    );
}

fn answer(status: PaymentStatus, paid: u64, remaining: u64) -> ConfirmResponse {
    ConfirmResponse {
        payment_id: "pay_1".into(),
        status,
        paid_amount: eur(paid),
        remaining_amount: eur(remaining),
        balance: eur(500),
    }
}

#[test]
fn a_confirm_answer_is_paid_in_full_unless_something_remains() {
    let in_full = PaidInFull {
        paid: eur(15_000),
        balance: eur(500),
    };
    let authorised = answer(PaymentStatus::Authorised, 15_000, 0);
    assert_eq!(outcome_of_success(&authorised), in_full);
    // Nothing left to pay is paid in full, whatever the status says.
    let nothing_left = answer(PaymentStatus::PartiallyAuthorised, 15_000, 0);
    assert_eq!(outcome_of_success(&nothing_left), in_full);
    let in_part = answer(PaymentStatus::PartiallyAuthorised, 12_000, 3_000);
    assert_eq!(
        outcome_of_success(&in_part),
        PaidInPart {
            paid: eur(12_000),
            remainder: eur(3_000),
            balance: eur(500),
        }
    );
}

#[test]
fn only_refusals_that_end_the_attempt_are_outcomes() {
    for code in [
        AuthenticationFailed,
        PinLocked,
        PaymentExpired,
        PaymentNotPending,
    ] {
        assert!(is_outcome_code(code), "{code:?}");
    }
    // Anything else is an error of the request, not an answer about the payment.
    for code in [
        NonceUsed,
        AmountOutOfBounds,
        IdempotencyConflict,
        Unauthorized,
        NotFound,
        RateLimited,
        InternalError,
        Unknown,
    ] {
        assert!(!is_outcome_code(code), "{code:?}");
    }
}

#[test]
fn each_refusal_gives_its_outcome() {
    let cases = [
        (
            AuthenticationFailed,
            Some(2),
            None,
            WrongPin { attempts_left: 2 },
        ),
        (AuthenticationFailed, Some(0), None, Locked),
        (AuthenticationFailed, None, None, Locked),
        (PinLocked, None, None, Locked),
        (PaymentExpired, None, None, Expired),
        (
            PaymentNotPending,
            None,
            Some(PaymentStatus::Authorised),
            AlreadyHandled {
                status: PaymentStatus::Authorised,
            },
        ),
        (
            PaymentNotPending,
            None,
            None,
            AlreadyHandled {
                status: PaymentStatus::Cancelled,
            },
        ),
    ];
    for (code, attempts_left, status, expected) in cases {
        assert_eq!(outcome_of_refusal(code, attempts_left, status), expected);
    }
}

/// An `Inner` on a loopback port nobody listens on: for the paths that must not need
/// the backend.
fn offline_inner(dir: &tempfile::TempDir) -> Inner {
    let config = ClientConfig::new("http://127.0.0.1:9", dir.path());
    Inner::new(
        Http::new(&config).unwrap(),
        Store::open(dir.path()).unwrap(),
        Arc::new(SoftwareSigner::generate().unwrap()),
        config.request_auth,
    )
}

fn pending_record() -> PaymentRecord {
    PaymentRecord {
        payment_id: "pay_1".into(),
        payee_id: "mer_1".into(),
        payee_name: "Boutique".into(),
        total: eur(15_000),
        status: PaymentStatus::Pending,
        paid_amount: None,
        remaining_amount: None,
        updated_at: 1,
    }
}

#[tokio::test]
async fn a_payment_in_full_is_recorded_with_its_amount_and_the_new_balance() {
    let dir = tempfile::tempdir().unwrap();
    let inner = offline_inner(&dir);
    let outcome = PaidInFull {
        paid: eur(15_000),
        balance: eur(5_000),
    };
    inner.record_outcome(pending_record(), &outcome).await;
    let history = inner.store.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, PaymentStatus::Authorised);
    assert_eq!(history[0].paid_amount, Some(eur(15_000)));
    let (balance, _) = inner.store.cached_balance().unwrap().unwrap();
    assert_eq!(balance, eur(5_000));
}

#[tokio::test]
async fn a_payment_in_part_is_recorded_with_its_remainder_and_the_new_balance() {
    let dir = tempfile::tempdir().unwrap();
    let inner = offline_inner(&dir);
    let outcome = PaidInPart {
        paid: eur(12_000),
        remainder: eur(3_000),
        balance: Amount::ZERO,
    };
    inner.record_outcome(pending_record(), &outcome).await;
    let history = inner.store.history().unwrap();
    assert_eq!(history[0].status, PaymentStatus::PartiallyAuthorised);
    assert_eq!(history[0].paid_amount, Some(eur(12_000)));
    assert_eq!(history[0].remaining_amount, Some(eur(3_000)));
    let (balance, _) = inner.store.cached_balance().unwrap().unwrap();
    assert_eq!(balance, Amount::ZERO);
}

#[tokio::test]
async fn a_payment_finished_elsewhere_is_recorded_only_from_the_backends_detail() {
    let dir = tempfile::tempdir().unwrap();
    let inner = offline_inner(&dir);
    let outcome = AlreadyHandled {
        status: PaymentStatus::Authorised,
    };
    inner.record_outcome(pending_record(), &outcome).await;
    // The session's record does not know how the payment ended (how much was paid):
    // with the backend out of reach, the history keeps nothing rather than a guess.
    assert!(inner.store.history().unwrap().is_empty());
}

fn journaled(payment_id: &str, nonce: &str) -> JournalEntry {
    JournalEntry {
        idempotency_key: format!("idem_{payment_id}_0000001"),
        payment_id: payment_id.into(),
        amount: eur(15_000),
        nonce: nonce.into(),
        created_at: 1,
    }
}

fn pending_detail(nonce: &str) -> PaymentDetail {
    PaymentDetail {
        payment_id: "pay_1".into(),
        status: PaymentStatus::Pending,
        payee: Payee {
            id: "mer_1".into(),
            name: "Boutique".into(),
        },
        total: eur(15_000),
        currency: "EUR".into(),
        min_amount: eur(1),
        max_amount: eur(15_000),
        nonce: nonce.into(),
        created_at: 0,
        expires_at: 600,
        pin_length: 4,
        pin_key: PinKey {
            key_id: "pk_1".into(),
            public_key: String::new(),
        },
        attempts_left: 2,
        paid_amount: None,
        remaining_amount: None,
        balance: None,
    }
}

#[tokio::test]
async fn a_pending_payment_tells_a_lost_attempt_by_its_nonce() {
    let dir = tempfile::tempdir().unwrap();
    let inner = offline_inner(&dir);
    let entry = journaled("pay_1", "n1");
    // Same nonce: the attempt never reached the server.
    let unchanged = pending_detail("n1");
    assert_eq!(inner.outcome_of_detail(&entry, &unchanged).await, None);
    // The nonce moved on: the attempt reached the server and failed.
    let moved_on = pending_detail("n2");
    assert_eq!(
        inner.outcome_of_detail(&entry, &moved_on).await,
        Some(WrongPin { attempts_left: 2 })
    );
}

#[tokio::test]
async fn reconciling_one_payment_leaves_the_others_entries_alone() {
    let dir = tempfile::tempdir().unwrap();
    let inner = offline_inner(&dir);
    inner
        .store
        .journal_intent(&journaled("pay_1", "n1"))
        .unwrap();
    // Nothing journaled for pay_2: nothing to settle, and no request is sent (the
    // backend is unreachable, so reading pay_1 would fail).
    assert_eq!(inner.reconcile_payment("pay_2").await.unwrap(), None);
    assert_eq!(inner.store.unresolved().unwrap().len(), 1);
}
