"""Rust errors arrive as typed Python exceptions with their fields and a French message."""

import asyncio
import socket
import tempfile

import pytest

import cvconnect
from cvconnect import CvError
from harness import FailingSigner, Phone, PySigner


def test_unknown_payment_is_payment_not_found(sandbox):
    async def main():
        phone = await Phone(sandbox).enroll(sandbox.new_account("10.00"))
        with pytest.raises(CvError.PaymentNotFound) as error:
            await phone.client.open_payment("pay_doesnotexist")
        assert error.value.payment_id == "pay_doesnotexist"
        assert error.value.user_message() == "Cette demande de paiement est introuvable."
        assert "pay_doesnotexist" in str(error.value)

    asyncio.run(main())


def test_enrolling_twice_is_already_enrolled(sandbox):
    async def main():
        email = sandbox.new_account("10.00")
        phone = await Phone(sandbox).enroll(email)
        with pytest.raises(CvError.AlreadyEnrolled):
            await phone.enroll(email)

    asyncio.run(main())


def test_wrong_activation_code_is_an_api_error(sandbox):
    async def main():
        phone = Phone(sandbox)
        with pytest.raises(CvError.Api) as error:
            await phone.client.enroll(sandbox.new_account("10.00"), "WRONG-CODE", None, cvconnect.Platform.OTHER)
        assert (error.value.code, error.value.http_status) == ("invalid_activation_code", 403)
        assert error.value.user_message()
        assert not phone.client.is_enrolled()

    asyncio.run(main())


def test_not_enrolled(sandbox):
    async def main():
        phone = Phone(sandbox)
        assert phone.client.enrolled_device() is None
        with pytest.raises(CvError.NotEnrolled):
            await phone.client.balance()

    asyncio.run(main())


def test_invalid_config():
    with tempfile.TemporaryDirectory() as folder:
        config = cvconnect.ClientConfig(base_url="http://api.example.fr", data_dir=folder)
        with pytest.raises(CvError.InvalidConfig) as error:
            cvconnect.CvClient(config, PySigner(), None)
        assert error.value.reason


def test_offline(sandbox):
    async def main():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        phone = Phone(sandbox, base_url=f"http://127.0.0.1:{port}")
        with pytest.raises(CvError.Offline) as error:
            await phone.client.enroll("x@example.fr", "CODE", None, cvconnect.Platform.OTHER)
        assert error.value.user_message() == "Pas de connexion. Vérifiez votre réseau et réessayez."

    asyncio.run(main())


def test_signer_failures_come_back_typed(sandbox):
    async def main():
        email = sandbox.new_account("10.00")
        with pytest.raises(CvError.SignerCancelled):
            await Phone(sandbox, signer=FailingSigner(cvconnect.SignerFailure.UserCancelled())).enroll(email)
        with pytest.raises(CvError.Signer) as error:
            await Phone(sandbox, signer=FailingSigner(RuntimeError("keystore exploded"))).enroll(email)
        assert "keystore exploded" in error.value.detail

    asyncio.run(main())


def test_amount_and_keypad_misuse():
    assert cvconnect.parse_amount("1 234,56 €") == "1234.56"
    with pytest.raises(CvError.InvalidAmount) as error:
        cvconnect.parse_amount("1,2,3")
    assert error.value.user_message().startswith("Montant invalide")
    with pytest.raises(CvError.Keypad):
        cvconnect.Keypad(3)
    keypad = cvconnect.Keypad(4)
    with pytest.raises(CvError.Keypad) as misuse:
        keypad.press(10)
    assert misuse.value.user_message() == "Touche inconnue (10)."
    keypad.press(0)
    keypad.press(1)
    assert keypad.erase().entered == 1
    assert keypad.clear().entered == 0
