"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium); no browser download.

Without Chromium they skip, unless BRIDGEWAY_REQUIRE_BROWSER=1 (as in CI), where they fail.
"""

import os
import shutil

import pytest

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
    yield page
    context.close()
