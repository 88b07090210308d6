"""Test harness: a real sandbox process over HTTP (merchant and admin side), and a
phone built with the installed `cvconnect` package and a `cryptography` signer.

The sandbox client and the signer are the getting-started example's own
(examples/getting_started.py), extended here with what only tests need."""

from __future__ import annotations

import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import cvconnect
from examples import getting_started as example

ROOT = Path(os.environ.get("CVCONNECT_ROOT", Path(__file__).resolve().parents[2])).resolve()

SEED_EMAIL = "camille.martin@example.fr"
SEED_PIN = "4827"
CONFIRM_ROUTE = "/v1/payments/{payment_id}/confirm"

PySigner = example.CryptographySigner
type_pin = example.press_pin


class Sandbox(example.Sandbox):
    """`cvconnect-sandbox --port 0 --memory --admin-token … --seed sandbox/seed/demo.json`."""

    @classmethod
    def launch(cls) -> Sandbox:
        binary = os.environ.get("CVCONNECT_SANDBOX_BIN")
        if not binary:
            raise RuntimeError("CVCONNECT_SANDBOX_BIN is not set (cargo xtask test sets it)")
        return cls.start(binary, "--seed", str(ROOT / "sandbox" / "seed" / "demo.json"))

    def new_account(self, balance: Decimal, pin: str = SEED_PIN) -> str:
        return super().new_account(balance, pin)

    def advance_clock(self, seconds: int) -> None:
        self.admin("POST", "/admin/clock", {"advance_secs": seconds})

    def arm_fault(self, route: str, kind: str, delay_ms: int | None = None, count: int = 1) -> None:
        body = {"route": route, "kind": kind, "count": count}
        if delay_ms is not None:
            body["delay_ms"] = delay_ms
        self.admin("POST", "/admin/faults", body)

    def debits_of(self, payment_id: str) -> list[dict]:
        return [e for e in self.admin("GET", "/admin/ledger")["entries"] if e["payment_id"] == payment_id]

    def merchant_payment(self, payment_id: str) -> dict:
        return self.request("GET", f"/v1/merchant/payment-requests/{payment_id}", example.MERCHANT_KEY)

    def merchant_status(self, payment_id: str) -> str:
        return self.payment_status(payment_id)


class FailingSigner(cvconnect.DeviceSigner):
    """A key store that always fails with `error`."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.real = PySigner()

    def public_key(self) -> bytes:
        return self.real.public_key()

    def sign(self, message: bytes) -> bytes:
        raise self.error


class RecordingSink(cvconnect.LogSink):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def log(self, level, target, message) -> None:
        self.lines.append(f"{level} {target} {message}")


class Phone:
    """One phone: its own data folder and key, a client from the installed package."""

    def __init__(self, sandbox: Sandbox, signer=None, base_url: str | None = None, sink=None) -> None:
        self.sandbox = sandbox
        self.dir = tempfile.TemporaryDirectory(prefix="cvconnect-python-")
        config = cvconnect.ClientConfig(base_url=base_url or sandbox.base_url, data_dir=self.dir.name)
        self.client = cvconnect.CvClient(config, signer or PySigner(), sink)

    @property
    def device_id(self) -> str:
        return self.client.enrolled_device().device_id

    async def enroll(self, email: str) -> Phone:
        code = self.sandbox.activation_code(email)
        await self.client.enroll(email, code, f"fcm:python-{time.time_ns()}", cvconnect.Platform.OTHER)
        return self

    async def receive(self, email: str, total: Decimal) -> cvconnect.PaymentSession:
        """Merchant asks for `total`; the push arrives; the app opens the payment from it."""
        payment_id = self.sandbox.create_payment(email, total)
        data = self.sandbox.await_push(self.device_id, payment_id)
        return await self.client.open_from_push(data)


def keypad_with(session: cvconnect.PaymentSession, pin: str) -> cvconnect.Keypad:
    keypad = session.start_pin_entry()
    type_pin(keypad, pin)
    return keypad
