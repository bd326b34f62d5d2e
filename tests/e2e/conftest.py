"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium); no browser download.

Without Chromium they skip, unless BRIDGEWAY_REQUIRE_BROWSER=1 (as in CI), where they fail.
Shared steps: `sign_in` (password and TOTP, checking both pages with axe) and
`assert_accessible`.

Words, not codes: every page a browser test lands on (after a `goto`, a click on a link, a form
sent, a redirect) is read for raw codes with the pattern of tests/rawcodes.py, the same as the
Django-client walk of tests/core/test_words_everywhere.py; what it finds fails the test at its
teardown, with the page's address. The contexts of `browser.new_context` are watched, whichever
test makes them. Check what a person sees with `expect(locator).to_be_visible()`, which
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
from tests.rawcodes import raw_codes

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


# Pages where a browser test may meet codes on purpose, by path prefix, and why.
RAW_CODES_EXPECTED = (
    # The API's schema and its Swagger page: field names and enum values are the interface a
    # developer programs against, shown as they are sent.
    "/api/",
)

# Runs in every page before its own scripts: once the page has loaded, it hands its HTML (the
# document as the person sees it, after the page's own scripts ran) to the test. Top frame and
# HTML documents only.
_HAND_OVER = """
if (window === window.top) {
  window.addEventListener("load", () => {
    if (document.contentType === "text/html") {
      window.__bridgewayPageLoaded(location.href, document.documentElement.outerHTML);
    }
  });
}
"""


class RawCodeWatch:
    """The raw codes found on the pages of one test, and the contexts it opened."""

    def __init__(self):
        self.problems: list[str] = []
        self.contexts: list = []
        self.pages = 0
        self.unread = 0

    def read(self, url: str, html: str) -> None:
        path = "/" + url.split("://", 1)[-1].partition("/")[2]
        if path.startswith(RAW_CODES_EXPECTED):
            return
        self.pages += 1
        found = raw_codes(html)
        if found:
            self.problems.append(f"{url}: {', '.join(found)}")

    def watch(self, context, javascript: bool) -> None:
        self.contexts.append(context)
        if javascript:
            context.expose_binding("__bridgewayPageLoaded",
                                   lambda _source, url, html: self.read(url, html))
            context.add_init_script(_HAND_OVER)
        else:  # no script runs in the page: what the server sent is what the person sees
            context.on("response", self._read_response)

    def _read_response(self, response) -> None:
        request = response.request
        if (request.resource_type != "document" or request.frame.parent_frame is not None
                or response.status != 200
                or "text/html" not in response.headers.get("content-type", "")):
            return
        try:
            html = response.text()
        except Exception:  # noqa: BLE001 - the browser dropped the body (page closed): counted
            self.unread += 1
            return
        self.read(response.url, html)


_watching: list[RawCodeWatch] = []


class WatchedBrowser:
    """The browser, with every new context watched for raw codes by the running test."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        if _watching:
            _watching[-1].watch(context, options.get("java_script_enabled", True))
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield WatchedBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def no_raw_codes():
    """Set up before, and so torn down after, the contexts of the test: the pages they loaded
    are all read when it asserts."""
    watch = RawCodeWatch()
    _watching.append(watch)
    yield watch
    _watching.remove(watch)
    for context in watch.contexts:  # left open by the test: closing hands over what is pending
        try:
            context.close()
        except Exception:  # noqa: BLE001, S110 - closed already
            pass
    assert not watch.problems, "Raw codes on the page:\n" + "\n".join(watch.problems)


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
