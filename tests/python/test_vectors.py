"""docs/protocol-vectors.json through the test exports of the package, and signatures
across Python and Rust. The request proof (§6.4) has no export: its bytes are rebuilt
here from protocol.md, independently of the core."""

import base64
import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import cvconnect
from harness import ROOT, PySigner

VECTORS = json.loads(
    Path(os.environ.get("CVCONNECT_VECTORS", ROOT / "docs" / "protocol-vectors.json")).read_text(encoding="utf-8")
)


def test_canonical_confirmation_bytes_match_the_vector():
    v = VECTORS["confirmation"]
    fields = cvconnect.ConfirmationFields(
        payment_id=v["payment_id"], nonce=v["nonce"], payee_id=v["payee_id"], payee_name=v["payee_name"],
        total=Decimal(v["total"]), amount=Decimal(v["amount"]), expires_at=v["expires_at"], device_id=v["device_id"],
        sealed_pin_hash=bytes.fromhex(v["sealed_pin_hash_hex"]),
    )
    assert cvconnect.canonical_confirmation_bytes(fields) == bytes.fromhex(v["expected_hex"])


def test_python_signatures_verify_in_rust_and_rust_signatures_in_python():
    s = VECTORS["signature"]
    message = bytes.fromhex(s["message_hex"])
    tampered = bytes.fromhex(s["tampered_message_hex"])

    signer = PySigner()
    signature = signer.sign(message)
    assert len(signer.public_key()) == 91
    assert cvconnect.verify_device_signature(signer.public_key(), message, signature)
    assert not cvconnect.verify_device_signature(signer.public_key(), tampered, signature)

    key = serialization.load_der_private_key(bytes.fromhex(s["private_key_pkcs8_hex"]), password=None)
    vector_signer = PySigner(key)
    assert vector_signer.public_key() == bytes.fromhex(s["public_key_spki_hex"])
    assert cvconnect.verify_device_signature(vector_signer.public_key(), message, vector_signer.sign(message))

    # The signature Rust produced for the vector verifies with `cryptography`.
    key.public_key().verify(bytes.fromhex(s["signature_der_hex"]), message, ec.ECDSA(hashes.SHA256()))


def _fields(tag: str, *fields: bytes) -> bytes:
    """protocol.md "Canonical bytes": the tag, then each field, each behind its length
    as 4 big-endian bytes."""
    return b"".join(len(field).to_bytes(4, "big") + field for field in (tag.encode(), *fields))


def _request_bytes(request: dict) -> bytes:
    """§6.4, from the request as the vector gives it; checks its body hash on the way."""
    body_sha256 = hashlib.sha256(request["body"].encode("utf-8")).digest()
    assert body_sha256.hex() == request["body_sha256_hex"]
    text = [request[key].encode("utf-8") for key in ("device_id", "method", "target")]
    return _fields(
        "cvconnect/request/v1", *text, body_sha256,
        str(request["timestamp"]).encode(), request["proof_id"].encode(),
    )


def _vector_public_key():
    spki = bytes.fromhex(VECTORS["signature"]["public_key_spki_hex"])
    return spki, serialization.load_der_public_key(spki)


def test_request_proof_bytes_and_header_match_the_vector():
    r = VECTORS["request_proof"]
    assert _request_bytes(r) == bytes.fromhex(r["expected_hex"])
    signature = bytes.fromhex(r["signature_der_hex"])
    signature_b64url = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    assert r["header_without_signature"] == f"CVC-Proof {r['device_id']}.{r['timestamp']}.{r['proof_id']}."
    assert r["authorization"] == r["header_without_signature"] + signature_b64url
    assert len(r["proof_id"]) == 22


def test_request_proof_signature_verifies_only_its_request():
    r = VECTORS["request_proof"]
    spki, public_key = _vector_public_key()
    signature = bytes.fromhex(r["signature_der_hex"])
    message = bytes.fromhex(r["expected_hex"])
    public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    assert cvconnect.verify_device_signature(spki, message, signature)

    changed_fields = set()
    for change in r["refused"]:
        changed = bytes.fromhex(change["expected_hex"])
        assert _request_bytes({**r, **change}) == changed
        assert changed != message
        assert not cvconnect.verify_device_signature(spki, changed, signature), change
        with pytest.raises(InvalidSignature):
            public_key.verify(signature, changed, ec.ECDSA(hashes.SHA256()))
        changed_fields |= change.keys()
    assert {"method", "target", "body", "timestamp", "proof_id"} <= changed_fields
    assert any(change.get("body") == "" for change in r["refused"]), "a request without a body"


def test_the_attestation_client_data_vector_rebuilds_and_its_hash_is_the_packages():
    v = VECTORS["attestation_client_data"]
    challenge, key = bytes.fromhex(v["challenge_hex"]), bytes.fromhex(v["public_key_spki_hex"])
    client_data = _fields("cvconnect/attest/v1", challenge, key)
    assert client_data == bytes.fromhex(v["client_data_hex"])
    expected = bytes.fromhex(v["client_data_hash_hex"])
    assert hashlib.sha256(client_data).digest() == expected
    assert cvconnect.app_attest_client_data_hash(challenge, key) == expected
    assert cvconnect.app_attest_client_data_hash(challenge, PySigner().public_key()) != expected, "another key"
