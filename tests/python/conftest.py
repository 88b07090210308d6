"""The kit's fixtures (tests/python/README.md): `sandbox`, shared by the suite, and
`own_sandbox`, for a test that needs a sandbox to itself."""

import pytest

from harness import Sandbox


@pytest.fixture(scope="session")
def sandbox():
    """One sandbox for the suite (joined when CVCONNECT_SANDBOX_URL is set); tests use
    their own accounts."""
    instance = Sandbox.start_or_join()
    yield instance
    instance.close()


@pytest.fixture
def own_sandbox():
    """A sandbox of its own, for tests that move the server clock or arm faults."""
    instance = Sandbox.launch()
    yield instance
    instance.close()
