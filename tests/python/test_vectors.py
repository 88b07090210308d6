"""docs/protocol-vectors.json through the test exports of the package, and signatures
across Python and Rust."""

import json
import os
from decimal import Decimal
from pathlib import Path

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
