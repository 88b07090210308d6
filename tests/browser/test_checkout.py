"""The seed flow across both sides: a customer on the sandbox's checkout page in headless
Chromium, a phone running the real core through the Python binding. Every page check
waits on what the page shows; amounts are decimal.Decimal (`D`)."""

import os
from decimal import Decimal as D
from pathlib import Path

from cvconnect import PaymentOutcome
from harness import ROOT, SEED_EMAIL, SEED_PIN, Phone, async_test, keypad_with
from phone_side import open_pushed_payment

# The final page of the seed flow, kept with the app's screens.
SCREENSHOT = Path(os.environ.get("CVCONNECT_CHECKOUT_SHOT", ROOT / "docs" / "screens" / "checkout-paid.png"))


async def page_asks_a_phone(checkout, sandbox, total: str, email: str | None = None):
    """A phone enrolled on `email` (by default a fresh account holding 200,00 €); the
    customer asks for `total` on the page with that e-mail; the phone opens the payment
    from its push."""
    phone = await (Phone(sandbox).enroll(email) if email else Phone.enrolled(sandbox))
    checkout.pay_with_cv_connect(phone.email, total)
    checkout.shows("status", "Une notification a été envoyée sur votre téléphone.")
    return phone, await open_pushed_payment(phone)


@async_test
async def test_seed_flow_paid_in_part_then_by_card(sandbox, checkout):
    phone, session = await page_asks_a_phone(checkout, sandbox, "150,00", email=SEED_EMAIL)
    checkout.shows("status", "Validez le paiement de 150,00 € dans l'application.")
    view = session.view()
    assert view.payee_name == "Boutique Démo"
    assert (view.total, view.balance, view.amount) == (D("150.00"), D("200.00"), D("150.00"))
    view = session.set_amount("120,00 €")  # the beneficiary keeps 80,00 € on the account
    assert (view.amount, view.remainder) == (D("120.00"), D("30.00"))

    outcome = await session.confirm(keypad_with(session, SEED_PIN))
    assert outcome == PaymentOutcome.PAID_IN_PART(paid=D("120.00"), remainder=D("30.00"), balance=D("80.00"))

    assert checkout.shows("result-message", "Reste à payer") == "Reste à payer : 30,00 € par carte bancaire"
    checkout.shows("status", "Payé en Chèque-Vacances Connect : 120,00 €.")
    assert checkout.is_shown("card")
    assert phone.status_of(session) == "PARTIALLY_AUTHORISED"

    checkout.pay_by_card("4970 1000 0000 0000", "12/29", "123")
    assert checkout.shows("result-message", "validé") == "Votre achat est validé !"
    checkout.shows("status", "Reste payé par carte bancaire")
    assert not checkout.is_shown("card")
    checkout.save_screenshot(SCREENSHOT)


@async_test
async def test_paid_in_full_on_the_phone(sandbox, checkout):
    phone, session = await page_asks_a_phone(checkout, sandbox, "60,00")
    outcome = await session.confirm(keypad_with(session, SEED_PIN))
    assert outcome == PaymentOutcome.PAID_IN_FULL(paid=D("60.00"), balance=D("140.00"))
    assert checkout.shows("result-message", "validé") == "Votre achat est validé !"
    assert not checkout.is_shown("card"), "nothing is left to pay by card"
    assert phone.status_of(session) == "AUTHORISED"


@async_test
async def test_decline_on_the_phone_shows_on_the_page(sandbox, checkout):
    phone, session = await page_asks_a_phone(checkout, sandbox, "80,00")
    assert await session.decline() == PaymentOutcome.DECLINED()
    assert checkout.ready_to_retry() == "Paiement annulé."
    assert not checkout.is_shown("card") and not checkout.is_shown("result")
    assert phone.status_of(session) == "CANCELLED"
    assert phone.debits_of(session) == []


@async_test
async def test_pin_locked_on_the_phone_shows_the_refusal(sandbox, checkout):
    phone, session = await page_asks_a_phone(checkout, sandbox, "60,00")
    for wrong, left in (("0000", 2), ("0001", 1)):
        assert await session.confirm(keypad_with(session, wrong)) == PaymentOutcome.WRONG_PIN(attempts_left=left)
    assert await session.confirm(keypad_with(session, "0002")) == PaymentOutcome.LOCKED()
    assert checkout.ready_to_retry() == "Paiement refusé."
    assert not checkout.is_shown("card")
    assert phone.status_of(session) == "REFUSED"
    assert phone.debits_of(session) == []


@async_test
async def test_expiry_shows_on_the_page(own_sandbox, own_checkout):
    phone, session = await page_asks_a_phone(own_checkout, own_sandbox, "150,00")
    own_sandbox.advance_clock(200)  # past the request's 180 s
    assert own_checkout.ready_to_retry() == "La demande de paiement a expiré. Vous pouvez réessayer."
    assert phone.status_of(session) == "EXPIRED"
    assert phone.debits_of(session) == []


def test_total_under_the_minimum_is_refused_on_the_page(sandbox, checkout):
    email = sandbox.new_account(D("200.00"))
    checkout.pay_with_cv_connect(email, "19,99")
    refused = checkout.shows("status", "20,00 €")  # the server's answer, not the "sending" line
    assert refused == "Le paiement en Chèque-Vacances Connect est proposé à partir de 20,00 € d'achat."
    assert checkout.ready_to_retry() == refused
    assert not checkout.is_shown("result")
