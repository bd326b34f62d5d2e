"""The raw-code check of tests/e2e/conftest.py reads every page a browser test lands on: one
opened by address, one reached by a form, one reached with JavaScript off; and it names the page
and the code when a code shows."""

import pytest

from tests.e2e.conftest import sign_in
from tests.factories import MembershipFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LEAKY = """<!doctype html><html lang="en"><head><title>Case</title></head>
<body><main><h1>Case</h1><p>Referred to law_enforcement; stage ReviewStarted.</p></main></body>
</html>"""


def serve_leaky_page(page):
    page.route("**/leaky/", lambda route: route.fulfill(status=200, body=LEAKY,
                                                        content_type="text/html"))


def test_every_page_landed_on_is_read_and_a_code_is_named(page, no_raw_codes):
    worker = MembershipFactory(role="caseworker").user
    sign_in(page, worker.email, with_totp(worker))  # the sign-in pages and the home page
    page.goto("/cases/")
    assert no_raw_codes.pages >= 4
    assert no_raw_codes.problems == []

    serve_leaky_page(page)
    page.goto("/leaky/")
    page.goto("/")  # the next page: the leaky one was read on its way
    assert len(no_raw_codes.problems) == 1
    problem = no_raw_codes.problems[0]
    assert "/leaky/" in problem and "law_enforcement" in problem and "ReviewStarted" in problem
    no_raw_codes.problems.clear()  # seen: the test's own page, not the product's


def test_pages_without_javascript_are_read_too(browser, live_server, no_raw_codes):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    serve_leaky_page(page)
    page.goto("/accounts/login/")
    page.goto("/leaky/")
    # The response handler runs while Playwright waits; the first page's body may already be
    # gone when it runs (the browser dropped it on the next navigation): counted as unread.
    for _ in range(100):
        if no_raw_codes.pages + no_raw_codes.unread >= 2 and no_raw_codes.problems:
            break
        page.wait_for_timeout(50)
    context.close()
    assert no_raw_codes.pages + no_raw_codes.unread == 2 and no_raw_codes.pages >= 1
    assert len(no_raw_codes.problems) == 1 and "law_enforcement" in no_raw_codes.problems[0]
    no_raw_codes.problems.clear()
