"""The sandbox's checkout page (sandbox/static/checkout.html) as a customer uses it, in
headless Chromium: fields typed, buttons found by their French labels, and every check
an explicit wait on what the page shows (never a sleep)."""

from __future__ import annotations

from pathlib import Path

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

PAY_LABEL = "Payer avec Chèque-Vacances Connect"
# Ample for a push, a payment and a server-sent event on a loaded machine; a wait ends
# as soon as the page shows what it waits for.
WAIT_SECONDS = 30


def shown_text(driver: WebDriver, element_id: str) -> str:
    """What the element shows, non-breaking spaces as plain ones ("" when hidden)."""
    element = driver.find_element(By.ID, element_id)
    return element.text.replace("\u00a0", " ") if element.is_displayed() else ""


def button_labelled(driver: WebDriver, label: str):
    return driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']")


class CheckoutPage:
    def __init__(self, driver: WebDriver, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    def open(self) -> CheckoutPage:
        self.driver.get(self.base_url + "/")
        self.wait_until("the pay button", lambda: button_labelled(self.driver, PAY_LABEL).is_enabled())
        return self

    def type_into(self, element_id: str, text: str) -> None:
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    def pay_with_cv_connect(self, email: str, total: str) -> None:
        """The customer types their account e-mail and the order total (French style,
        e.g. "150,00") and presses "Payer avec Chèque-Vacances Connect"."""
        self.type_into("email", email)
        self.type_into("total", total)
        button_labelled(self.driver, PAY_LABEL).click()

    def pay_by_card(self, number: str, expiry: str, cvc: str) -> None:
        self.type_into("card-number", number)
        self.type_into("card-exp", expiry)
        self.type_into("card-cvc", cvc)
        self.driver.find_element(By.ID, "card-button").click()

    def shows(self, element_id: str, expected: str) -> str:
        """Waits until the element `element_id` is shown with `expected` in its text;
        returns that text. On time-out, fails with what the page showed instead."""

        def showing():
            text = shown_text(self.driver, element_id)
            return text if expected in text else None

        return self.wait_until(
            f"#{element_id} to show {expected!r}",
            showing,
            lambda: f"#{element_id} shows {shown_text(self.driver, element_id)!r}",
        )

    def wait_until(self, what: str, probe, seen=lambda: "", timeout: float = WAIT_SECONDS):
        try:
            return WebDriverWait(self.driver, timeout).until(lambda _: probe())
        except TimeoutException:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; {seen()}") from None

    def text_of(self, element_id: str) -> str:
        return shown_text(self.driver, element_id)

    def ready_to_retry(self) -> str:
        """Waits until the pay button is enabled again (the page's end after a refusal,
        a cancellation, an expiry or an error); returns the status shown then."""
        self.wait_until(
            "the pay button to be enabled again",
            lambda: button_labelled(self.driver, PAY_LABEL).is_enabled(),
            lambda: f"#status shows {self.text_of('status')!r}",
        )
        return self.text_of("status")

    def is_shown(self, element_id: str) -> bool:
        return self.driver.find_element(By.ID, element_id).is_displayed()

    def save_screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self.driver.save_screenshot(str(path)):
            raise AssertionError(f"could not write the screenshot {path}")
