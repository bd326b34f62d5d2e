"""Free-text answers are sealed at rest: the database holds no text of a submission or of a
draft; the survey's coordinators read them opened on demand (one submission, a page of a
question's answers, the exports), the respondent organisation its own; another network's
coordinator and an outsider get a 404. Existing clear texts are sealed by the data migration,
and the migration can be reversed."""

import csv
import io

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.urls import reverse

from bridgeway.surveys import aggregate, services
from bridgeway.surveys.models import Submission, SubmissionText
from bridgeway.surveys.texts import full_answers
from tests.conftest import signed_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.forms import good_answers

NAME = "Asociatia Speranta Nord"
ROLE = "paralegal Zamfirescu"


def raw_rows() -> str:
    """Everything the two tables hold, read with SQL as anyone with the database would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM surveys_submission")
        subs = cursor.fetchall()
        cursor.execute("SELECT * FROM surveys_submissiontext")
        texts = cursor.fetchall()
    return repr(subs) + repr([[bytes(c) if isinstance(c, memoryview) else c for c in row]
                              for row in texts])


def submit(cast, survey, **kw):
    sub, _check = services.submission_save(
        survey=survey, actor=cast.caseworker_a, organisation=cast.org_a,
        answers=good_answers(org_name=NAME, staff=[{"role": ROLE, "hours": "40"}], **kw),
        submit=True)
    return sub


def texts_url(survey, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("surveys:results_texts", args=[survey.pk]) + "?" + query


def other_coordinator():
    other = OrganisationFactory(name="Other network", org_type="CSONetwork")
    return MembershipFactory(organisation=other, role="network_coordinator").user


def test_a_submitted_surveys_texts_are_not_in_the_database_in_clear(cast, survey):
    sub = submit(cast, survey)
    raw = raw_rows()
    assert NAME not in raw and ROLE not in raw and "Speranta" not in raw
    assert "chisinau" in raw  # choices stay clear, for counting
    # the name, the role in the repeat, and the calculation (a calculate can copy text)
    assert SubmissionText.objects.filter(submission=sub).count() == 3
    answers = full_answers(Submission.objects.get(pk=sub.pk))
    assert answers["org_name"] == NAME and answers["staff"][0]["role"] == ROLE


def test_a_draft_is_sealed_too_and_resumes_with_its_texts(cast, survey):
    services.submission_save(survey=survey, actor=cast.caseworker_a, organisation=cast.org_a,
                             answers={"org_name": NAME, "funded": "yes"})
    raw = raw_rows()
    assert NAME not in raw and Submission.objects.get().status == "draft"
    page = signed_in(cast.caseworker_a).get(
        reverse("surveys:fill", args=[survey.pk, cast.org_a.pk])).content.decode()
    assert NAME in page


def test_the_coordinator_reads_texts_on_demand_and_others_get_404(cast, survey):
    sub = submit(cast, survey)
    survey.threshold = 1
    survey.save()
    coordinator = signed_in(cast.coordinator)
    results = coordinator.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert NAME not in results and "Read the answers" in results
    listing = coordinator.get(texts_url(survey, question="org_name"))
    assert listing.status_code == 200 and NAME in listing.content.decode()
    by_group = coordinator.get(texts_url(survey, question="role", split="region_country",
                                         group="md")).content.decode()
    assert ROLE in by_group and "Moldova" in by_group
    shown = coordinator.get(reverse("surveys:submission", args=[survey.pk, sub.pk]))
    assert NAME in shown.content.decode()
    exported = coordinator.get(reverse("surveys:export", args=[survey.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[1][rows[0].index("org_name")] == NAME
    own = signed_in(cast.caseworker_a).get(reverse("surveys:submission",
                                                   args=[survey.pk, sub.pk]))
    assert NAME in own.content.decode()
    for user in (other_coordinator(), cast.outsider, cast.caseworker_b):
        client = signed_in(user)
        assert client.get(texts_url(survey, question="org_name")).status_code == 404
        assert client.get(reverse("surveys:submission",
                                  args=[survey.pk, sub.pk])).status_code == 404
    # A member of the invited organisation reads its own answers, not the question's list.
    assert signed_in(cast.caseworker_a).get(
        texts_url(survey, question="org_name")).status_code == 404


def test_small_groups_show_no_texts_and_choices_have_no_text_list(cast, survey):
    submit(cast, survey)
    coordinator = signed_in(cast.coordinator)
    small = coordinator.get(texts_url(survey, question="org_name")).content.decode()
    assert NAME not in small and "Too few answers to show." in small
    assert coordinator.get(texts_url(survey, question="funded")).status_code == 404
    assert coordinator.get(texts_url(survey, question="nope")).status_code == 404
    report = aggregate.survey_results(survey)
    org_name = next(b for b in report["questions"] if b["name"] == "org_name")
    assert org_name["groups"][0]["n"] == "<5" and not org_name["groups"][0]["readable"]


def test_the_api_gives_the_texts_to_whoever_may_see_the_submission(cast, survey):
    sub = submit(cast, survey)
    url = f"/api/v1/surveys/{survey.pk}/submissions/"
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(cast.coordinator)
    found = client.get(url).json()["results"]
    assert found[0]["id"] == sub.pk and found[0]["answers"]["org_name"] == NAME


def test_the_migration_seals_clear_texts_and_can_be_reversed(cast, survey):
    from importlib import import_module

    migration = import_module("bridgeway.surveys.migrations.0002_sealed_texts")
    clear = dict(good_answers(org_name=NAME, staff=[{"role": ROLE, "hours": 40}]), share=40)
    old = Submission.objects.create(survey=survey, version=survey.current_version,
                                    organisation=cast.org_a, owner_key="org:old",
                                    status="submitted", answers=clear)
    assert NAME in raw_rows()
    migration.seal_existing_texts(global_apps, None)
    assert NAME not in raw_rows() and ROLE not in raw_rows()
    assert full_answers(Submission.objects.get(pk=old.pk)) == clear
    migration.open_texts_again(global_apps, None)
    old.refresh_from_db()
    assert old.answers == clear and not SubmissionText.objects.exists()
    assert old.wrapped_key is None


@pytest.mark.parametrize("fmt", ["xlsx", "zip"])
def test_exports_carry_the_texts(cast, survey, fmt):
    submit(cast, survey)
    body = signed_in(cast.coordinator).get(reverse("surveys:export", args=[survey.pk, fmt]))
    assert body.status_code == 200
    if fmt == "zip":
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body.content)) as zf:
            xml = zf.read(zf.namelist()[0]).decode()
        assert NAME in xml and ROLE in xml
