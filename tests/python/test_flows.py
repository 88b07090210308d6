"""The payment flows end to end: the installed package on the phone side, HTTP on the
merchant side. Amounts are decimal.Decimal (`D`)."""

import asyncio
from decimal import Decimal as D

import pytest

import cvconnect
from cvconnect import PaymentOutcome, PaymentStatus
from harness import (
    CONFIRM_ROUTE, SEED_EMAIL, SEED_PIN, Phone, RecordingSink, async_test, keypad_with, payment_on_a_new_phone,
    type_pin, wait_for,
)

# How long the sandbox holds a confirmation: ample for the test's next step on a loaded machine.
HELD_MS = 3000


@async_test
async def test_seed_flow_in_full(sandbox):
    sink = RecordingSink()
    phone = Phone(sandbox, sink=sink)
    device = await phone.client.enroll(
        SEED_EMAIL, sandbox.activation_code(SEED_EMAIL), "apns:python-seed", cvconnect.Platform.IOS
    )
    assert device.email_masked == "c***@example.fr"
    assert await phone.balance() == D("200.00")

    session = await phone.receive(D("150.00"), account=SEED_EMAIL)
    view = session.view()
    assert view.payee_name == "Boutique Démo"
    assert view.status == PaymentStatus.PENDING
    amounts = (view.total, view.balance, view.amount, view.remainder)
    assert amounts == (D("150.00"), D("200.00"), D("150.00"), D("0.00"))
    assert all(isinstance(a, D) for a in amounts)
    assert [str(a) for a in amounts] == ["150.00", "200.00", "150.00", "0.00"], "two decimals kept"
    assert (view.pin_length, view.attempts_left) == (4, 3)
    assert type(view.pin_length) is int and type(view.attempts_left) is int
    assert view.total_text == "150,00\u00a0€"
    assert view.can_confirm

    keypad = session.start_pin_entry()
    assert sorted(keypad.layout()) == list(range(10))
    type_pin(keypad, SEED_PIN)
    assert keypad.state().complete

    outcome = await session.confirm(keypad)
    assert outcome == PaymentOutcome.PAID_IN_FULL(paid=D("150.00"), balance=D("50.00"))
    assert outcome.message() == "Votre achat est validé !"
    assert keypad.state().entered == 0, "the PIN was taken out of the keypad"

    assert phone.status_of(session) == "AUTHORISED"
    assert len(phone.debits_of(session)) == 1
    assert await phone.balance() == D("50.00")
    record = next(r for r in phone.client.history() if r.payment_id == session.payment_id())
    assert record.status == PaymentStatus.AUTHORISED and record.paid_amount == D("150.00")
    assert not any(SEED_EMAIL in line for line in sink.lines), "e-mails are masked in logs"


@async_test
async def test_seed_flow_in_part(sandbox):
    phone, session = await payment_on_a_new_phone(sandbox, D("150.00"), balance=D("120.00"))
    view = session.view()
    assert (view.amount, view.remainder, view.max_amount) == (D("120.00"), D("30.00"), D("120.00"))

    outcome = await session.confirm(keypad_with(session, SEED_PIN))
    assert outcome == PaymentOutcome.PAID_IN_PART(paid=D("120.00"), remainder=D("30.00"), balance=D("0.00"))
    assert "30,00\u00a0€" in outcome.message()

    merchant = sandbox.merchant_payment(session.payment_id())
    assert merchant["status"] == "PARTIALLY_AUTHORISED"
    assert (merchant["paid_amount"], merchant["remaining_amount"]) == ("120.00", "30.00")
    assert await phone.balance() == D("0.00")


@async_test
async def test_amount_edited_by_the_beneficiary(sandbox):
    _, session = await payment_on_a_new_phone(sandbox, D("150.00"))
    with pytest.raises(cvconnect.CvError.InvalidAmount) as refused:
        session.set_amount("250")
    assert refused.value.user_message().startswith("Le montant dépasse")
    view = session.set_amount("100,50 €")
    assert (view.amount, view.remainder) == (D("100.50"), D("49.50"))
    outcome = await session.confirm(keypad_with(session, SEED_PIN))
    assert outcome == PaymentOutcome.PAID_IN_PART(paid=D("100.50"), remainder=D("49.50"), balance=D("99.50"))


@async_test
async def test_pending_list_covers_a_lost_push(sandbox):
    phone = await Phone.enrolled(sandbox)
    payment_id = sandbox.create_payment(phone.email, D("42.00"))
    summary = next(p for p in await phone.client.pending_payments() if p.payment_id == payment_id)
    assert summary.total == D("42.00") and summary.payee.name == "Boutique Démo"
    session = await phone.client.open_payment(payment_id)
    assert session.view().total == D("42.00")


@async_test
async def test_decline_cancels_the_payment(sandbox):
    phone, session = await payment_on_a_new_phone(sandbox, D("80.00"))
    assert await session.decline() == PaymentOutcome.DECLINED()
    assert phone.status_of(session) == "CANCELLED"
    assert phone.debits_of(session) == []
    with pytest.raises(cvconnect.CvError.AlreadyHandled) as handled:
        await phone.client.open_payment(session.payment_id())
    assert handled.value.status == PaymentStatus.CANCELLED


@async_test
async def test_wrong_pin_then_right_pin(sandbox):
    phone, session = await payment_on_a_new_phone(sandbox, D("60.00"))
    wrong = await session.confirm(keypad_with(session, "1111"))
    assert wrong == PaymentOutcome.WRONG_PIN(attempts_left=2)
    assert wrong.message() == "Code personnel incorrect. Il vous reste 2 tentatives."
    assert phone.status_of(session) == "PENDING"
    right = await session.confirm(keypad_with(session, SEED_PIN))
    assert right == PaymentOutcome.PAID_IN_FULL(paid=D("60.00"), balance=D("140.00"))


@async_test
async def test_three_wrong_pins_lock(sandbox):
    phone, session = await payment_on_a_new_phone(sandbox, D("60.00"))
    assert await session.confirm(keypad_with(session, "0000")) == PaymentOutcome.WRONG_PIN(attempts_left=2)
    last = await session.confirm(keypad_with(session, "0001"))
    assert last == PaymentOutcome.WRONG_PIN(attempts_left=1)
    assert "Dernière tentative" in last.message()
    assert await session.confirm(keypad_with(session, "0002")) == PaymentOutcome.LOCKED()
    assert phone.status_of(session) == "REFUSED"
    with pytest.raises(cvconnect.CvError.AlreadyHandled):
        session.start_pin_entry()

    following = await phone.receive(D("30.00"))
    assert await following.confirm(keypad_with(following, SEED_PIN)) == PaymentOutcome.LOCKED()
    assert phone.debits_of(following) == []
    assert await phone.balance() == D("200.00")


@async_test
async def test_expiry(own_sandbox):
    phone, session = await payment_on_a_new_phone(own_sandbox, D("150.00"))
    keypad = keypad_with(session, SEED_PIN)
    own_sandbox.advance_clock(200)
    assert await session.confirm(keypad) == PaymentOutcome.EXPIRED()
    assert phone.status_of(session) == "EXPIRED"
    assert phone.debits_of(session) == []


@async_test
async def test_cancelled_confirm_settles_once_and_reconcile_shows_the_truth(sandbox):
    phone, session = await payment_on_a_new_phone(sandbox, D("150.00"))
    payment_id = session.payment_id()
    # The backend holds the request: the caller gives up while it is in flight.
    sandbox.arm_fault(CONFIRM_ROUTE, "delay", delay_ms=HELD_MS)
    task = asyncio.create_task(session.confirm(keypad_with(session, SEED_PIN)))
    await sandbox.faults_played(CONFIRM_ROUTE)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert phone.status_of(session) == "PENDING", "cancelled while the backend held it"

    # The confirmation still runs to its end, and the phone records the outcome (its
    # journal entry settled first, then its history): nothing is left to reconcile.
    record = await wait_for(
        f"the phone's record of {payment_id} settled",
        lambda: next((r for r in phone.client.history()
                      if r.payment_id == payment_id and r.status != PaymentStatus.PENDING), None),
    )
    assert record.status == PaymentStatus.AUTHORISED and record.paid_amount == D("150.00")
    assert [s for s in await phone.client.reconcile() if s.payment_id == payment_id] == []
    with pytest.raises(cvconnect.CvError.AlreadyHandled) as reopened:
        await phone.client.open_payment(payment_id)
    assert reopened.value.status == PaymentStatus.AUTHORISED
    assert len(phone.debits_of(session)) == 1, "exactly one debit"
    assert await phone.balance() == D("50.00")
