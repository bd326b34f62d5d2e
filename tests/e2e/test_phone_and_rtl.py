"""Issue 18 items 5 and 9 in the browser: on a 390 px phone no page scrolls sideways (every menu
page of every demo role, and the first record each list leads to), list tables turn into cards
with the reference, status and due date in view, filters fold behind one button; in Arabic the
page is right to left and the navigation mirrors. axe finds nothing on any page reached."""

import collections
import os
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from playwright.sync_api import expect

from bridgeway.cases import services as cases
from bridgeway.demo import data as demo
from tests.e2e.conftest import assert_accessible, at_home, axe, current_code, sign_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# One person for each kind of role in the demo world (others repeat these menus).
DEMO_ROLES = ["caseworker.a", "supervisor.a", "admin.a", "dpo.a", "police", "coordinator",
              "researcher", "outsider", "admin"]

OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1
                  || el.getBoundingClientRect().left < -1)
    .slice(-3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return `${root.scrollWidth} > ${root.clientWidth}: ${wide.join(', ')}`;
}"""


def assert_no_sideways_scroll(page):
    page.wait_for_load_state()
    assert page.evaluate(OVERFLOW) is None, f"{page.url} scrolls sideways"


def totp_secret(user):
    auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(auth.data["secret"]) if auth else None


def sign_in_demo(page, user):
    """A demo persona signs in with the demo password, and a TOTP code where their role needs
    one (the researcher and the outsider see no personal data)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    secret = totp_secret(user)
    if secret:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(current_code(secret))
        page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)


def phone_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB",
                                  **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


# Every page of the walk is read by axe in every language. English and Arabic at phone width,
# with every rule (where a page is likeliest to scroll sideways, and right to left mirrors it).
# Ukrainian, Romanian, French and Russian at laptop width, which the phone walk does not see,
# with the rules whose outcome the language can change: the words (a name, a label or a title
# left empty or missing in a translation) and the language attributes. The colours, landmarks,
# lists and ARIA structure are the same templates and CSS in every language and are checked in
# English and Arabic; leaving them out in four languages (colour contrast costs most) keeps the
# walk to about three times the English walk instead of six (measured: a full axe run takes 2.2 s
# a page on the loaded development machine, these rules 0.6 s, loading the page 0.7 s).
WORDS_RULES = [
    "document-title", "html-has-lang", "html-lang-valid", "html-xml-lang-mismatch", "valid-lang",
    "label", "label-title-only", "button-name", "input-button-name", "link-name", "select-name",
    "image-alt", "input-image-alt", "svg-img-alt", "role-img-alt", "frame-title",
    "summary-name", "aria-command-name", "aria-input-field-name", "aria-meter-name",
    "aria-progressbar-name", "aria-toggle-field-name", "aria-tooltip-name", "aria-dialog-name",
    "empty-heading", "empty-table-header",
]
EVERY_RULE = None
LANGUAGES = [("en", PHONE, EVERY_RULE), ("ar", PHONE, EVERY_RULE), ("uk", DESKTOP, WORDS_RULES),
             ("ro", DESKTOP, WORDS_RULES), ("fr", DESKTOP, WORDS_RULES),
             ("ru", DESKTOP, WORDS_RULES)]


@pytest.mark.slow
def test_every_page_of_every_demo_role_fits_a_phone_and_passes_axe_in_every_language(
        browser, live_server, settings):
    settings.BRIDGEWAY_DEMO_ALLOWED = True
    call_command("demo_seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    visited, problems = collections.Counter(), []
    spent = collections.Counter()

    def visit(page, url, local, language, size, rules):
        started = time.monotonic()
        page.goto(url)
        page.wait_for_load_state()
        lang = page.evaluate("document.documentElement.lang")
        # The public pages (no sign-in, no cookie) follow the browser's language, not the
        # person's saved one: the researcher's menu leads to them.
        if lang != language and "/public/" not in page.url:
            problems.append(f"{local} {language} {page.url}: the page says lang={lang!r}")
        if size == PHONE:
            overflow = page.evaluate(OVERFLOW)
            if overflow:
                problems.append(f"{local} {language} {page.url}: scrolls sideways ({overflow})")
        options: dict[str, object] = {"resultTypes": ["violations"]}
        if rules:
            options["runOnly"] = {"type": "rule", "values": rules}
        results = axe.run(page, options=options)
        if results.violations_count:
            found = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                     for v in results.response["violations"]]
            problems.append(f"{local} {language} {page.url}: axe {found}")
        visited[language] += 1
        spent[language] += time.monotonic() - started

    for local in DEMO_ROLES:
        user = users.get(email=demo.email(local))
        context, page = phone_page(browser, live_server)
        sign_in_demo(page, user)
        menu = [a.get_attribute("href") for a in page.locator("#main-nav a").all()]
        assert menu, f"{local} has no menu"
        english, size, rules = LANGUAGES[0]
        walk, details = ["/", *menu], []
        for url in walk:
            visit(page, url, local, english, size, rules)
            first = page.locator("main table a[href^='/']").first
            if first.count():
                details.append(first.get_attribute("href"))
        for url in details:  # the record a list leads to: a case, a referral, an organisation…
            if url not in walk:
                walk.append(url)
                visit(page, url, local, english, size, rules)
        for language, size, rules in LANGUAGES[1:]:
            # The person's saved language wins over the browser's (core/middleware.py).
            users.filter(pk=user.pk).update(preferred_language=language)
            page.set_viewport_size(size)
            for url in walk:
                visit(page, url, local, language, size, rules)
        context.close()
    print("pages walked per language:", dict(visited),  # noqa: T201
          "seconds:", {k: round(v) for k, v in spent.items()}, "load:", os.getloadavg())
    assert problems == [], "\n".join(problems)
    assert visited["en"] > 60
    assert len(set(visited.values())) == 1  # the same pages in every language


@pytest.fixture
def caseworker_with_cases():
    org = OrganisationFactory(name="Lumina Centre pentru Victimele Traficului de Persoane")
    worker = MembershipFactory(organisation=org, role="caseworker",
                               user__full_name="Ana Rusu").user
    made = [cases.case_open(org=org, actor=worker,
                            person=cases.PersonData(first_name=name, second_name="Dumitrescu"))
            for name in ["Florentina", "Georgiana", "Marius"]]
    return org, worker, with_totp(worker), made


def test_case_list_becomes_cards_on_a_phone_with_filters_folded(browser, live_server,
                                                                caseworker_with_cases):
    _org, worker, secret, made = caseworker_with_cases
    context, page = phone_page(browser, live_server)
    sign_in(page, worker.email, secret)
    page.goto("/cases/")
    assert_no_sideways_scroll(page)
    # The filters wait behind one button and open with it, without leaving the page.
    status = page.get_by_label("Status")
    expect(status).not_to_be_visible()
    page.get_by_text("Filter the list").click()
    expect(status).to_be_visible()
    # Each case is a card: its reference and its status in view, no column cut off.
    table = page.locator("main table")
    expect(table).to_have_class("stacked")
    card = page.locator("main tbody tr").first
    for cell in card.locator("td").all():
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(card.get_by_role("link", name=made[-1].reference)).to_be_visible()
    expect(card.locator("td[data-label='Status']")).to_contain_text("Active")
    assert_accessible(page)
    # On a laptop the same list is a table and the filters are open.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(table).not_to_have_class("stacked")
    expect(status).to_be_visible()
    assert_accessible(page)
    context.close()


def test_arabic_is_right_to_left_with_the_navigation_mirrored(browser, live_server,
                                                              caseworker_with_cases):
    _org, worker, secret, made = caseworker_with_cases
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, worker.email, secret)
    page.get_by_label("Language", exact=True).select_option("ar")
    page.wait_for_function("document.documentElement.lang === 'ar'")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    worker.refresh_from_db()
    assert worker.preferred_language == "ar"

    # Mirrored: the brand sits at the right edge, the menu reads from right to left, the tools
    # are on the left.
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".bar-tools").bounding_box()
    assert brand["x"] > tools["x"]
    links = page.locator("#main-nav a").all()
    first, second = links[0].bounding_box(), links[1].bounding_box()
    assert first["x"] > second["x"]
    heading = page.locator("main h1").bounding_box()
    main = page.locator("main").bounding_box()
    assert heading["x"] + heading["width"] > main["x"] + main["width"] - 40  # starts at the right
    assert_accessible(page)

    for url in ["/", "/cases/", f"/cases/{made[0].pk}/", "/referrals/", "/account/"]:
        for size in ({"width": 1280, "height": 800}, PHONE):
            page.set_viewport_size(size)
            page.goto(url)
            assert html.get_attribute("dir") == "rtl"
            assert_no_sideways_scroll(page)
            assert_accessible(page)
    # Back to a left-to-right language (the select, not its label: the label is in Arabic once
    # the catalogue is translated): the direction follows.
    page.locator("#language-select").select_option("ru")
    page.wait_for_function("document.documentElement.lang === 'ru'")
    assert html.get_attribute("dir") is None
    context.close()


def test_russian_and_arabic_are_offered_in_their_own_names(page):
    user = MembershipFactory(role="caseworker").user
    page.goto("/accounts/login/")
    options = page.locator("#language-select option")
    expect(options.filter(has_text="Русский")).to_have_attribute("lang", "ru")
    expect(options.filter(has_text="العربية")).to_have_attribute("lang", "ar")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.wait_for_function("document.documentElement.lang === 'ru'")
    assert page.locator("html").get_attribute("dir") is None
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    assert_accessible(page)


def test_a_printed_case_summary_has_no_navigation_and_carries_the_reference(page,
                                                                           caseworker_with_cases):
    _org, worker, secret, made = caseworker_with_cases
    case = made[0]
    sign_in(page, worker.email, secret)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("button", name="Print the case summary")).to_be_visible()
    running = page.locator(".print-running")
    expect(running).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Print the case summary")).to_be_hidden()
    expect(running).to_be_visible()
    expect(running).to_contain_text(f"Case {case.reference}")
    expect(running).to_contain_text("Confidential")
    # Repeated on every printed page: fixed to the page, with room kept for it at each break.
    assert running.evaluate("el => getComputedStyle(el).position") == "fixed"
    assert page.locator("main").evaluate(
        "el => getComputedStyle(el).boxDecorationBreak || getComputedStyle(el).webkitBoxDecorationBreak"
    ) == "clone"
    assert page.pdf(format="A4")[:4] == b"%PDF"
