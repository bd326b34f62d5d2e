"""The screens: create, fill (with and without JavaScript), results, exports; who may and who
gets a 404."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from bridgeway.surveys import services
from bridgeway.surveys.models import Submission, Survey
from tests.conftest import signed_in
from tests.surveys.forms import good_answers, member_form


def test_a_coordinator_creates_a_survey_by_uploading_an_xlsform(cast):
    client = signed_in(cast.coordinator)
    response = client.post(reverse("surveys:create"), {
        "network": cast.network.pk, "title": "Funding 2026", "scope": "organisation",
        "threshold": 5, "xlsform": SimpleUploadedFile("f.xlsx", member_form())})
    survey = Survey.objects.get()
    assert response.status_code == 302 and survey.current_version.question_count > 10
    bad = client.post(reverse("surveys:create"), {
        "network": cast.network.pk, "title": "Bad", "scope": "organisation", "threshold": 5,
        "xlsform": SimpleUploadedFile("f.xlsx", b"not a workbook")})
    assert bad.status_code == 400 and "not an Excel workbook" in bad.content.decode()
    assert Survey.objects.count() == 1
    assert signed_in(cast.caseworker_a).get(reverse("surveys:create")).status_code == 404


def fill_url(survey, org):
    return reverse("surveys:fill", args=[survey.pk, org.pk])


def post_data(**kw):
    data = {"org_name": "Org A", "funded": "yes", "share": "40", "region_country": "md",
            "city": "chisinau", "restrictions": ["registration"], "budget": "1000",
            "founded": "2004-05-01", "staff-count": "1", "staff-0-role": "lawyer",
            "staff-0-hours": "40", "lang": "English (en)", "revision": "0"}
    data.update(kw)
    return data


def test_a_member_fills_saves_adds_repeat_entries_and_submits_without_javascript(cast, survey):
    client = signed_in(cast.caseworker_a)
    page = client.get(fill_url(survey, cast.org_a) + "?lang=Ukrainian (uk)")
    assert page.status_code == 200 and "Частка державного фінансування" in page.content.decode()
    client.post(fill_url(survey, cast.org_a), post_data(action="add:staff"))
    sub = Submission.objects.get()
    assert len(sub.answers["staff"]) == 2
    page = client.get(fill_url(survey, cast.org_a)).content.decode()
    assert 'name="staff-1-role"' in page
    refused = client.post(fill_url(survey, cast.org_a),
                          post_data(action="submit", share="150", revision=sub.revision))
    assert refused.status_code == 400
    assert "Enter a percentage between 0 and 100" in refused.content.decode()
    sub.refresh_from_db()
    ok = client.post(fill_url(survey, cast.org_a),
                     post_data(action="submit", revision=sub.revision))
    sub.refresh_from_db()
    assert ok.status_code == 302 and sub.status == "submitted"
    shown = client.get(reverse("surveys:submission", args=[survey.pk, sub.pk])).content.decode()
    assert "Chișinău" in shown


def test_the_live_answer_gives_relevance_choices_and_messages(cast, survey):
    client = signed_in(cast.caseworker_a)
    url = reverse("surveys:live", args=[survey.pk, cast.org_a.pk])
    state = client.post(url, post_data(funded="no", region_country="ua",
                                       _touched=["share"])).json()
    assert state["relevant"]["share"] is False
    assert state["choices"]["city"] == ["kyiv"]
    state = client.post(url, post_data(share="150", _touched=["share"])).json()
    assert state["relevant"]["share"] is True
    assert "between 0 and 100" in state["errors"]["share"]
    assert Submission.objects.count() == 0


def test_outsiders_and_other_organisations_get_404(cast, survey):
    sub, _ = services.submission_save(survey=survey, actor=cast.caseworker_a,
                                      organisation=cast.org_a, answers=good_answers(),
                                      submit=True)
    urls = [reverse("surveys:detail", args=[survey.pk]), fill_url(survey, cast.org_a),
            reverse("surveys:submission", args=[survey.pk, sub.pk]),
            reverse("surveys:results", args=[survey.pk]),
            reverse("surveys:export", args=[survey.pk, "xlsx"])]
    for user in (cast.outsider, cast.caseworker_b, cast.agency_poc):
        client = signed_in(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    member = signed_in(cast.caseworker_a)
    assert member.get(reverse("surveys:results", args=[survey.pk])).status_code == 404
    assert member.get(urls[2]).status_code == 200


@pytest.fixture
def answered(cast, survey):
    """Six submitted answers (copies of one, as if from six member organisations)."""
    sub, _ = services.submission_save(survey=survey, actor=cast.caseworker_a,
                                      organisation=cast.org_a, answers=good_answers(),
                                      submit=True)
    for i in range(5):
        Submission.objects.create(survey=survey, version=sub.version, organisation=cast.org_a,
                                  owner_key=f"copy:{i}", status="submitted", answers=sub.answers)
    return survey


def test_results_split_by_country_with_small_cells_suppressed(cast, answered):
    client = signed_in(cast.coordinator)
    page = client.get(reverse("surveys:results", args=[answered.pk]) + "?split=_country")
    text = page.content.decode()
    assert page.status_code == 200 and "Moldova" in text
    assert "Burdensome registration" in text
    csv = client.get(reverse("surveys:results_csv", args=[answered.pk])
                     + "?question=funded&split=_country").content.decode()
    assert '"Moldova, Republic of",Yes,6,100 %' in csv
    answered.threshold = 10
    answered.save()
    csv = client.get(reverse("surveys:results_csv", args=[answered.pk])
                     + "?question=funded&split=_country").content.decode()
    assert '"Moldova, Republic of",Yes,<10,' in csv
    bad = client.get(reverse("surveys:results", args=[answered.pk]) + "?split=nonsense")
    assert "cannot be split" in bad.content.decode()


def test_exports_put_repeats_on_their_own_sheet_and_are_formula_safe(cast, survey):
    services.submission_save(survey=survey, actor=cast.caseworker_a, organisation=cast.org_a,
                             answers=good_answers(org_name="=HYPERLINK(1)"), submit=True)
    client = signed_in(cast.coordinator)
    data = client.get(reverse("surveys:export", args=[survey.pk, "xlsx"])).content
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["submissions", "staff"]
    main = list(wb["submissions"].values)
    assert main[1][main[0].index("org_name")] == "'=HYPERLINK(1)"
    staff = list(wb["staff"].values)
    assert staff[0][:3] == ("submission_id", "entry", "role") and staff[1][0] == main[1][0]
    csv = client.get(reverse("surveys:export", args=[survey.pk, "csv"])).content.decode()
    assert "'=HYPERLINK(1)" in csv
    zipped = client.get(reverse("surveys:export", args=[survey.pk, "zip"])).content
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        xml = zf.read(zf.namelist()[0]).decode()
    assert '<member_survey id="member_survey"' in xml or "<data" in xml
    assert "<staff><role>lawyer</role>" in xml
    form = client.get(reverse("surveys:xlsform",
                              args=[survey.pk, survey.current_version_id])).content
    assert form == member_form() or form[:2] == b"PK"


def test_the_home_page_lists_the_survey_until_it_is_submitted(cast, survey):
    from bridgeway.surveys import queries

    count, items = queries.home_surveys_to_answer(cast.caseworker_a, 5)
    assert count == 1 and items[0].label == "Member survey 2026"
    assert queries.home_surveys_to_answer(cast.caseworker_b, 5) == (0, [])
    services.submission_save(survey=survey, actor=cast.caseworker_a, organisation=cast.org_a,
                             answers=good_answers(), submit=True)
    assert queries.home_surveys_to_answer(cast.caseworker_a, 5)[0] == 0
    count, items = queries.home_submissions_to_review(cast.coordinator, 5)
    assert count == 1
    home = signed_in(cast.caseworker_b).get(reverse("home"))
    assert "Member survey 2026" not in home.content.decode()


def test_deadline_reminders_reach_organisations_that_have_not_answered(cast, survey):
    from datetime import timedelta

    from django.utils import timezone

    from bridgeway.notifications.models import Notification

    survey.deadline = timezone.now() + timedelta(days=2)
    survey.save()
    sent = services.remind_deadlines(timezone.now())
    assert sent > 0
    users = set(Notification.objects.filter(kind="survey_reminder").values_list("user_id",
                                                                               flat=True))
    assert cast.caseworker_a.pk in users and cast.caseworker_b.pk not in users
    assert services.remind_deadlines(timezone.now()) == 0  # once only


def test_the_coordinator_edits_the_deadline_and_threshold_members_cannot(cast, survey):
    url = reverse("surveys:edit", args=[survey.pk])
    data = {"title": "Member survey 2026", "description": "", "scope": "organisation",
            "deadline": "2026-12-31T17:00", "threshold": "7"}
    assert signed_in(cast.caseworker_a).post(url, data).status_code == 404
    response = signed_in(cast.coordinator).post(url, data)
    survey.refresh_from_db()
    assert response.status_code == 302 and survey.threshold == 7 and survey.deadline
    bad = signed_in(cast.coordinator).post(url, dict(data, threshold="0"))
    assert bad.status_code == 400
