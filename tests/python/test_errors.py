"""Rust errors arrive as typed Python exceptions with their fields and a French message."""

import asyncio
import socket
import sqlite3
import tempfile
from decimal import Decimal as D
from pathlib import Path

import pytest

import cvconnect
from cvconnect import CvError
from harness import FailingSigner, Phone, PySigner, async_test, payment_on_a_new_phone


@async_test
async def test_unknown_payment_is_payment_not_found(sandbox):
    phone = await Phone.enrolled(sandbox, D("10.00"))
    with pytest.raises(CvError.PaymentNotFound) as error:
        await phone.client.open_payment("pay_doesnotexist")
    assert error.value.payment_id == "pay_doesnotexist"
    assert error.value.user_message() == "Cette demande de paiement est introuvable."
    assert "pay_doesnotexist" in str(error.value)
    assert not error.value.is_retryable()


@async_test
async def test_enrolling_twice_is_already_enrolled(sandbox):
    phone = await Phone.enrolled(sandbox, D("10.00"))
    with pytest.raises(CvError.AlreadyEnrolled):
        await phone.enroll(phone.email)


@async_test
async def test_wrong_activation_code_is_an_api_error(sandbox):
    phone = Phone(sandbox)
    with pytest.raises(CvError.Api) as error:
        await phone.client.enroll(sandbox.new_account(D("10.00")), "WRONG-CODE", None, cvconnect.Platform.OTHER)
    assert (error.value.code, error.value.http_status) == ("invalid_activation_code", 403)
    assert type(error.value.http_status) is int
    assert error.value.user_message()
    assert not phone.client.is_enrolled()


@async_test
async def test_not_enrolled(sandbox):
    phone = Phone(sandbox)
    assert phone.client.enrolled_device() is None
    with pytest.raises(CvError.NotEnrolled):
        await phone.client.balance()


def test_invalid_config():
    with tempfile.TemporaryDirectory() as folder:
        config = cvconnect.ClientConfig(base_url="http://api.example.fr", data_dir=folder)
        with pytest.raises(CvError.InvalidConfig) as error:
            cvconnect.CvClient(config, PySigner(), None)
        assert error.value.reason


@async_test
async def test_offline(sandbox):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    phone = Phone(sandbox, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(CvError.Offline) as error:
        await phone.client.enroll("x@example.fr", "CODE", None, cvconnect.Platform.OTHER)
    assert error.value.user_message() == "Pas de connexion. Vérifiez votre réseau et réessayez."
    assert error.value.is_retryable()


@async_test
async def test_signer_failures_come_back_typed(sandbox):
    email = sandbox.new_account(D("10.00"))
    with pytest.raises(CvError.SignerCancelled):
        await Phone(sandbox, signer=FailingSigner(cvconnect.SignerFailure.UserCancelled())).enroll(email)
    with pytest.raises(CvError.Signer) as error:
        await Phone(sandbox, signer=FailingSigner(RuntimeError("keystore exploded"))).enroll(email)
    assert "keystore exploded" in error.value.detail


def test_invalid_timeouts_are_refused():
    with tempfile.TemporaryDirectory() as folder:
        for timeout in (0, -5):
            config = cvconnect.ClientConfig(
                base_url="http://127.0.0.1:9", data_dir=folder, connect_timeout_ms=timeout
            )
            with pytest.raises(CvError.InvalidConfig) as error:
                cvconnect.CvClient(config, PySigner(), None)
            assert "connect_timeout_ms" in error.value.reason


@async_test
async def test_a_server_failure_is_retryable_with_an_int_status(own_sandbox):
    phone = await Phone.enrolled(own_sandbox, D("10.00"))
    own_sandbox.arm_fault("/v1/balance", "error", count=10)
    with pytest.raises(CvError.Server) as error:
        await phone.client.balance()
    assert error.value.status == 500 and type(error.value.status) is int
    assert error.value.is_retryable()
    assert error.value.user_message() == "Le service est momentanément indisponible. Réessayez."


@async_test
async def test_is_enrolled_raises_when_the_database_cannot_tell(sandbox):
    phone = await Phone.enrolled(sandbox, D("10.00"))
    assert phone.client.is_enrolled()
    del phone.client  # the app stops; its database is damaged before the next start
    database = sqlite3.connect(Path(phone.dir.name) / "cvconnect.sqlite3")
    database.execute("DROP TABLE device")
    database.close()
    config = cvconnect.ClientConfig(base_url=sandbox.base_url, data_dir=phone.dir.name)
    restarted = cvconnect.CvClient(config, PySigner(), None)
    with pytest.raises(CvError.Storage) as error:
        restarted.is_enrolled()
    assert "device" in error.value.detail
    assert error.value.user_message()


def test_a_rust_panic_is_unexpected_with_a_french_message():
    with pytest.raises(CvError.Unexpected) as error:
        cvconnect.cvconnect_selftest_panic("from python")
    assert "from python" in error.value.detail
    assert error.value.user_message() == "Une erreur inattendue est survenue. Veuillez réessayer."
    assert not error.value.is_retryable()
    assert cvconnect.format_amount_fr(D("20.00")) == "20,00\u00a0€", "the library still works afterwards"


def test_a_rust_panic_in_an_async_call_is_unexpected_too():
    with pytest.raises(CvError.Unexpected) as error:
        asyncio.run(cvconnect.cvconnect_selftest_panic_async("from python, async"))
    assert "from python, async" in error.value.detail
    assert error.value.user_message() == "Une erreur inattendue est survenue. Veuillez réessayer."
    assert not isinstance(error.value, cvconnect.InternalError)


def test_keypad_misuse_is_pin_entry():
    with pytest.raises(CvError.PinEntry):
        cvconnect.Keypad(3)
    keypad = cvconnect.Keypad(4)
    assert (keypad.pin_length(), type(keypad.pin_length())) == (4, int)
    with pytest.raises(CvError.PinEntry) as misuse:
        keypad.press(10)
    assert misuse.value.user_message() == "Touche inconnue (10)."
    keypad.press(0)
    keypad.press(1)
    assert keypad.erase().entered == 1
    assert keypad.clear().entered == 0
    for position in range(4):
        keypad.press(position)
    assert keypad.state() == cvconnect.KeypadState(entered=4, required=4, complete=True)
    with pytest.raises(CvError.PinEntry) as complete:
        keypad.press(5)
    assert complete.value.user_message() == "Le code personnel est déjà complet."
    assert not keypad.is_expired()


@async_test
async def test_confirming_an_incomplete_pin_is_pin_entry(sandbox):
    phone, session = await payment_on_a_new_phone(sandbox, D("30.00"))
    keypad = session.start_pin_entry()
    keypad.press(0)
    with pytest.raises(CvError.PinEntry):
        await session.confirm(keypad)
    assert phone.status_of(session) == "PENDING"


def test_a_lapsed_entry_raises_pin_entry_expired():
    keypad = cvconnect.Keypad.lapsed(4)
    assert keypad.is_expired()
    with pytest.raises(CvError.PinEntryExpired) as lapsed:
        keypad.press(0)
    assert "inactivité" in lapsed.value.user_message()
    assert not lapsed.value.is_retryable()
