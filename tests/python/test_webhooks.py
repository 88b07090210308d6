"""Merchant notifications (docs/protocol.md §8.1), seen by a merchant: a real HTTP
receiver on loopback gets each event once, signed; a receiver that fails gets it again
until it answers 2xx, and processes it once by id; the verification example of
docs/examples/webhook_verify.py accepts the real events and rejects tampered or
replayed ones."""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from dataclasses import dataclass
from decimal import Decimal as D
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import ROOT, Sandbox, async_test, wait_for

_spec = importlib.util.spec_from_file_location("webhook_verify", ROOT / "docs" / "examples" / "webhook_verify.py")
webhook_verify = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(webhook_verify)
verify = webhook_verify.verify
InvalidSignature = webhook_verify.InvalidSignature


@dataclass
class Delivery:
    signature: str
    event_id: str
    body: bytes
    answered: int


class Receiver:
    """A merchant's endpoint: answers 500 to its first `failures` POSTs, then 204."""

    def __init__(self, failures: int = 0) -> None:
        self.received: list[Delivery] = []
        self.failures = failures
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    status = 500 if receiver.failures > 0 else 204
                    receiver.failures = max(0, receiver.failures - 1)
                    receiver.received.append(
                        Delivery(self.headers.get("CVC-Signature", ""), self.headers.get("CVC-Event-Id", ""), body, status)
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    async def wait_requests(self, n: int) -> list[Delivery]:
        return await wait_for(f"{n} notifications", lambda: list(self.received) if len(self.received) >= n else None)


@pytest.fixture
def webhook_sandbox():
    """A sandbox of its own whose retries start at 20 ms and whose sweeper runs every 20 ms."""
    binary = os.environ.get("CVCONNECT_SANDBOX_BIN")
    if not binary:
        raise RuntimeError("CVCONNECT_SANDBOX_BIN is not set (cargo xtask test sets it)")
    options = ["--seed", str(ROOT / "sandbox" / "seed" / "demo.json")]
    options += ["--webhook-retry-base-ms", "20", "--webhook-retry-max-ms", "200", "--expiry-sweep-ms", "20"]
    instance = Sandbox.start(binary, *options)
    yield instance
    instance.close()


@pytest.fixture
def receiver():
    instance = Receiver()
    yield instance
    instance.close()


def new_merchant(sandbox: Sandbox, url: str) -> dict:
    merchant = sandbox.admin("POST", "/admin/merchants", {"name": "Boutique Python", "notification_url": url})
    assert merchant["webhook_secret"].startswith("whsec_")
    return merchant


def new_request(sandbox: Sandbox, merchant: dict, email: str) -> str:
    body = {"account": email, "total": "80.00"}
    return sandbox.request("POST", "/v1/merchant/payment-requests", merchant["api_key"], body)["id"]


def cancel(sandbox: Sandbox, merchant: dict, payment_id: str) -> None:
    sandbox.request("POST", f"/v1/merchant/payment-requests/{payment_id}/cancel", merchant["api_key"])


async def delivered_log(sandbox: Sandbox, payment_id: str) -> list[dict]:
    def probe():
        log = sandbox.admin("GET", f"/admin/webhook-deliveries?payment_id={payment_id}")["deliveries"]
        return log if log and all(d["delivered"] for d in log) else None

    return await wait_for(f"the delivery of {payment_id}'s event", probe)


@async_test
async def test_each_event_arrives_once_with_a_valid_signature(webhook_sandbox, receiver):
    merchant = new_merchant(webhook_sandbox, receiver.url)
    email = webhook_sandbox.new_account(D("100.00"))
    cancelled = new_request(webhook_sandbox, merchant, email)
    expiring = new_request(webhook_sandbox, merchant, email)
    cancel(webhook_sandbox, merchant, cancelled)
    # Nobody reads `expiring`: the sandbox expires it by itself.
    clock = webhook_sandbox.admin("POST", "/admin/clock", {"advance_secs": 181})
    offset = clock["now"] - time.time()
    got = await receiver.wait_requests(2)
    for payment_id in (cancelled, expiring):
        log = await delivered_log(webhook_sandbox, payment_id)
        assert [len(d["attempts"]) for d in log] == [1]
    events = [verify(merchant["webhook_secret"], d.signature, d.body, now=time.time() + offset) for d in got]
    assert {(e["data"]["id"], e["type"], e["data"]["status"]) for e in events} == {
        (cancelled, "payment.cancelled", "CANCELLED"),
        (expiring, "payment.expired", "EXPIRED"),
    }
    assert [e["id"] for e in events] == [d.event_id for d in got]
    assert len(receiver.received) == 2


@async_test
async def test_a_receiver_failing_three_times_gets_the_event_once_by_id(webhook_sandbox):
    receiver = Receiver(failures=3)
    try:
        merchant = new_merchant(webhook_sandbox, receiver.url)
        payment_id = new_request(webhook_sandbox, merchant, webhook_sandbox.new_account(D("100.00")))
        cancel(webhook_sandbox, merchant, payment_id)
        got = await receiver.wait_requests(4)
        log = await delivered_log(webhook_sandbox, payment_id)
        assert [a["http_status"] for a in log[0]["attempts"]] == [500, 500, 500, 204]
        assert [d.answered for d in got] == [500, 500, 500, 204]
        # The merchant processes each event id once.
        processed = {}
        for delivery in got:
            event = verify(merchant["webhook_secret"], delivery.signature, delivery.body, now=time.time())
            processed.setdefault(event["id"], event)
        assert len(processed) == 1
        (event,) = processed.values()
        assert (event["type"], event["data"]["id"]) == ("payment.cancelled", payment_id)
        assert len(receiver.received) == 4, "nothing is sent after a 2xx"
    finally:
        receiver.close()


@async_test
async def test_the_verifier_rejects_tampered_and_replayed_events(webhook_sandbox, receiver):
    merchant = new_merchant(webhook_sandbox, receiver.url)
    payment_id = new_request(webhook_sandbox, merchant, webhook_sandbox.new_account(D("100.00")))
    cancel(webhook_sandbox, merchant, payment_id)
    (delivery,) = await receiver.wait_requests(1)
    secret = merchant["webhook_secret"]
    t, _ = webhook_verify.parse_header(delivery.signature)
    assert verify(secret, delivery.signature, delivery.body, now=t + 300)["data"]["id"] == payment_id
    tampered = delivery.body.replace(b'"CANCELLED"', b'"AUTHORISED"')
    assert tampered != delivery.body
    rejected = [
        (secret, delivery.signature, tampered, t),
        (secret, delivery.signature, delivery.body, t + 301),
        (secret, delivery.signature, delivery.body, t - 301),
        ("whsec_another", delivery.signature, delivery.body, t),
        (secret, delivery.signature.replace(f"t={t}", f"t={t + 1}"), delivery.body, t),
        (secret, "v1=00", delivery.body, t),
    ]
    for secret_used, header, body, now in rejected:
        with pytest.raises(InvalidSignature):
            verify(secret_used, header, body, now=now)
