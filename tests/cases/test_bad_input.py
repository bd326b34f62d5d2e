"""Bad input on case work, on the screens and through the API: a clear message at the field it
is about, and nothing written. Dates are checked by one rule everywhere: what has happened is
not in the future, nothing about the person is before they were born, a decision is not before
its assessment, an end is not before its start."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bridgeway.cases import services
from bridgeway.cases.indicator_sets import ensure_default_sets, set_for
from bridgeway.cases.models import (
    Assessment,
    AssessmentIndicator,
    Case,
    CaseTask,
    Decision,
    PlanObjective,
    ServiceDelivery,
    TraffickingEvent,
)
from bridgeway.protection.models import AuditEvent
from tests.conftest import api, signed_in
from tests.dates import years_before

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
BORN = dt.date(2000, 5, 5)
IND = "adult_labour.deceptive_recruitment.1"
FUTURE = (TODAY + dt.timedelta(days=400)).isoformat()
BEFORE_BIRTH = "1999-01-01"


@pytest.fixture
def first_contact(cast):
    return services.first_contact_open(org=cast.org_a, actor=cast.caseworker_a, channel="phone")


@pytest.fixture
def assessment(cast, case):
    ensure_default_sets()
    return services.assessment_record(case=case, actor=cast.caseworker_a,
                                      indicator_set=set_for(child=False, sexual=False),
                                      entries=[services.IndicatorEntry(IND)],
                                      assessed_on=TODAY - dt.timedelta(days=10))


def rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (
        Assessment, AssessmentIndicator, Decision, ServiceDelivery, TraffickingEvent,
        PlanObjective, CaseTask)} | {
        "audit": AuditEvent.objects.filter(action__startswith="cases.").count()}


def text(response) -> str:
    return response.content.decode()


# --- anonymous first contact ---------------------------------------------------------------

def test_first_contact_has_no_assess_button_and_says_why(cast, first_contact):
    page = text(signed_in(cast.caseworker_a).get(reverse("cases:detail",
                                                         args=[first_contact.pk])))
    assert reverse("cases:assess", args=[first_contact.pk]) not in page
    assert "Turn it into a full case first" in page


def test_assessing_a_first_contact_on_the_screen_is_refused(cast, first_contact):
    client = signed_in(cast.caseworker_a)
    url = reverse("cases:assess", args=[first_contact.pk])
    page = client.get(url, follow=True)
    assert page.redirect_chain and "anonymous first contact" in text(page)
    before = rows()
    response = client.post(url, {"ind": [IND]})
    assert response.status_code == 400
    assert "turn it into a full case" in text(response)
    assert rows() == before


def test_assessing_a_first_contact_through_the_api_is_refused(cast, first_contact):
    ensure_default_sets()
    before = rows()
    response = api(cast.caseworker_a).post(
        f"/api/v1/cases/{first_contact.pk}/assessments/",
        {"indicator_set": set_for(child=False, sexual=False).pk, "indicators": [{"id": IND}]},
        format="json")
    assert response.status_code == 400
    assert "first contact" in str(response.json())
    assert rows() == before


# --- the same indicator twice ----------------------------------------------------------------

def test_same_indicator_twice_on_the_screen(cast, case):
    before = rows()
    response = signed_in(cast.caseworker_a).post(reverse("cases:assess", args=[case.pk]),
                                                 {"ind": [IND, IND]})
    assert response.status_code == 400
    assert "more than once" in text(response) and IND in text(response)
    assert rows() == before


def test_same_indicator_twice_through_the_api(cast, case):
    ensure_default_sets()
    before = rows()
    response = api(cast.caseworker_a).post(
        f"/api/v1/cases/{case.pk}/assessments/",
        {"indicator_set": set_for(child=False, sexual=False).pk,
         "indicators": [{"id": IND}, {"id": IND, "source": "document"}]}, format="json")
    assert response.status_code == 400
    assert IND in " ".join(response.json()["indicators"])
    assert rows() == before


# --- API case update: the fields and types the edit form allows -------------------------------

@pytest.mark.parametrize("data,field,says", [
    ({"recruitment_methods": [1]}, "recruitment_methods", "valid choice"),
    ({"recruitment_methods": ["Bogus"]}, "recruitment_methods", "valid choice"),
    ({"control_methods": "DebtBondage"}, "control_methods", "must be a list"),
    ({"exploitation_types": "SexualExploitation"}, "exploitation_types", "must be a list"),
    ({"exploitation_types": None}, "exploitation_types", "null"),
    ({"gender": ["Feminine"]}, "gender", ""),
    ({"gender": None}, "gender", "null"),
    ({"forced_labour_industry": {"a": 1}}, "forced_labour_industry", ""),
    ({"citizenship": "XX"}, "citizenship", "Unknown country"),
    ({"citizenship": 5}, "citizenship", ""),
    ({"status": "Closed"}, "status", "Unknown field"),
    ({"gender": "Feminine", "trafficking_status": "ActualVictimOfTrafficking"},
     "trafficking_status", "Unknown field"),
])
def test_api_update_refuses_what_the_form_would_not_send(cast, case, data, field, says):
    before, audit = Case.objects.get(pk=case.pk), rows()
    response = api(cast.caseworker_a).patch(f"/api/v1/cases/{case.pk}/",
                                            {"version": case.version, "data": data},
                                            format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert says in str(response.json()[field])
    after = Case.objects.get(pk=case.pk)
    assert (after.version, after.status, after.gender, after.exploitation_types,
            after.trafficking_status) == (before.version, before.status, before.gender,
                                          before.exploitation_types, before.trafficking_status)
    assert rows() == audit


def test_api_update_refuses_unknown_keys_beside_the_data(cast, case):
    response = api(cast.caseworker_a).patch(f"/api/v1/cases/{case.pk}/", {
        "version": case.version, "data": {"gender": "Feminine"}, "status": "Closed"},
        format="json")
    assert response.status_code == 400 and "Unknown field" in str(response.json()["status"])
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.gender, fresh.version) == ("Active", "", case.version)


@pytest.mark.parametrize("data", ["gender=Feminine", None, ["gender"]])
def test_api_update_data_must_be_an_object(cast, case, data):
    response = api(cast.caseworker_a).patch(f"/api/v1/cases/{case.pk}/",
                                            {"version": case.version, "data": data},
                                            format="json")
    assert response.status_code == 400 and "data" in response.json()
    assert Case.objects.get(pk=case.pk).version == case.version


def test_api_update_takes_what_the_form_sends(cast, case):
    response = api(cast.caseworker_a).patch(f"/api/v1/cases/{case.pk}/", {
        "version": case.version,
        "data": {"recruitment_methods": ["AtWork", "AtWork"], "control_methods": [],
                 "relationship_to_trafficker": "Employer", "recruitment_country": "MD",
                 "forced_labour_industry": ""}}, format="json")
    assert response.status_code == 200, response.content
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.recruitment_methods == ["AtWork"] and fresh.relationship_to_trafficker == \
        "Employer" and fresh.recruitment_country == "MD"


def test_update_service_refuses_wrong_shapes_from_any_caller(cast, case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.case_update(case=case, actor=cast.caseworker_a, version=case.version,
                             data={"control_methods": "DebtBondage", "status": "Closed"},
                             seen={})
    assert set(exc.value.message_dict) == {"control_methods", "status"}
    assert Case.objects.get(pk=case.pk).version == case.version


# --- malformed ids in query strings and forms -------------------------------------------------

@pytest.mark.parametrize("query", ["?set=abc", "?set=999999", "?set=1.5"])
def test_bad_indicator_set_id_is_a_404(cast, case, query):
    response = signed_in(cast.caseworker_a).get(reverse("cases:assess", args=[case.pk]) + query)
    assert response.status_code == 404


@pytest.mark.parametrize("view", ["task_done", "objective_done"])
def test_bad_row_id_on_the_work_page_is_a_404(cast, case, view):
    before = rows()
    response = signed_in(cast.caseworker_a).post(reverse(f"cases:{view}", args=[case.pk, "abc"]))
    assert response.status_code == 404
    assert rows() == before


# --- dates -----------------------------------------------------------------------------------

SCREEN_DATES = [
    ("service", "service_form", {"service": "shelter", "started_on": BEFORE_BIRTH,
                                 "outcome": "ongoing"}, "started_on", "born"),
    ("service", "service_form", {"service": "shelter", "started_on": "2024-01-01",
                                 "ended_on": FUTURE, "outcome": "completed"},
     "ended_on", "future"),
    ("service", "service_form", {"service": "shelter", "started_on": FUTURE,
                                 "outcome": "ongoing"}, "started_on", "future"),
    ("event_add", "event_form", {"kind": "transit", "date_from": "2020-01-01",
                            "date_to": FUTURE}, "date_to", "future"),
    ("event_add", "event_form", {"kind": "recruitment",
                            "date_from": BEFORE_BIRTH}, "date_from", "born"),
    ("event_add", "event_form", {"kind": "transit", "date_from": "2020-01-01",
                            "date_to": "2019-01-01"}, "date_to", "before the start"),
    ("task_add", "task_form", {"title": "Call", "due_on": "1990-01-01"},
     "due_on", "born"),
    ("objective_add", "objective_form", {"objective": "Housing",
                                "due_on": BEFORE_BIRTH}, "due_on", "born"),
]


@pytest.mark.parametrize("view,form,post,field,says", SCREEN_DATES)
def test_bad_dates_on_the_screens(cast, case, view, form, post, field, says):
    before = rows()
    response = signed_in(cast.caseworker_a).post(reverse(f"cases:{view}", args=[case.pk]), post)
    assert response.status_code == 400
    errors = response.context[form].errors
    assert field in errors and says in " ".join(errors[field])
    assert rows() == before


@pytest.mark.parametrize("decided_on,says", [
    ("1980-01-01", "born"), (FUTURE, "future"),
    ((TODAY - dt.timedelta(days=20)).isoformat(), "before the assessment")])
def test_bad_decision_dates_on_the_screen(cast, case, assessment, decided_on, says):
    before = rows()
    response = signed_in(cast.caseworker_a).post(reverse("cases:decide", args=[case.pk]), {
        "assessment": str(assessment.pk), "status": "ActualVictimOfTrafficking",
        "decided_on": decided_on})
    assert response.status_code == 400
    errors = response.context["decision_form"].errors
    assert says in " ".join(errors["decided_on"])
    assert rows() == before
    assert Case.objects.get(pk=case.pk).trafficking_status == ""


API_DATES = [
    ("services", {"service": "shelter", "started_on": BEFORE_BIRTH}, "started_on", "born"),
    ("services", {"service": "shelter", "started_on": "2024-01-01", "ended_on": FUTURE,
                  "outcome": "completed"}, "ended_on", "future"),
    ("services", {"service": "shelter", "started_on": "2024-01-01", "ended_on": FUTURE,
                  "outcome": "declined"}, "ended_on", "future"),
    ("services", {"service": "shelter", "started_on": "2024-02-01",
                  "ended_on": "2024-01-01"}, "ended_on", "before the start"),
    ("events", {"kind": "transit", "date_from": "2020-01-01", "date_to": FUTURE},
     "date_to", "future"),
    ("events", {"kind": "transit", "date_from": BEFORE_BIRTH}, "date_from", "born"),
    ("events", {"kind": "transit", "date_to": BEFORE_BIRTH}, "date_to", "born"),
    ("tasks", {"title": "Call", "due_on": "1990-01-01"}, "due_on", "born"),
    ("objectives", {"objective": "Housing", "due_on": BEFORE_BIRTH}, "due_on", "born"),
]


@pytest.mark.parametrize("part,body,field,says", API_DATES)
def test_bad_dates_through_the_api(cast, case, part, body, field, says):
    before = rows()
    response = api(cast.caseworker_a).post(f"/api/v1/cases/{case.pk}/{part}/", body,
                                           format="json")
    assert response.status_code == 400, response.content
    assert says in " ".join(response.json()[field])
    assert rows() == before


def test_bad_assessment_and_decision_dates_through_the_api(cast, case, assessment):
    client = api(cast.caseworker_a)
    before = rows()
    response = client.post(f"/api/v1/cases/{case.pk}/assessments/", {
        "indicator_set": assessment.indicator_set_id, "indicators": [{"id": IND}],
        "assessed_on": "1990-01-01"}, format="json")
    assert response.status_code == 400 and "born" in " ".join(response.json()["assessed_on"])
    for decided_on, says in (("1980-01-01", "born"), (FUTURE, "future"),
                             ((TODAY - dt.timedelta(days=20)).isoformat(),
                              "before the assessment")):
        response = client.post(f"/api/v1/cases/{case.pk}/decisions/", {
            "assessment": str(assessment.pk), "status": "ActualVictimOfTrafficking",
            "decided_on": decided_on}, format="json")
        assert response.status_code == 400, response.content
        assert says in " ".join(response.json()["decided_on"])
    assert rows() == before


def test_due_dates_in_the_future_and_planned_ends_are_fine(cast, case):
    client = api(cast.caseworker_a)
    assert client.post(f"/api/v1/cases/{case.pk}/tasks/", {"title": "Call", "due_on": FUTURE},
                       format="json").status_code == 201
    assert client.post(f"/api/v1/cases/{case.pk}/objectives/", {
        "objective": "Housing", "due_on": FUTURE}, format="json").status_code == 201
    # An ongoing service may have a planned end.
    assert client.post(f"/api/v1/cases/{case.pk}/services/", {
        "service": "shelter", "started_on": TODAY.isoformat(), "ended_on": FUTURE,
        "outcome": "ongoing"}, format="json").status_code == 201


def test_with_only_an_age_dates_long_before_birth_are_refused(cast):
    case = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Irina", age=20))
    before = rows()
    response = api(cast.caseworker_a).post(f"/api/v1/cases/{case.pk}/events/", {
        "kind": "recruitment", "date_from": years_before(TODAY, 22).isoformat()},
        format="json")
    assert response.status_code == 400 and "born" in " ".join(response.json()["date_from"])
    assert rows() == before
    ok = api(cast.caseworker_a).post(f"/api/v1/cases/{case.pk}/events/", {
        "kind": "recruitment", "date_from": years_before(TODAY, 19).isoformat()},
        format="json")
    assert ok.status_code == 201


# --- closing reasons consistent with the status ------------------------------------------------

@pytest.mark.parametrize("status,reason", [("ClosedReferred", "goals_met"),
                                           ("ClosedReferred", "other"),
                                           ("Closed", "referred")])
def test_close_reason_must_fit_the_status(cast, case, status, reason):
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("cases:status", args=[case.pk]),
                           {"status": status, "close_reason": reason, "version": case.version})
    assert response.status_code == 400
    assert response.context["status_form"].errors["close_reason"]
    response = api(cast.caseworker_a).post(f"/api/v1/cases/{case.pk}/status/",
                                           {"status": status, "close_reason": reason,
                                            "version": case.version}, format="json")
    assert response.status_code == 400 and response.json()["close_reason"]
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == "Active" and fresh.closed_on is None


# --- converting a first contact: the date of birth cannot be after the contact ---------------

def test_convert_with_birth_after_the_contact_names_the_birth_date(cast, first_contact):
    from bridgeway.cases.models import Person

    Case.objects.filter(pk=first_contact.pk).update(opened_on=TODAY - dt.timedelta(days=30))
    born = (TODAY - dt.timedelta(days=10)).isoformat()
    response = signed_in(cast.caseworker_a).post(
        reverse("cases:convert", args=[first_contact.pk]),
        {"first_name": "Ana", "birth_date": born})
    assert response.status_code == 400
    assert "after this first contact" in " ".join(response.context["form"].errors["birth_date"])
    response = api(cast.caseworker_a).post(f"/api/v1/cases/{first_contact.pk}/convert/",
                                           {"first_name": "Ana", "birth_date": born},
                                           format="json")
    assert response.status_code == 400 and "birth_date" in response.json()
    assert "opened_on" not in response.json()
    fresh = Case.objects.get(pk=first_contact.pk)
    assert fresh.is_first_contact and fresh.subject_id is None
    assert not Person.objects.exists()


def test_dates_on_an_erased_case_are_checked_without_the_erased_birth_date(cast, case,
                                                                          assessment):
    from bridgeway.protection.services import subject_erase

    subject_erase(subject=case.subject, actor=cast.dpo_a)
    case = Case.objects.get(pk=case.pk)
    client = api(cast.caseworker_a)
    early = client.post(f"/api/v1/cases/{case.pk}/decisions/", {
        "assessment": str(assessment.pk), "status": "NotAVictimOfTrafficking",
        "decided_on": (TODAY - dt.timedelta(days=20)).isoformat()}, format="json")
    assert early.status_code == 400 and "decided_on" in early.json()
    ok = client.post(f"/api/v1/cases/{case.pk}/decisions/", {
        "assessment": str(assessment.pk), "status": "NotAVictimOfTrafficking"}, format="json")
    assert ok.status_code == 201


def test_a_refused_assessment_comes_back_with_what_was_ticked_and_written(cast, case):
    """Nothing typed is lost when the assessment is refused: ticks, sources and notes return."""
    indicator_set = set_for(child=False, sexual=False)
    other = sorted(i for i in indicator_set.indicator_ids() if i != IND)[0]
    response = signed_in(cast.caseworker_a).post(reverse("cases:assess", args=[case.pk]), {
        "set": indicator_set.pk, "ind": [IND, IND, other], f"src_{other}": "document",
        f"note_{other}": "Passport held by the employer", "note": "Interview at the shelter"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'value="{re.escape(other)}" id="[^"]+" checked', html)
    assert 'value="Passport held by the employer"' in html
    assert re.search(r'<option value="document" selected>', html)
    assert ">Interview at the shelter</textarea>" in html
