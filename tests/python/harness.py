"""Test harness: a real sandbox process over HTTP (merchant and admin side), and a
phone built through the generated Python bindings with a `cryptography` signer."""

from __future__ import annotations

import itertools
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
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = Path(os.environ.get("CVCONNECT_ROOT", Path(__file__).resolve().parents[2])).resolve()
BINDINGS = ROOT / "build" / "bindings" / "python"
sys.path.insert(0, str(BINDINGS))

import cvconnect  # noqa: E402  (generated; loads the library next to it)

DEMO_MERCHANT_KEY = "mk_demo_boutique"
SEED_EMAIL = "camille.martin@example.fr"
SEED_PIN = "4827"
CONFIRM_ROUTE = "/v1/payments/{payment_id}/confirm"


class HttpFailure(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Sandbox:
    """`cvconnect-sandbox --port 0 --memory --admin-token … --seed sandbox/seed/demo.json`."""

    _numbers = itertools.count(time.time_ns() % 1_000_000)

    def __init__(self) -> None:
        binary = os.environ.get("CVCONNECT_SANDBOX_BIN")
        if not binary:
            raise RuntimeError("CVCONNECT_SANDBOX_BIN is not set (cargo xtask test sets it)")
        self.admin_token = "adm_" + secrets.token_hex(16)
        seed = ROOT / "sandbox" / "seed" / "demo.json"
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--memory", "--admin-token", self.admin_token, "--seed", str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        first = self.process.stdout.readline().strip()
        if not first.startswith("http://127.0.0.1:"):
            self.close()
            raise RuntimeError(f"unexpected first line from the sandbox: {first!r}")
        self.base_url = first.rstrip("/")
        # Keep draining stdout so the process never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def request(self, method: str, path: str, bearer: str | None, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if bearer:
            request.add_header("Authorization", f"Bearer {bearer}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=40) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            raise HttpFailure(error.code, error.read().decode()) from None
        return json.loads(text) if text.strip() else {}

    def admin(self, method: str, path: str, body: dict | None = None) -> dict:
        return self.request(method, path, self.admin_token, body)

    # ---------------------------------------------------------------- admin side

    def new_account(self, balance: str, pin: str = SEED_PIN) -> str:
        n = next(self._numbers)
        email = f"python.{n}@example.fr"
        self.admin("POST", "/admin/accounts", {
            "email": email, "account_number": f"8{n % 10**10:010d}", "balance": balance, "pin": pin,
        })
        return email

    def activation_code(self, email: str) -> str:
        return self.admin("POST", "/admin/activation-codes", {"email": email})["code"]

    def advance_clock(self, seconds: int) -> None:
        self.admin("POST", "/admin/clock", {"advance_secs": seconds})

    def arm_fault(self, route: str, kind: str, delay_ms: int | None = None, count: int = 1) -> None:
        body = {"route": route, "kind": kind, "count": count}
        if delay_ms is not None:
            body["delay_ms"] = delay_ms
        self.admin("POST", "/admin/faults", body)

    def debits_of(self, payment_id: str) -> list[dict]:
        return [e for e in self.admin("GET", "/admin/ledger")["entries"] if e["payment_id"] == payment_id]

    def await_push(self, device_id: str, payment_id: str, timeout: float = 10.0) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        after = 0
        while time.monotonic() < deadline:
            query = urllib.parse.urlencode({"device_id": device_id, "after": after, "wait_ms": 2000})
            feed = self.admin("GET", f"/admin/push-feed?{query}")
            for notification in feed["notifications"]:
                if notification["data"].get("payment_id") == payment_id:
                    return dict(notification["data"])
            after = feed["next_after"]
        raise AssertionError(f"no push for {payment_id} to {device_id} within {timeout} s")

    # ---------------------------------------------------------------- merchant side

    def create_payment(self, account: str, total: str) -> dict:
        return self.request("POST", "/v1/merchant/payment-requests", DEMO_MERCHANT_KEY, {
            "account": account, "total": total, "order_ref": "CMD-" + secrets.token_hex(4),
        })

    def merchant_payment(self, payment_id: str) -> dict:
        return self.request("GET", f"/v1/merchant/payment-requests/{payment_id}", DEMO_MERCHANT_KEY)

    def merchant_status(self, payment_id: str) -> str:
        return self.merchant_payment(payment_id)["status"]


class PySigner(cvconnect.DeviceSigner):
    """The device key in Python: P-256 and ECDSA/SHA-256 (DER) from `cryptography`."""

    def __init__(self, key: ec.EllipticCurvePrivateKey | None = None) -> None:
        self.key = key or ec.generate_private_key(ec.SECP256R1())

    def public_key(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(bytes(message), ec.ECDSA(hashes.SHA256()))


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
    """One phone: its own data folder and key, a client built through the bindings."""

    def __init__(self, sandbox: Sandbox, signer=None, base_url: str | None = None, sink=None) -> None:
        self.sandbox = sandbox
        self.dir = tempfile.TemporaryDirectory(prefix="cvconnect-python-")
        config = cvconnect.ClientConfig(base_url=base_url or sandbox.base_url, data_dir=self.dir.name)
        self.client = cvconnect.CvClient(config, signer or PySigner(), sink)

    @property
    def device_id(self) -> str:
        return self.client.enrolled_device().device_id

    async def enroll(self, email: str) -> "Phone":
        code = self.sandbox.activation_code(email)
        await self.client.enroll(email, code, f"fcm:python-{time.time_ns()}", cvconnect.Platform.OTHER)
        return self

    async def receive(self, email: str, total: str) -> cvconnect.PaymentSession:
        """Merchant asks for `total`; the push arrives; the app opens the payment from it."""
        payment_id = self.sandbox.create_payment(email, total)["id"]
        data = self.sandbox.await_push(self.device_id, payment_id)
        return await self.client.open_from_push(data)


def type_pin(keypad: cvconnect.Keypad, pin: str) -> None:
    """Finds each digit on the shuffled layout and presses its position."""
    layout = list(keypad.layout())
    for digit in pin:
        keypad.press(layout.index(int(digit)))


def keypad_with(session: cvconnect.PaymentSession, pin: str) -> cvconnect.Keypad:
    keypad = session.start_pin_entry()
    type_pin(keypad, pin)
    return keypad
