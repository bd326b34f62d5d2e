import datetime as dt

import pytest
from django.urls import reverse

from bridgeway.cases import services
from bridgeway.cases.models import Assessment, Case, CaseNote, Decision
from bridgeway.protection.models import AccessLogEntry
from bridgeway.protection.search import SESSION_KEY
from tests.cases.conftest import new_case
from tests.conftest import signed_in
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    return new_case(cast, first_name="Сергій", second_name="Мельник", birth_date=dt.date(1990, 5, 5))


@pytest.fixture
def colleague(cast):
    user = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    with_totp(user)
    return user


@pytest.mark.parametrize("who,status", [
    ("caseworker_a", 200), ("supervisor_a", 200), ("colleague", 404), ("dpo_a", 404),
    ("admin_a", 404), ("caseworker_b", 404), ("agency_poc", 404), ("coordinator", 404),
    ("outsider", 404), ("platform_admin", 404),
])
def test_who_sees_a_case(cast, case, colleague, who, status):
    user = colleague if who == "colleague" else getattr(cast, who)
    response = signed_in(user).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == status
    if status == 200:
        assert "Сергій Мельник" in response.content.decode()
        assert AccessLogEntry.objects.filter(user=user, subject=case.subject_id,
                                             screen="cases:detail").exists()
    else:
        assert "Мельник" not in response.content.decode()


def test_intake_warns_of_duplicates_then_opens_when_confirmed(cast, case):
    client = signed_in(cast.caseworker_a)
    data = {"first_name": "Serhii", "second_name": "Melnyk", "birth_date": "1990-05-05"}
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 400
    assert case.subject.reference in response.content.decode()
    assert Case.objects.count() == 1
    response = client.post(reverse("cases:intake"), {**data, "confirm_new": "on"})
    assert response.status_code == 302 and Case.objects.count() == 2


@pytest.mark.parametrize("data,field", [
    ({"first_name": "A", "birth_date": "2999-01-01"}, "birth_date"),
    ({"first_name": "A", "birth_date": "2000-01-01", "age": "60"}, "age"),
    ({"first_name": "", "second_name": "B"}, "first_name"),
])
def test_bad_intake_in_the_ui(cast, data, field):
    response = signed_in(cast.caseworker_a).post(reverse("cases:intake"), data)
    assert response.status_code == 400 and response.context["form"].errors[field]
    assert not Case.objects.exists()


def test_list_filters_and_searches_by_name(cast, case):
    services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                       person=services.PersonData(first_name="Ana", age=15))
    client = signed_in(cast.supervisor_a)
    url = reverse("cases:list")
    response = client.post(url, {"q": "Serghei Melnic", "fuzzy": "on"})
    found = response.context["page"].object_list
    assert [c.pk for c in found] == [case.pk]
    assert "Сергій Мельник" in response.content.decode()
    exact = client.post(url, {"q": "Serghei"}).context["page"].object_list
    assert list(exact) == []  # exact word match: the spelling differs
    exact = client.post(url, {"q": "мельник"}).context["page"].object_list
    assert [c.pk for c in exact] == [case.pk]
    children = client.get(url, {"child": "1"}).context["page"].object_list
    assert [c.is_child for c in children] == [True]
    labour = client.get(url, {"exploitation": "ForcedLabour"}).context["page"].object_list
    assert [c.pk for c in labour] == [case.pk]
    # A two-word search needs both words in one name (each word alone finds a case).
    assert client.post(url, {"q": "Serghei Ana", "fuzzy": "on"}).context[
        "page"].paginator.count == 0
    # Someone else's list never includes this case, nor does their search by its name.
    other = signed_in(cast.caseworker_b)
    assert other.get(url).context["page"].paginator.count == 0
    assert other.post(url, {"q": "Serghei Melnic", "fuzzy": "on"}).context[
        "page"].paginator.count == 0
    # An erased person is found by no name any more.
    from bridgeway.protection.services import subject_erase

    subject_erase(subject=case.subject, actor=cast.dpo_a)
    assert client.post(url, {"q": "Serghei Melnic", "fuzzy": "on"}).context[
        "page"].paginator.count == 0


def test_name_search_is_one_request_and_the_name_is_kept_nowhere(cast, case):
    client = signed_in(cast.supervisor_a)
    response = client.post(reverse("cases:list") + f"?organisation={cast.org_a.pk}",
                           {"q": "Serghei Melnic", "fuzzy": "on", "status": "Active"})
    assert response.status_code == 200 and "Location" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]
    assert [c.pk for c in response.context["page"].object_list] == [case.pk]
    assert "Melnic" not in response.request["QUERY_STRING"]
    session = str(dict(client.session))
    # Neither the name nor who was found is kept: only keyed digests of the words.
    assert "Melnic" not in session and "Serghei" not in session
    assert str(case.pk) not in session and str(case.subject_id) not in session
    # The form shows what was typed (in the page, not in a URL). One page of results: there is
    # no later page to remember the search for, so the session keeps nothing of it.
    assert 'value="Serghei Melnic"' in response.content.decode()
    assert "search=" not in response.context["pager_query"]
    assert SESSION_KEY not in client.session
    # The plain list is cacheable as before; only search results are kept from caches.
    assert "no-store" not in client.get(reverse("cases:list")).headers.get("Cache-Control", "")
    # The names shown were read: the access log has them, as for any other screen.
    assert AccessLogEntry.objects.filter(user=cast.supervisor_a, subject=case.subject_id,
                                         screen="cases:list").exists()


def test_name_search_needs_mfa_like_every_screen(cast, case):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=cast.supervisor_a).delete()
    response = signed_in(cast.supervisor_a).post(reverse("cases:list"),
                                                 {"q": "Serghei Melnic", "fuzzy": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert "Мельник" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(user=cast.supervisor_a).exists()


def test_later_pages_of_a_search_follow_its_token(cast, case, monkeypatch):
    from bridgeway.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    second = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                                person=services.PersonData(first_name="Serhii",
                                                           second_name="Melnyk"))
    services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                       person=services.PersonData(first_name="Ana", second_name="Rusu"))
    client = signed_in(cast.supervisor_a)
    url = reverse("cases:list")
    first = client.post(url, {"q": "Serghei Melnic", "fuzzy": "on"})
    assert first.context["page"].paginator.count == 2
    kept = str(dict(client.session))
    assert "Melnic" not in kept and str(case.pk) not in kept and str(second.subject_id) not in kept
    next_page = f"{url}?{first.context['pager_query']}&page=2"
    assert f'href="?{first.context["pager_query"].replace("&", "&amp;")}&amp;page=2"' \
        in first.content.decode()
    page_two = client.get(next_page)
    assert "no-store" in page_two.headers["Cache-Control"]
    shown = {c.pk for c in first.context["page"].object_list} | {
        c.pk for c in page_two.context["page"].object_list}
    assert shown == {case.pk, second.pk}
    # The token is worth nothing in another session or for another organisation.
    stranger = signed_in(cast.caseworker_b).get(next_page.replace(
        f"organisation={cast.org_a.pk}", f"organisation={cast.org_b.pk}"))
    assert stranger.context["page"].paginator.count == 0
    colleague = signed_in(cast.caseworker_a).get(next_page)
    assert colleague.context["page"].paginator.count == 0


def test_bad_filter_with_a_name_is_refused_and_not_cached(cast, case):
    client = signed_in(cast.supervisor_a)
    response = client.post(reverse("cases:list"), {
        "q": "Serghei Melnic", "fuzzy": "on", "opened_from": "not a date"})
    assert response.status_code == 400 and response.context["form"].errors["opened_from"]
    assert "no-store" in response.headers["Cache-Control"]  # the page echoes the typed name
    assert "Melnic" not in str(dict(client.session))


def test_filters_without_a_name_go_to_the_url(cast, case):
    response = signed_in(cast.supervisor_a).post(reverse("cases:list"),
                                                 {"q": " ", "status": "Active"})
    assert response.status_code == 302
    assert "status=Active" in response["Location"] and "search=" not in response["Location"]


def test_identification_in_the_ui(cast, case):
    client = signed_in(cast.caseworker_a)
    page = client.get(reverse("cases:assess", args=[case.pk]))
    # The shipped sets and rule are reconstructed (flagged): the notice must show.
    assert page.context["indicator_set"].rule_uncertain
    assert "Not verified against the published source" in page.content.decode()
    response = client.post(reverse("cases:assess", args=[case.pk]), {
        "ind": ["adult_labour.deceptive_recruitment.1", "child_labour.exploitation.1"]})
    assert response.status_code == 400 and "not in the set" in response.content.decode()
    assert not Assessment.objects.exists()
    response = client.post(reverse("cases:assess", args=[case.pk]), {
        "ind": ["adult_labour.deceptive_recruitment.1", "adult_labour.deceptive_recruitment.2"],
        "src_adult_labour.deceptive_recruitment.1": "document"})
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    dim = next(d for d in assessment.result["dimensions"] if d["id"] == "deceptive_recruitment")
    assert dim["positive"] and not assessment.result["indicates_trafficking"]
    response = client.post(reverse("cases:decide", args=[case.pk]), {
        "assessment": str(assessment.pk), "status": "PossibleVictimOfTrafficking"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).trafficking_status == "PossibleVictimOfTrafficking"
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Possible victim of trafficking" in detail
    assert "Not verified against the published source." in detail


def test_decision_without_assessment_is_refused(cast, case):
    response = signed_in(cast.caseworker_a).post(reverse("cases:decide", args=[case.pk]),
                                                 {"status": "ActualVictimOfTrafficking"})
    assert response.status_code == 400 and "assessment" in response.content.decode()
    assert not Decision.objects.exists()


def test_second_save_gets_a_conflict_not_a_silent_overwrite(cast, case):
    url = reverse("cases:edit", args=[case.pk])
    first, second = signed_in(cast.caseworker_a), signed_in(cast.supervisor_a)
    form_a = first.get(url).context["form"]
    form_b = second.get(url).context["form"]
    base = {"version": form_a.initial["version"], "exploitation_types": ["ForcedLabour"],
            "seen_exploitation_types": ["ForcedLabour"], "seen_citizenship": "",
            "seen_gender": ""}
    assert form_b.initial["version"] == base["version"]
    response = first.post(url, {**base, "citizenship": "UA"})
    assert response.status_code == 302
    response = second.post(url, {**base, "citizenship": "MD", "gender": "Masculine"})
    assert response.status_code == 409
    assert "Citizenship" in response.content.decode() or "citizenship" in response.content.decode()
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.citizenship == "UA" and fresh.gender == ""


def test_notes_and_services_with_bad_input(cast, case):
    client = signed_in(cast.caseworker_a)
    assert client.post(reverse("cases:note", args=[case.pk]), {"body": "  "}).status_code == 400
    assert client.post(reverse("cases:note", args=[case.pk]),
                       {"body": "Met at the shelter"}).status_code == 302
    assert CaseNote.objects.get().body == "Met at the shelter"
    bad = client.post(reverse("cases:service", args=[case.pk]), {
        "service": "shelter", "started_on": "2026-05-01", "ended_on": "2026-04-01",
        "outcome": "completed"})
    assert bad.status_code == 400 and bad.context["service_form"].errors["ended_on"]
    ok = client.post(reverse("cases:service", args=[case.pk]), {
        "service": "shelter", "started_on": "2026-05-01", "outcome": "ongoing"})
    assert ok.status_code == 302


def test_closing_without_reason_is_refused_in_the_ui(cast, case):
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("cases:status", args=[case.pk]),
                           {"status": "Closed", "version": case.version})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == "Active"
    response = client.post(reverse("cases:status", args=[case.pk]),
                           {"status": "Closed", "close_reason": "goals_met",
                            "version": case.version})
    assert response.status_code == 302


def test_list_rows_show_name_caseworkers_and_anonymous_or_erased(cast, case):
    from bridgeway.protection.services import subject_erase

    services.case_assign(case=case, actor=cast.supervisor_a,
                         users=[cast.caseworker_a, cast.supervisor_a])
    services.first_contact_open(org=cast.org_a, actor=cast.caseworker_a, channel="phone")
    gone = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Vasile", second_name="Lungu"))
    subject_erase(subject=gone.subject, actor=cast.dpo_a)
    html = signed_in(cast.supervisor_a).get(reverse("cases:list")).content.decode()
    row = html.split(case.reference)[1].split("</tr>")[0]
    assert "Сергій Мельник" in row
    names = sorted([cast.caseworker_a.full_name, cast.supervisor_a.full_name])
    assert ", ".join(names) in row
    assert "anonymous" in html and "erased" in html and "Vasile" not in html


def test_case_screens_query_counts_do_not_grow_with_rows(cast, case, colleague,
                                                          django_assert_max_num_queries):
    """Guards against a query per row or per panel (the list shows 50 rows, the case page
    several panels and the menu): the counts below hold for 1 case and for 12."""
    client = signed_in(cast.supervisor_a)
    url = reverse("cases:list")
    client.get(url)  # the session is written at most once a minute: not in what is counted
    for n in range(11):
        opened = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                                    person=services.PersonData(first_name=f"Ion{n}",
                                                               second_name="Melnyk"))
        services.case_assign(case=opened, actor=cast.supervisor_a,
                             users=[cast.caseworker_a, colleague])
    # session, user, memberships, MFA, caseworkers, count, cases, caseworkers' names, access log
    # (burst check, insert); then the whole menu, its entries and the counts of the supervisor's
    # home queues and notifications, in one statement (core/menu.py).
    menu = 1
    with django_assert_max_num_queries(10 + menu):
        listed = client.get(url)
    assert len(listed.context["rows"]) == 12
    with django_assert_max_num_queries(10 + menu):
        found = client.post(url, {"q": "Melnic", "fuzzy": "on"})
    assert found.context["page"].paginator.count == 12
    # ... plus the case with its person (one statement), its assessments, decisions, notes,
    # services, trafficking events, the cases merged into it, its referrals (one statement for
    # the panel), the helpline's contacts (its panel); the menu is worked out once although
    # panels render too.
    with django_assert_max_num_queries(14 + menu):
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
