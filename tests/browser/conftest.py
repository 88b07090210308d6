"""Fixtures of the browser suite (tests/browser/README.md): the sandbox, from the Python
kit (tests/python/harness.py, on the path through pytest.ini), and headless Chromium,
Debian's `chromium` driven by its `chromedriver` through Selenium."""

import os

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from checkout_page import CheckoutPage
from harness import Sandbox

CHROMIUM = os.environ.get("CVCONNECT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CVCONNECT_CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def sandbox():
    """One sandbox for the suite (joined when CVCONNECT_SANDBOX_URL is set); each test
    pays from its own account."""
    instance = Sandbox.start_or_join()
    yield instance
    instance.close()


@pytest.fixture
def own_sandbox():
    """A sandbox of its own, for a test that moves the server clock."""
    instance = Sandbox.launch()
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the suite, French and at a phone-friendly desktop size."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"{path} is missing: apt-get install chromium chromium-driver (.ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=fr-FR",
                     "--window-size=900,1000", "--disable-gpu"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def checkout(chromium, sandbox):
    """The checkout page of the suite's sandbox, opened in a fresh browser session."""
    yield from page_of(chromium, sandbox)


@pytest.fixture
def own_checkout(chromium, own_sandbox):
    """The checkout page of the test's own sandbox."""
    yield from page_of(chromium, own_sandbox)


def page_of(driver, sandbox):
    page = CheckoutPage(driver, sandbox.base_url).open()
    yield page
    driver.delete_all_cookies()  # the next test is another customer
