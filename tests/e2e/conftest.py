"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium); no browser download.

Without Chromium they skip, unless BRIDGEWAY_REQUIRE_BROWSER=1 (as in CI), where they fail.
Shared steps: `sign_in` (password and TOTP, checking both pages with axe) and
`assert_accessible`. Check what a person sees with `expect(locator).to_be_visible()`, which
waits for the page, not `assert locator.is_visible()`, which does not.
"""

import os
import shutil
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import PASSWORD

# Playwright's sync API keeps an event loop in this thread; the test code's ORM calls are still
# synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("BRIDGEWAY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("BRIDGEWAY_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"Browser tests required but {CHROMIUM} is missing: "
                                "apt-get install -y chromium")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install -y chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    expect.set_options(timeout=15000)
    yield page
    context.close()


axe = Axe()


def assert_accessible(page):
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def current_code(secret: str) -> str:
    # A code typed in the last seconds of its 30-second window may expire before the server
    # checks it; wait for a fresh window instead of failing at random.
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def at_home(url: str) -> bool:
    return url.rstrip("/").count("/") == 2  # http://host:port/


def sign_in(page, email, secret):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)
