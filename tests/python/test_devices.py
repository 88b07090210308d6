"""The account's phones through the real binding: the list, a lost phone revoked from
another with the PIN typed by key positions, and a wrong PIN counted."""

from decimal import Decimal as D

import pytest

import cvconnect
from cvconnect import CvError
from harness import SEED_PIN, Phone, async_test, type_pin


async def two_phones(sandbox) -> tuple[Phone, Phone]:
    """Phone A enrolled on a fresh account, and phone B enrolled on the same account."""
    kept = await Phone.enrolled(sandbox, D("100.00"))
    lost = await Phone(sandbox).enroll(kept.email)
    return kept, lost


async def revoke(phone: Phone, target_id: str, pin: str) -> cvconnect.RevocationOutcome:
    keypad = await phone.client.start_revocation_pin_entry()
    type_pin(keypad, pin)
    return await phone.client.revoke_device(target_id, keypad)


@async_test
async def test_the_list_shows_both_phones_and_marks_this_one(sandbox):
    kept, lost = await two_phones(sandbox)
    listed = await kept.client.devices()
    assert [(d.device_id, d.current) for d in listed] == [(kept.device_id, True), (lost.device_id, False)]
    assert all(d.platform == cvconnect.Platform.OTHER and d.name == "Autre appareil" for d in listed)
    assert [d.current for d in await lost.client.devices()] == [False, True]


@async_test
async def test_a_phone_revoked_from_another_is_told_at_its_next_call_and_wiped(sandbox):
    kept, lost = await two_phones(sandbox)
    lost_id = lost.device_id
    outcome = await revoke(kept, lost_id, SEED_PIN)
    assert outcome.is_revoked(), outcome
    assert outcome.revoked_at > 0

    with pytest.raises(CvError.DeviceRevoked) as error:
        await lost.client.balance()
    assert error.value.user_message()
    assert not lost.client.is_enrolled()
    with pytest.raises(CvError.NotEnrolled):
        await lost.client.balance()
    assert [d.device_id for d in await kept.client.devices()] == [kept.device_id]


@async_test
async def test_a_wrong_pin_on_revoke_is_counted(sandbox):
    kept, lost = await two_phones(sandbox)
    outcome = await revoke(kept, lost.device_id, "0000" if SEED_PIN != "0000" else "1111")
    assert outcome == cvconnect.RevocationOutcome.WRONG_PIN(attempts_left=2)
    assert type(outcome.attempts_left) is int
    assert await lost.balance() == D("100.00"), "the phone is still enrolled"


@async_test
async def test_the_keypad_is_emptied_by_the_revocation(sandbox):
    kept, lost = await two_phones(sandbox)
    keypad = await kept.client.start_revocation_pin_entry()
    type_pin(keypad, SEED_PIN)
    assert keypad.state().complete
    await kept.client.revoke_device(lost.device_id, keypad)
    assert keypad.state().entered == 0


@async_test
async def test_a_phone_revoked_by_an_administrator_is_told_at_its_next_call(sandbox):
    kept, lost = await two_phones(sandbox)
    assert sandbox.revoke_device(lost.device_id)["revoked_at"] > 0
    with pytest.raises(CvError.DeviceRevoked):
        await lost.client.pending_payments()
    assert not lost.client.is_enrolled()
    assert await kept.balance() == D("100.00")
