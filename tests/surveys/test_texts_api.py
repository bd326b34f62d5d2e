"""The free-text answers through the API (`GET /api/v1/surveys/{id}/texts/?question=`): the
survey's coordinators read them a page at a time, each page read is written to the audit log as
the screen's reads are; everyone else gets a 404 and nothing is logged; bad parameters are a 400
naming them, a page that does not exist a 404."""

import pytest
from django.urls import reverse

from bridgeway.protection.models import AuditEvent
from bridgeway.surveys import services
from tests.conftest import api, signed_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.forms import good_answers

ROLES = [f"role {i:02d}" for i in range(60)]


@pytest.fixture
def answered(cast, survey):
    sub, _check = services.submission_save(
        survey=survey, actor=cast.caseworker_a, organisation=cast.org_a,
        answers=good_answers(org_name="Speranta Nord",
                             staff=[{"role": r, "hours": "10"} for r in ROLES]),
        submit=True)
    survey.threshold = 1
    survey.save()
    return sub


def url(survey, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/surveys/{survey.pk}/texts/" + (f"?{query}" if query else "")


def reads():
    return list(AuditEvent.objects.filter(action="surveys.texts.read").order_by("seq")
                .values_list("actor_id", "object_id", "payload"))


def test_the_coordinator_reads_the_answers_a_page_at_a_time_and_each_read_is_logged(
        cast, survey, answered):
    client = api(cast.coordinator)
    first = client.get(url(survey, question="role"))
    assert first.status_code == 200
    body = first.json()
    assert body["count"] == 60 and body["previous"] is None and "page=2" in body["next"]
    assert [r["answer"] for r in body["results"]] == ROLES[:50]
    assert body["results"][0] == {"submission": answered.pk, "place": "staff/0/role",
                                  "answer": "role 00"}
    second = client.get(url(survey, question="role", page=2)).json()
    assert [r["answer"] for r in second["results"]] == ROLES[50:] and second["next"] is None
    top = client.get(url(survey, question="org_name")).json()
    assert top["results"] == [{"submission": answered.pk, "place": "org_name",
                               "answer": "Speranta Nord"}]
    by_group = client.get(url(survey, question="role", split="region_country", group="md"))
    assert by_group.json()["count"] == 60
    assert client.get(url(survey, question="role", split="region_country",
                          group="ua")).json() == {"count": 0, "next": None, "previous": None,
                                                  "results": []}
    assert reads() == [
        (cast.coordinator.pk, str(survey.pk), {"question": "role", "answers": 50, "via": "api"}),
        (cast.coordinator.pk, str(survey.pk), {"question": "role", "answers": 10, "via": "api"}),
        (cast.coordinator.pk, str(survey.pk), {"question": "org_name", "answers": 1,
                                               "via": "api"}),
        (cast.coordinator.pk, str(survey.pk), {"question": "role", "answers": 50, "via": "api"}),
    ]  # the empty group opened nothing, so it is not a read


def test_only_the_surveys_coordinators_may_read_the_others_get_404(cast, survey, answered):
    other_network = OrganisationFactory(name="Other network", org_type="CSONetwork")
    other_coordinator = MembershipFactory(organisation=other_network,
                                          role="network_coordinator").user
    for user in (cast.outsider, cast.caseworker_b, cast.agency_poc, other_coordinator,
                 cast.caseworker_a, cast.supervisor_a):
        answer = api(user).get(url(survey, question="role"))
        assert answer.status_code == 404, user
        assert "role 0" not in answer.content.decode()
    # An unknown survey answers alike, and a wrong question does not tell an outsider more.
    assert api(cast.outsider).get(url(survey, question="nope")).status_code == 404
    assert api(cast.coordinator).get(
        f"/api/v1/surveys/{survey.pk + 1000}/texts/?question=role").status_code == 404
    assert reads() == []


def test_bad_parameters_are_named_and_nothing_is_read(cast, survey, answered):
    client = api(cast.coordinator)
    missing = client.get(url(survey))
    assert missing.status_code == 400 and "question" in missing.json()
    unknown = client.get(url(survey, question="nope"))
    assert unknown.status_code == 400
    assert unknown.json()["question"] == ["This survey has no free-text question “nope”."]
    choice = client.get(url(survey, question="funded"))  # a choice: counted, not free text
    assert choice.status_code == 400 and "“funded”" in choice.json()["question"][0]
    bad_split = client.get(url(survey, question="role", split="org_name"))
    assert bad_split.status_code == 400
    assert bad_split.json()["split"] == ["The answers cannot be split by “org_name”."]
    assert client.get(url(survey, question="role", group="md")).json() == {
        "group": ["A group needs a split."]}
    assert client.get(url(survey, question="role", colour="red")).json() == {
        "colour": ["This list has no filter of this name."]}
    for page in ("abc", "0", "3"):
        past = client.get(url(survey, question="role", page=page))
        assert past.status_code == 404 and past.json()["detail"] == "Invalid page.", page
    assert reads() == []


def test_a_group_under_the_threshold_shows_no_answers(cast, survey, answered):
    survey.threshold = 5
    survey.save()
    refused = api(cast.coordinator).get(url(survey, question="org_name"))
    assert refused.status_code == 403 and "Speranta" not in refused.content.decode()
    assert "(5)" in refused.json()["detail"]
    assert reads() == []


def test_the_screen_logs_its_reads_the_same_way(cast, survey, answered):
    page = signed_in(cast.coordinator).get(
        reverse("surveys:results_texts", args=[survey.pk]) + "?question=role&page=2")
    assert page.status_code == 200 and "role 59" in page.content.decode()
    assert reads() == [(cast.coordinator.pk, str(survey.pk),
                        {"question": "role", "answers": 10, "via": "ui"})]


def test_the_endpoint_is_in_the_schema(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/surveys/{id}/texts/"]["get"]
    names = {p["name"]: p for p in operation["parameters"]}
    assert names["question"]["required"] and {"page", "split", "group"} <= set(names)
    assert {"200", "400", "403", "404"} <= set(operation["responses"])
