"""The phone's side of a payment the checkout page asked for: the test does not know the
payment's id (the page created it), so the phone opens the first payment push its device
receives, as the app does when the notification arrives."""

from __future__ import annotations

import urllib.parse

import cvconnect
from harness import Phone, wait_for

PUSH_SECONDS = 30


def first_payment_push(phone: Phone) -> dict[str, str] | None:
    """The data of the first payment push the sandbox sent to this phone, if any yet
    (a long poll of the admin push feed, so a probe waits up to a second)."""
    query = urllib.parse.urlencode({"device_id": phone.device_id, "after": 0, "wait_ms": 1000})
    feed = phone.sandbox.admin("GET", f"/admin/push-feed?{query}")
    pushes = (dict(n["data"]) for n in feed["notifications"])
    return next((data for data in pushes if "payment_id" in data), None)


async def open_pushed_payment(phone: Phone) -> cvconnect.PaymentSession:
    """Waits for the page's payment to reach the phone and opens it from its push."""
    data = await wait_for("the payment's push on the phone", lambda: first_payment_push(phone), PUSH_SECONDS)
    return await phone.client.open_from_push(data)
