import pytest

from harness import Sandbox


@pytest.fixture(scope="session")
def sandbox():
    """One sandbox for the suite; tests use their own accounts."""
    instance = Sandbox.launch()
    yield instance
    instance.close()


@pytest.fixture
def own_sandbox():
    """A sandbox of its own, for tests that move the server clock or arm faults."""
    instance = Sandbox.launch()
    yield instance
    instance.close()
