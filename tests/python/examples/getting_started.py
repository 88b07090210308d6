"""Getting started with the cvconnect Python package: one payment, end to end.

A harness plays the three parties of a payment:
- the backend: the cvconnect sandbox, started by this script or already running;
- the merchant, who asks for a payment through the sandbox's HTTP API;
- the phone: a `cvconnect.CvClient` whose device key is held by `cryptography`.

Needs `pip install cvconnect-<version>.whl cryptography`, then either
    CVCONNECT_SANDBOX_BIN=target/debug/cvconnect-sandbox python getting_started.py
(starts a sandbox of its own) or, to join a running sandbox started with --admin-token,
    CVCONNECT_SANDBOX_URL=http://127.0.0.1:8787 CVCONNECT_ADMIN_TOKEN=... python getting_started.py
Exit status 0 means the payment went through; anything else means it did not.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import cvconnect

# The demo merchant "Boutique Démo", seeded in every sandbox.
MERCHANT_KEY = "mk_demo_boutique"


class CryptographySigner(cvconnect.DeviceSigner):
    """The device key: P-256, ECDSA over SHA-256 with DER signatures. On a phone this
    key lives in the platform keystore; the library only asks for its public key and
    for signatures."""

    def __init__(self, key: ec.EllipticCurvePrivateKey | None = None) -> None:
        self.key = key or ec.generate_private_key(ec.SECP256R1())

    def public_key(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(bytes(message), ec.ECDSA(hashes.SHA256()))


class Sandbox:
    """A sandbox seen from a harness: its admin routes (accounts, activation codes,
    the feed of push notifications) and the merchant's API."""

    def __init__(self, base_url: str, admin_token: str, process: subprocess.Popen | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_token = admin_token
        self.process = process

    @classmethod
    def start(cls, binary: str, *options: str) -> Sandbox:
        """Starts the sandbox on a free port, in memory; its first line is its address."""
        token = "adm_" + secrets.token_hex(16)
        command = [binary, "--port", "0", "--memory", "--admin-token", token, *options]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        first = process.stdout.readline().strip()
        if not first.startswith("http://"):
            process.kill()
            process.wait()
            raise RuntimeError(f"the sandbox did not start: {first!r}")
        threading.Thread(target=process.stdout.read, daemon=True).start()  # keep its pipe flowing
        return cls(first, token, process)

    @classmethod
    def from_environment(cls) -> Sandbox:
        if os.environ.get("CVCONNECT_SANDBOX_URL"):
            return cls(os.environ["CVCONNECT_SANDBOX_URL"], os.environ["CVCONNECT_ADMIN_TOKEN"])
        if not os.environ.get("CVCONNECT_SANDBOX_BIN"):
            raise RuntimeError("set CVCONNECT_SANDBOX_BIN, or CVCONNECT_SANDBOX_URL and CVCONNECT_ADMIN_TOKEN")
        return cls.start(os.environ["CVCONNECT_SANDBOX_BIN"])

    def close(self) -> None:
        """Stops the sandbox if this harness started it."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *failure) -> None:
        self.close()

    def request(self, method: str, path: str, bearer: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {bearer}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=40) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: HTTP {error.code} {error.read().decode()}") from None
        return json.loads(text) if text.strip() else {}

    def admin(self, method: str, path: str, body: dict | None = None) -> dict:
        return self.request(method, path, self.admin_token, body)

    def new_account(self, balance: Decimal, pin: str) -> str:
        """Creates a beneficiary account; returns its e-mail."""
        email = f"python.{secrets.token_hex(6)}@example.fr"
        number = f"9{secrets.randbelow(10**10):010d}"
        self.admin("POST", "/admin/accounts", {
            "email": email, "account_number": number, "balance": str(balance), "pin": pin,
        })
        return email

    def activation_code(self, email: str) -> str:
        """The one-time code the beneficiary would receive by e-mail."""
        return self.admin("POST", "/admin/activation-codes", {"email": email})["code"]

    def await_push(self, device_id: str, payment_id: str, timeout: float = 10.0) -> dict[str, str]:
        """The data of the push sent to `device_id` for `payment_id`, read from the feed."""
        deadline = time.monotonic() + timeout
        after = 0
        while time.monotonic() < deadline:
            query = urllib.parse.urlencode({"device_id": device_id, "after": after, "wait_ms": 2000})
            feed = self.admin("GET", f"/admin/push-feed?{query}")
            for notification in feed["notifications"]:
                if notification["data"].get("payment_id") == payment_id:
                    return dict(notification["data"])
            after = feed["next_after"]
        raise TimeoutError(f"no push for {payment_id} within {timeout} s")

    def create_payment(self, email: str, total: Decimal) -> str:
        """The merchant asks the account `email` for `total`; returns the payment id."""
        return self.request("POST", "/v1/merchant/payment-requests", MERCHANT_KEY, {
            "account": email, "total": str(total), "order_ref": "CMD-" + secrets.token_hex(4),
        })["id"]

    def payment_status(self, payment_id: str) -> str:
        """The status the merchant reads, e.g. "PARTIALLY_AUTHORISED"."""
        return self.request("GET", f"/v1/merchant/payment-requests/{payment_id}", MERCHANT_KEY)["status"]


def press_pin(keypad: cvconnect.Keypad, pin: str) -> None:
    """The keypad is shuffled: press the position where each digit is drawn. The
    digits themselves never go through the API."""
    layout = keypad.layout()
    for digit in pin:
        keypad.press(layout.index(int(digit)))


async def pay(sandbox: Sandbox, data_dir: str) -> tuple[str, cvconnect.PaymentOutcome]:
    """One payment of 120.50 € out of a 150.00 € order; returns its id and outcome."""
    pin = "4827"
    email = sandbox.new_account(Decimal("200.00"), pin)

    config = cvconnect.ClientConfig(base_url=sandbox.base_url, data_dir=data_dir)
    client = cvconnect.CvClient(config, CryptographySigner(), None)
    code = sandbox.activation_code(email)
    device = await client.enroll(email, code, "push-token-of-this-phone", cvconnect.Platform.OTHER)
    print(f"Enrolled {device.email_masked}; balance {(await client.balance()).text}")

    payment_id = sandbox.create_payment(email, Decimal("150.00"))
    session = await client.open_from_push(sandbox.await_push(device.device_id, payment_id))
    view = session.view()
    print(f"{view.payee_name} asks for {view.total_text}")

    view = session.set_amount("120,50 €")  # typed the French way
    print(f"Paying {view.amount_text}; {view.remainder_text} left to pay by card")

    keypad = session.start_pin_entry()
    press_pin(keypad, pin)
    outcome = await session.confirm(keypad)
    print(outcome.message())
    return payment_id, outcome


def main() -> int:
    with Sandbox.from_environment() as sandbox, tempfile.TemporaryDirectory() as data_dir:
        try:
            payment_id, outcome = asyncio.run(pay(sandbox, data_dir))
        except cvconnect.CvError as error:
            print(f"Payment failed: {error.user_message()} ({error!r})", file=sys.stderr)
            return 1
        status = sandbox.payment_status(payment_id)
    if outcome.is_paid_in_part() and outcome.paid == Decimal("120.50") and status == "PARTIALLY_AUTHORISED":
        return 0
    print(f"Unexpected end: {outcome}, merchant sees {status}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
