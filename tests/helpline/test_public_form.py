"""The public self-referral form: no account, no cookie, no JavaScript needed; and each abuse
defence refuses or holds with the right message, writing nothing where nothing should be."""

import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from bridgeway.helpline import services
from bridgeway.helpline.models import Contact
from bridgeway.notifications.models import Notification
from bridgeway.notifications.services import run_reminders
from bridgeway.orgs.models import NetworkMembership
from bridgeway.protection.models import DataSubject
from tests.factories import OrganisationFactory
from tests.helpline.public_helpers import old_token, proof

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("cheap_proof")]


@pytest.fixture
def cheap_proof(settings):
    settings.ALTCHA_CHALLENGE = {"cost": 20, "expires_seconds": 600}
    from django.core.cache import cache, caches

    from bridgeway.helpline import abuse, queries
    cache.clear()
    caches[django_settings.RATE_LIMIT_CACHE].clear()
    abuse._refused_here.clear()
    queries.forget_public_settings()


@pytest.fixture
def conf(cast):
    return services.settings_ensure(cast.org_a)


def url(conf, lang=""):
    return f"/help/{conf.slug}/" + (f"?lang={lang}" if lang else "")


def post(conf, *, lang="uk", with_proof=True, client=None, addr="10.0.0.1", **fields):
    data = {"lang": lang, "ts": old_token(conf.slug), "what_happened": "Мені не віддають паспорт.",
            "reach": "+380501234567", "reach_channel": "signal", "safe_times": "після 18:00",
            "may_leave_message": "no", "website": ""}
    if with_proof:
        data["altcha"] = proof()
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return (client or Client()).post(url(conf, lang), data, REMOTE_ADDR=addr)


def test_the_form_in_ukrainian_sets_no_cookie_and_loads_nothing_from_elsewhere(conf):
    response = Client().get(url(conf, "uk"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="uk"' in html
    assert "Мова" in html  # the interface speaks Ukrainian
    assert not response.cookies
    assert not re.search(r'(src|href)="https?://(?!www\.wikipedia\.org)', html)
    assert "csrfmiddlewaretoken" not in html
    assert "<altcha-widget" in html
    assert len(response.content) < 30_000


def test_the_first_load_weighs_at_most_30_kb_without_the_proof_of_work_script(conf):
    """Everything the page makes a browser fetch (stylesheet, quick-exit script, icon), without
    the ALTCHA widget script, uncompressed: a person on a slow or metered phone."""
    from django.contrib.staticfiles import finders

    html = Client().get(url(conf, "uk")).content
    assets = re.findall(r'(?:href|src)="/static/([^"?]+)"', html.decode())
    assert "helpline/public.css" in assets
    assert "bridgeway/app.css" not in assets  # the operators' design system stays theirs
    assets = [a for a in assets if not a.startswith("altcha_django/")]
    sizes = {a: len(open(finders.find(a), "rb").read()) for a in assets}
    assert len(html) + sum(sizes.values()) <= 30 * 1024, sizes


@pytest.mark.parametrize(("lang", "direction"), [("ar", ' dir="rtl"'), ("uk", "")])
def test_the_form_reads_right_to_left_in_arabic(conf, lang, direction):
    html = Client().get(url(conf, lang)).content.decode()
    assert f'<html lang="{lang}"{direction}>' in html


def test_a_valid_submission_arrives_in_triage_encrypted(conf, cast):
    response = post(conf)
    assert response.status_code == 200, response.content.decode()
    assert not response.cookies
    contact = Contact.objects.get()
    assert (contact.channel, contact.status, contact.source) == ("web_form", "new", "web_form")
    assert contact.language == "uk" and contact.organisation == cast.org_a
    raw = Contact.objects.filter(pk=contact.pk).values_list("answers", flat=True).get()
    assert "паспорт".encode() not in bytes(raw)
    assert Contact.objects.get().answers["what_happened"] == "Мені не віддають паспорт."
    assert contact.reach == "+380501234567"


def test_without_javascript_the_message_is_held_for_a_person(conf):
    response = post(conf, with_proof=False)
    assert response.status_code == 200
    assert Contact.objects.get().status == "held"
    assert Contact.objects.get().held_reason == "no_proof"


def test_no_proof_is_limited_per_day(conf, settings):
    settings.HELPLINE_RATE_NO_PROOF_PER_DAY = 2
    for _ in range(2):
        assert post(conf, with_proof=False).status_code == 200
    response = post(conf, with_proof=False)
    assert response.status_code == 429
    assert Contact.objects.count() == 2


def test_a_filled_honeypot_is_refused(conf):
    response = post(conf, website="http://spam.example", lang="en")
    assert response.status_code == 400
    assert "Leave this field empty" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_submission_in_under_three_seconds_is_refused(conf):
    from bridgeway.helpline.abuse import time_token

    response = post(conf, ts=time_token(conf.slug), lang="en")
    assert response.status_code == 400
    assert "faster than a person" in response.content.decode()
    assert not Contact.objects.exists()
    assert "Мені не віддають паспорт." in response.content.decode()  # nothing to retype


@pytest.mark.parametrize("ts", ["", "garbage", "eyJzIjoieCIsInQiOjB9:forged:sig"])
def test_a_forged_time_stamp_is_refused(conf, ts):
    response = post(conf, ts=ts, lang="en")
    assert response.status_code == 400
    assert "too old or changed" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_wrong_proof_of_work_is_refused(conf):
    good = proof()
    import base64
    import json
    payload = json.loads(base64.b64decode(good))
    payload["solution"]["counter"] += 1
    bad = base64.b64encode(json.dumps(payload).encode()).decode()
    response = post(conf, altcha=bad, lang="en", with_proof=False)
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_a_replayed_proof_of_work_is_refused(conf):
    once = proof()
    assert post(conf, altcha=once, with_proof=False).status_code == 200
    response = post(conf, altcha=once, with_proof=False, lang="en")
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert Contact.objects.count() == 1


def test_over_the_rate_limit_is_refused_before_reading(conf, settings):
    settings.HELPLINE_RATE_PER_HOUR = 2
    for _ in range(2):
        assert post(conf).status_code == 200
    response = post(conf, lang="en")
    assert response.status_code == 429
    assert "Too many messages" in response.content.decode()
    assert Contact.objects.count() == 2
    assert post(conf, addr="10.0.0.2").status_code == 200  # another address is not affected


def test_a_refused_flood_hears_its_own_language_and_reads_no_database(conf, settings,
                                                                    django_assert_num_queries):
    """The flood guard answers before the rest of the middleware stack (no session, no
    database, no page), still in the language the form was shown in."""
    settings.HELPLINE_RATE_NO_PROOF_PER_DAY = 1
    assert post(conf, with_proof=False).status_code == 200
    with django_assert_num_queries(0):
        response = post(conf, with_proof=False, lang="uk")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert "Too many messages" not in response.content.decode()  # Ukrainian, not English
    assert post(conf, with_proof=False, lang="en").content.decode().startswith("Too many")
    assert Contact.objects.count() == 1


def test_over_the_quota_is_held_not_dropped(conf):
    conf.daily_quota = 1
    conf.save()
    post(conf)
    response = post(conf, addr="10.0.0.9", lang="en")
    assert response.status_code == 200
    assert "checks it first" in response.content.decode()
    assert list(Contact.objects.order_by("created_at").values_list("status", "held_reason")) == [
        ("new", ""), ("held", "quota")]


def test_a_10_mb_body_is_refused_plainly(conf):
    response = Client().post(url(conf), data=b"x" * (10 * 1024 * 1024),
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert not Contact.objects.exists()


def test_an_unknown_organisation_is_404():
    assert Client().get("/help/nobody-here/").status_code == 404
    assert Client().post("/help/nobody-here/", {"ts": old_token("nobody-here")}
                         ).status_code == 404
    # Without a time token nothing is looked up: a plain 400, as for any forged post.
    assert Client().post("/help/nobody-here/", {}).status_code == 400


@pytest.mark.parametrize("field,value,message", [
    ("what_happened", "x" * 2001, "at most 2000"),
    ("what_happened", "a\x00b", "Null characters"),
    ("safe_times", "a\x07b", "control characters"),
    ("reach", "y" * 201, "at most 200"),
    ("reach_channel", "carrier-pigeon", "Select a valid choice"),
    ("may_leave_message", "maybe", "Select a valid choice"),
    ("what_happened", "", "Write something"),
])
def test_bad_input_in_every_field(conf, field, value, message):
    extra = {"reach": "", "safe_times": ""} if message == "Write something" else {}
    response = post(conf, lang="en", **{**extra, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Contact.objects.exists()
    assert not DataSubject.objects.exists()


def test_html_script_and_bidi_are_stored_as_text(conf, cast):
    post(conf, what_happened="<script>alert(1)</script>\u202eevil")
    assert Contact.objects.get().answers["what_happened"] == "<script>alert(1)</script>evil"


def test_a_flood_notifies_each_operator_once(conf, cast, settings):
    settings.HELPLINE_RATE_PER_HOUR = 100
    for n in range(5):
        post(conf, addr=f"10.0.1.{n}")
    mail.outbox.clear()
    run_reminders()
    mine = Notification.objects.filter(kind="helpline_submissions")
    assert sorted(mine.values_list("user_id", flat=True)) == sorted(
        [cast.caseworker_a.pk, cast.supervisor_a.pk])
    run_reminders()
    assert mine.count() == 2  # nothing new, nothing sent


def test_the_network_form_routes_by_country_and_language(cast):
    md = services.settings_ensure(cast.org_a)  # Org A: Moldova, member of the network
    other = OrganisationFactory(name="Org C", country="RO", languages=["uk", "ro"])
    NetworkMembership.objects.create(network=cast.network, member=other)
    services.settings_ensure(other)
    network_conf = services.settings_ensure(cast.network)
    page = Client().get(url(network_conf, "uk"))
    assert 'name="country"' in page.content.decode()
    response = post(network_conf, country="RO")
    assert response.status_code == 200
    assert Contact.objects.get().organisation == other
    assert md.organisation == cast.org_a
    response = post(network_conf, country="FR", lang="en", addr="10.0.0.5")
    assert response.status_code == 400
    assert Contact.objects.count() == 1


def test_the_sent_page_follows_a_change_of_the_forms_text_at_once(conf):
    """The "sent" page is kept rendered per form and language; a change of the form's text
    (here its introduction) shows on the next one."""
    first = post(conf, lang="en")
    assert first.status_code == 200 and "Your message was sent" in first.content.decode()
    again = post(conf, lang="en", addr="10.0.0.3")
    assert again.content == first.content
    conf.form_intro = {"en": "We answer within the day."}
    conf.save()
    changed = post(conf, lang="en", addr="10.0.0.4")
    assert "We answer within the day." in changed.content.decode()
    # another language is another page
    assert "Ваше повідомлення надіслано" in post(conf, lang="uk",
                                                 addr="10.0.0.5").content.decode()
    assert Contact.objects.count() == 4


def test_a_valid_submission_is_stored_whole_with_one_audit_event(conf, cast):
    """The contact, its data subject (wrapped under the organisation's key), its repeat-caller
    entry and its one audit event, all in one transaction."""
    from bridgeway.helpline.models import ReachIndex
    from bridgeway.protection.models import AuditEvent

    assert post(conf).status_code == 200
    contact = Contact.objects.get()
    assert contact.subject is not None and contact.subject.display_name == contact.reference
    assert contact.subject.kek_id == "test-1"
    assert ReachIndex.objects.filter(contact=contact).count() == 1
    events = list(AuditEvent.objects.values_list("action", "object_id"))
    assert events.count(("helpline.contact.received", str(contact.pk))) == 1
    assert not [a for a, _o in events if a == "protection.subject.created"]


def test_a_flood_this_process_refused_is_refused_without_asking_the_shared_cache(
        conf, settings, monkeypatch):
    """Once an address is found over its limit, the next posts from it are refused from this
    process's memory: the shared cache (Redis in production) is not asked again; another
    address still is, and a post with a proof-of-work is not refused by the no-proof limit."""
    from django.core.cache import caches

    settings.HELPLINE_RATE_NO_PROOF_PER_DAY = 1
    assert post(conf, with_proof=False).status_code == 200
    assert post(conf, with_proof=False).status_code == 429  # found in the shared cache
    cache = caches[django_settings.RATE_LIMIT_CACHE]
    asked = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: asked.append(keys) or real(keys))
    for _ in range(3):
        response = post(conf, with_proof=False, lang="en")
        assert response.status_code == 429 and "without the automatic check" in \
            response.content.decode()
    assert asked == []
    assert post(conf, lang="en").status_code == 200  # with proof: the hourly limit only
    assert post(conf, with_proof=False, addr="10.0.0.7").status_code == 200
    assert len(asked) == 2
    assert Contact.objects.count() == 3


def test_a_forged_time_stamp_is_refused_even_after_good_ones(conf):
    """Good time stamps are remembered once checked; a forged one is checked every time."""
    token = old_token(conf.slug)
    assert post(conf, ts=token).status_code == 200
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for _ in range(2):
        response = post(conf, ts=forged, addr="10.0.0.8", lang="en")
        assert response.status_code == 400 and "too old or changed" in response.content.decode()
    assert Contact.objects.count() == 1


def test_behind_a_proxy_each_client_has_its_own_limit(conf, settings):
    """Behind nginx every request comes from 127.0.0.1: without the client's address from
    X-Forwarded-For one flood would refuse everybody. Entries a client writes itself (left of
    the proxy's) do not change whose limit it is."""
    settings.HELPLINE_RATE_PER_HOUR = 2
    settings.BRIDGEWAY_TRUSTED_PROXY_COUNT = 1

    def via_proxy(client_address, forged=""):
        return post(conf, addr="127.0.0.1",
                    client=Client(HTTP_X_FORWARDED_FOR=f"{forged}{client_address}"))

    assert via_proxy("203.0.113.7").status_code == 200
    assert via_proxy("203.0.113.7", forged="198.51.100.1, ").status_code == 200
    assert via_proxy("203.0.113.7", forged="198.51.100.2, ").status_code == 429
    assert Contact.objects.count() == 2
    assert via_proxy("203.0.113.8").status_code == 200  # another person behind the same proxy
    assert Contact.objects.count() == 3
    # Without the setting all of them were one client: the proxy's address, already refused.
    settings.BRIDGEWAY_TRUSTED_PROXY_COUNT = 0
    for address, status in (("203.0.113.9", 200), ("203.0.113.10", 200), ("203.0.113.11", 429)):
        assert via_proxy(address).status_code == status
