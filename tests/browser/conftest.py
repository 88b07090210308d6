"""Fixtures of the browser suite (tests/browser/README.md): the sandbox, the Python kit's
own fixtures (tests/python, on the path through pytest.ini), and headless Chromium,
Debian's `chromium` driven by its `chromedriver` through Selenium."""

import importlib.util
import os
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import harness
from checkout_page import CheckoutPage

CHROMIUM = os.environ.get("CVCONNECT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CVCONNECT_CHROMEDRIVER", "/usr/bin/chromedriver")


def python_kit_fixtures():
    """tests/python/conftest.py, loaded under a name of its own (this file is the suite's
    `conftest`), so that the suite shares the kit's fixtures instead of copying them."""
    path = Path(harness.__file__).with_name("conftest.py")
    spec = importlib.util.spec_from_file_location("cvconnect_python_kit_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# `sandbox` (shared by the suite; each test pays from its own account) and `own_sandbox`
# (for a test that moves the server clock).
KIT = python_kit_fixtures()
sandbox = KIT.sandbox
own_sandbox = KIT.own_sandbox


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the suite, in French, in a desktop-sized window."""
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
