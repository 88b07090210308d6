"""Push de-duplication through the installed package (issue 20, item 2): a push that
arrives again is a copy after its payment screen closed and after the app restarted (a
new client on the same folder); a tap still opens the payment; a new message id for the
same payment is not a copy."""

from decimal import Decimal as D

import cvconnect
from harness import Phone, PySigner, async_test


@async_test
async def test_a_copy_is_dropped_after_the_screen_closed_and_after_a_restart(sandbox):
    signer = PySigner()
    phone = await Phone(sandbox, signer).enroll(sandbox.new_account(D("200.00")))
    payment_id = sandbox.create_payment(phone.email, D("150.00"))
    push = sandbox.await_push(phone.device_id, payment_id)
    new, copy = (cvconnect.PushReceipt(payment_id=payment_id, duplicate=d) for d in (False, True))

    assert phone.client.receive_push(push) == new
    session = await phone.client.open_from_push(push)
    del session  # the payment screen closed
    assert phone.client.receive_push(push) == copy

    config = cvconnect.ClientConfig(base_url=sandbox.base_url, data_dir=phone.dir.name)
    restarted = cvconnect.CvClient(config, signer, None)
    assert restarted.receive_push(push) == copy
    tapped = await restarted.open_from_push(push)
    assert tapped.payment_id() == payment_id, "a tap opens the payment, copy or not"
    assert restarted.receive_push({**push, "message_id": "msg_reminder"}) == new
