//! The outcome mapping without a network: what a confirm answer, a refusal and each
//! outcome become (journal code, final status, French message). The end-to-end suites
//! (tests/rust) drive the same code over HTTP but do not reach every arm; these do.

use super::*;
use crate::protocol::errors::ErrorCode::*;
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
