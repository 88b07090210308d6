"""Key attestation at enrollment (protocol v1.2) through the installed package: a
sandbox whose policy requires it refuses a client without attester and a garbage
attestation, and nothing enrolls; under the default policy the attester is never asked."""

from decimal import Decimal as D

import pytest

from cvconnect import CvError, Platform
from harness import Phone, RecordingAttester, Sandbox, async_test, attestation_options

CHALLENGE_SIZE = 32


@pytest.fixture
def required_sandbox():
    """A sandbox of its own whose policy is `--attestation required`."""
    instance = Sandbox.launch(*attestation_options("required"))
    yield instance
    instance.close()


async def refusal(phone: Phone, email: str, code: str) -> str:
    """Enrolls `phone` with `code`; the refusal's protocol code. Nothing is enrolled."""
    with pytest.raises(CvError.Api) as error:
        await phone.client.enroll(email, code, None, Platform.OTHER)
    assert error.value.http_status == 403
    assert phone.client.enrolled_device() is None
    return error.value.code


@async_test
async def test_attestation_required_refuses_a_client_without_attester_and_spends_nothing(required_sandbox):
    email = required_sandbox.new_account(D("200.00"))
    code = required_sandbox.activation_code(email)
    assert await refusal(Phone(required_sandbox), email, code) == "attestation_required"
    # The same code again, with an attester: it reaches the attestation check, so the
    # first refusal did not spend it.
    assert await refusal(Phone(required_sandbox, attester=RecordingAttester()), email, code) == "attestation_refused"
    assert required_sandbox.devices_of(email) == []


@async_test
async def test_a_garbage_attestation_is_refused_and_the_attester_had_a_fresh_challenge(required_sandbox):
    email = required_sandbox.new_account(D("200.00"))
    attester = RecordingAttester()
    phone = Phone(required_sandbox, attester=attester)
    for _ in range(2):
        assert await refusal(phone, email, required_sandbox.activation_code(email)) == "attestation_refused"
    assert [len(c) for c in attester.challenges] == [CHALLENGE_SIZE, CHALLENGE_SIZE]
    assert attester.challenges[0] != attester.challenges[1], "each enrollment has a challenge of its own"
    assert required_sandbox.devices_of(email) == []


@async_test
async def test_under_the_default_policy_the_attester_is_never_called_attestation_off(sandbox):
    attester = RecordingAttester()
    phone = await Phone(sandbox, attester=attester).enroll(sandbox.new_account(D("200.00")))
    assert attester.challenges == []
    [device] = await phone.client.devices()
    assert device.attested_security_level is None
