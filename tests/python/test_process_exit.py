"""A process that opens a payment and exits must exit cleanly, every time.

Two causes made it abort (SIGABRT, "FATAL: exception not rethrown") in up to one run
in five: a background write that held the last reference to the client, so the
Python signer was released on a library thread; and a library thread still inside
the Python callback that wakes the caller when the script ended and the interpreter
shut down under it (bindings/src/runtime.rs). Each run here is a fresh interpreter:
build a client, enroll, open a payment, and exit at once."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

RUNS = int(__import__("os").environ.get("CVCONNECT_EXIT_RUNS", "20"))

CHILD = """
import asyncio, sys, tempfile
sys.path.insert(0, sys.argv[1])
import cvconnect
from getting_started import CryptographySigner

async def main(base_url, email, code, payment_id):
    config = cvconnect.ClientConfig(base_url=base_url, data_dir=tempfile.mkdtemp())
    client = cvconnect.CvClient(config, CryptographySigner(), None)
    await client.enroll(email, code, None, cvconnect.Platform.OTHER)
    await client.open_payment(payment_id)

asyncio.run(main(*sys.argv[2:]))
"""


def test_opening_a_payment_then_exiting_never_aborts(sandbox):
    examples = str(Path(__file__).parent / "examples")
    failures = []
    for run in range(RUNS):
        email = sandbox.new_account(Decimal("50.00"))
        code = sandbox.activation_code(email)
        payment_id = sandbox.create_payment(email, Decimal("20.00"))
        child = subprocess.run(
            [sys.executable, "-c", CHILD, examples, sandbox.base_url, email, code, payment_id],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if child.returncode != 0:
            failures.append((run, child.returncode, child.stderr[-400:]))
    assert failures == [], f"{len(failures)} of {RUNS} processes did not exit cleanly: {failures[:3]}"
