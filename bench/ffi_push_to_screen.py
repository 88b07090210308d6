"""Push to screen through the Python binding (cvconnect-bench drives it).

Usage: ffi_push_to_screen.py BASE_URL EMAIL ACTIVATION_CODE DATA_DIR
with the generated module's folder (build/bindings/python) on PYTHONPATH.

Enrolls a device, prints {"ready": DEVICE_ID}, then for every line read on stdin
(a push data map as JSON) times open_from_push + view() and prints {"ns": ...}.
Stops on an empty line or end of input.

Each answer also says how the foreign future resumed: "wakeups", the times the
library's callback woke the coroutine up during the timed open, and "wake_ns", the
time those wake-ups took in all, from the callback entering Python on the library's
thread to the event loop running the resume (call_soon_threadsafe's hop). The
generated module's own callback is replaced by an equal one that takes the two
stamps (WakeProbe). And "signatures", "sign_ns": the device key's signatures
during the open and the time spent in them.
"""

import asyncio
import json
import sys
import time

import cvconnect as cv
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


class Signer(cv.DeviceSigner):
    """A software P-256 key, standing in for the platform key store. Counts its
    signatures and the time spent in them."""

    def __init__(self):
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.signatures = 0
        self.sign_ns = 0

    def take(self):
        taken = {"signatures": self.signatures, "sign_ns": self.sign_ns}
        self.signatures = 0
        self.sign_ns = 0
        return taken

    def public_key(self):
        return self._key.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )

    def sign(self, message):
        start = time.perf_counter_ns()
        signature = self._key.sign(bytes(message), ec.ECDSA(hashes.SHA256()))
        self.sign_ns += time.perf_counter_ns() - start
        self.signatures += 1
        return signature


class WakeProbe:
    """The generated module's continuation callback, with stamps: the callback is
    the module global that _uniffi_rust_call_async passes to every poll."""

    def __init__(self):
        self.wakeups = 0
        self.wake_ns = 0
        generated = cv._uniffi_continuation_callback
        callback_type = type(generated)

        def resumed(future, poll_code, fired):
            self.wakeups += 1
            self.wake_ns += time.perf_counter_ns() - fired
            cv._uniffi_set_future_result(future, poll_code)

        @callback_type
        def stamped(future_ptr, poll_code):
            fired = time.perf_counter_ns()
            (eventloop, future) = cv._UniffiContinuationHandleMap.remove(future_ptr)
            eventloop.call_soon_threadsafe(resumed, future, poll_code, fired)

        self._keep = stamped  # ctypes callbacks must outlive their calls
        cv._uniffi_continuation_callback = stamped

    def take(self):
        taken = {"wakeups": self.wakeups, "wake_ns": self.wake_ns}
        self.wakeups = 0
        self.wake_ns = 0
        return taken


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main():
    base_url, email, code, data_dir = sys.argv[1:5]
    config = cv.ClientConfig(
        base_url=base_url,
        data_dir=data_dir,
        connect_timeout_ms=None,
        request_timeout_ms=None,
        spki_pins=[],
        locale=None,
        max_retries=None,
    )
    signer = Signer()
    client = cv.CvClient(config, signer, None)
    device = await client.enroll(email, code, "push-ffi-bench", cv.Platform.OTHER)
    say({"ready": device.device_id})
    probe = WakeProbe()
    while True:
        line = sys.stdin.readline().strip()
        if not line:
            break
        data = json.loads(line)
        probe.take()
        signer.take()
        start = time.perf_counter_ns()
        session = await client.open_from_push(data)
        view = session.view()
        elapsed = time.perf_counter_ns() - start
        inside = {**probe.take(), **signer.take()}
        del session
        say({"ns": elapsed, "payment_id": view.payment_id, **inside})


if __name__ == "__main__":
    asyncio.run(main())
