"""The Python test kit (tests/python/README.md): a world of a real sandbox (started by
the suite or joined), its accounts, phones enrolled through the installed `cvconnect`
package with a `cryptography` signer, the pushes they receive, faults and the clock.

The sandbox client and the signer are the getting-started example's own
(examples/getting_started.py), extended here with what only tests need, so that the
admin and merchant client of the sandbox is written once in Python."""

from __future__ import annotations

import asyncio
import functools
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


async def wait_for(what: str, probe, timeout: float = 30.0):
    """Polls `probe` until it returns something other than None (or False), and returns
    it; fails with `what` after `timeout` seconds. For waiting on an event the test cannot
    be told of directly, never as a timing."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None and found is not False:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def async_test(test):
    """Runs an `async def` test in a fresh event loop (pytest alone does not await it).
    The wrapper keeps the test's signature, so fixtures are still handed in."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


class Sandbox(example.Sandbox):
    """`cvconnect-sandbox --port 0 --memory --admin-token … --seed sandbox/seed/demo.json`,
    or a sandbox already running; its admin side (accounts, codes, pushes, faults, clock,
    ledger) and its merchant side."""

    @classmethod
    def launch(cls, *options: str) -> Sandbox:
        """A sandbox of its own, seeded with sandbox/seed/demo.json, with more command-line
        `options` (`*attestation_options("required")`…)."""
        binary = os.environ.get("CVCONNECT_SANDBOX_BIN")
        if not binary:
            raise RuntimeError("CVCONNECT_SANDBOX_BIN is not set (cargo xtask test sets it)")
        return cls.start(binary, "--seed", str(ROOT / "sandbox" / "seed" / "demo.json"), *options)

    @classmethod
    def start_or_join(cls) -> Sandbox:
        """Joins the sandbox of CVCONNECT_SANDBOX_URL (with CVCONNECT_ADMIN_TOKEN) when it
        is set, as the Kotlin kit does; else launches one."""
        url = os.environ.get("CVCONNECT_SANDBOX_URL")
        if not url:
            return cls.launch()
        token = os.environ.get("CVCONNECT_ADMIN_TOKEN")
        if not token:
            raise RuntimeError("CVCONNECT_SANDBOX_URL is set without CVCONNECT_ADMIN_TOKEN")
        return cls(url, token)

    def new_account(self, balance: Decimal, pin: str = SEED_PIN) -> str:
        return super().new_account(balance, pin)

    def revoke_device(self, device_id: str) -> dict:
        """An administrator cuts `device_id` off (`POST /admin/devices/{id}/revoke`)."""
        return self.admin("POST", f"/admin/devices/{device_id}/revoke")

    def advance_clock(self, seconds: int) -> None:
        self.admin("POST", "/admin/clock", {"advance_secs": seconds})

    def arm_fault(self, route: str, kind: str, delay_ms: int | None = None, count: int = 1) -> None:
        body = {"route": route, "kind": kind, "count": count}
        if delay_ms is not None:
            body["delay_ms"] = delay_ms
        self.admin("POST", "/admin/faults", body)

    async def faults_played(self, route: str) -> None:
        """Waits until every fault armed on `route` has met its call: a delayed request is
        then being held by the sandbox."""
        await wait_for(
            f"the faults armed on {route} to meet their calls",
            lambda: all(f["route"] != route for f in self.admin("GET", "/admin/faults")["faults"]) or None,
        )

    def debits_of(self, payment_id: str) -> list[dict]:
        return [e for e in self.admin("GET", "/admin/ledger")["entries"] if e["payment_id"] == payment_id]

    def devices_of(self, email: str) -> list[dict]:
        """The devices enrolled on the account of `email`, as the admin API lists them."""
        return self.admin("GET", f"/admin/accounts/{email}/devices")["devices"]

    def merchant_payment(self, payment_id: str) -> dict:
        return self.request("GET", f"/v1/merchant/payment-requests/{payment_id}", example.MERCHANT_KEY)


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


APPLE_APP_ID = "ABCDE12345.fr.ancv.cvconnect"
ATTESTATION_TEST_ROOT = ROOT / "tests" / "fixtures" / "attestation-test-root.pem"


def attestation_options(policy: str) -> tuple[str, ...]:
    """Sandbox options for attestation `policy` (off, optional, required), App Attest
    configured on the test root of tests/fixtures (whose key was thrown away: nothing
    verifies under it, the suites check refusals)."""
    return ("--attestation", policy, "--apple-app-id", APPLE_APP_ID, "--apple-root", str(ATTESTATION_TEST_ROOT))


def garbage_android_chain() -> cvconnect.DeviceAttestation:
    """An Android Key Attestation whose certificates are not DER: every check refuses it."""
    return cvconnect.DeviceAttestation.ANDROID_KEY(certificate_chain=[b"\x30\x03\x01\x02\x03", b"not a certificate"])


class RecordingAttester(cvconnect.KeyAttester):
    """Records each challenge the core gives it and answers `answer(challenge)`."""

    def __init__(self, answer=lambda challenge: garbage_android_chain()) -> None:
        self.answer = answer
        self.challenges: list[bytes] = []

    def attest(self, challenge: bytes):
        self.challenges.append(bytes(challenge))
        return self.answer(challenge)


class Phone:
    """One phone: its own data folder and key, a client from the installed package (built
    with `CvClient.with_attester` when it has an `attester`)."""

    def __init__(self, sandbox: Sandbox, signer=None, base_url: str | None = None, sink=None, attester=None) -> None:
        self.sandbox = sandbox
        self.email: str | None = None
        self.dir = tempfile.TemporaryDirectory(prefix="cvconnect-python-")
        config = cvconnect.ClientConfig(base_url=base_url or sandbox.base_url, data_dir=self.dir.name)
        if attester is None:
            self.client = cvconnect.CvClient(config, signer or PySigner(), sink)
        else:
            self.client = cvconnect.CvClient.with_attester(config, signer or PySigner(), attester, sink)

    @classmethod
    async def enrolled(cls, sandbox: Sandbox, balance: Decimal = Decimal("200.00")) -> Phone:
        """A phone enrolled on a fresh account holding `balance` (its e-mail: `phone.email`)."""
        return await cls(sandbox).enroll(sandbox.new_account(balance))

    @property
    def device_id(self) -> str:
        return self.client.enrolled_device().device_id

    async def enroll(self, email: str) -> Phone:
        code = self.sandbox.activation_code(email)
        await self.client.enroll(email, code, f"fcm:python-{time.time_ns()}", cvconnect.Platform.OTHER)
        self.email = email
        return self

    async def receive(self, total: Decimal, account: str | None = None) -> cvconnect.PaymentSession:
        """The merchant asks `account` (this phone's by default) for `total`; the push
        arrives; the app opens the payment from it."""
        payment_id = self.sandbox.create_payment(account or self.email, total)
        data = self.sandbox.await_push(self.device_id, payment_id)
        return await self.client.open_from_push(data)

    def status_of(self, session: cvconnect.PaymentSession) -> str:
        """What the merchant sees of the payment of `session`, e.g. "AUTHORISED"."""
        return self.sandbox.payment_status(session.payment_id())

    def debits_of(self, session: cvconnect.PaymentSession) -> list[dict]:
        return self.sandbox.debits_of(session.payment_id())

    async def balance(self) -> Decimal:
        return (await self.client.balance()).amount


async def payment_on_a_new_phone(
    sandbox: Sandbox, total: Decimal, balance: Decimal = Decimal("200.00")
) -> tuple[Phone, cvconnect.PaymentSession]:
    """A phone enrolled on a fresh account holding `balance`, and the payment of `total`
    it opened from the merchant's push."""
    phone = await Phone.enrolled(sandbox, balance)
    return phone, await phone.receive(total)


def keypad_with(session: cvconnect.PaymentSession, pin: str) -> cvconnect.Keypad:
    keypad = session.start_pin_entry()
    type_pin(keypad, pin)
    return keypad
