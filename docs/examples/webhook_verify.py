"""Merchant side of the Chèque-Vacances Connect notifications (docs/protocol.md §8.1):
checks an event's `CVC-Signature` before trusting it.

The backend signs `"<t>." + raw body` with HMAC-SHA-256 under the merchant's secret
(`whsec_…`, shown once when the merchant is created) and sends

    CVC-Signature: t=1790000101,v1=5f0c…
    CVC-Event-Id: evt_…

A handler checks the signature over the raw bytes, before parsing them, and refuses a
`t` too far from its own clock (a replayed event); then it drops an event id it has
already processed (delivery is at least once) and answers 2xx:

    event = verify(SECRET, headers["CVC-Signature"], raw_body, now=time.time())
    if not already_processed(event["id"]):
        record(event["type"], event["data"])   # e.g. payment.authorised
    answer 204

Only the standard library is needed. Tested by tests/python/test_webhooks.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json


class InvalidSignature(Exception):
    """The event is not to be trusted: its signature, its time or its body is wrong."""


def parse_header(header: str) -> tuple[int, list[str]]:
    """The time `t` and the `v1` signatures of a `CVC-Signature` header."""
    timestamp = None
    signatures = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature("malformed CVC-Signature header")
    return timestamp, signatures


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA-256 of `"<t>." + body` under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, header: str, body: bytes | str, now: float, tolerance: int = 300) -> dict:
    """The event of `body` when `header` signs it under `secret` and its time is within
    `tolerance` seconds of `now`; raises InvalidSignature otherwise."""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    timestamp, signatures = parse_header(header)
    expected = sign(secret, timestamp, raw)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignature("signature mismatch")
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature("timestamp outside the tolerance (replayed event?)")
    try:
        event = json.loads(raw)
    except ValueError:
        raise InvalidSignature("the body is not JSON") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise InvalidSignature("the body is not an event")
    return event
