"""The API: same permissions as the screens; uploads answer with the questions or a 400 naming
sheet, row and column; submissions as JSON or as an XForm instance."""

from django.core.files.uploadedfile import SimpleUploadedFile

from bridgeway.surveys.models import Submission
from bridgeway.surveys.xlsbuild import build_xlsform
from tests.conftest import api
from tests.surveys.forms import good_answers, member_form

BASE = "/api/v1/surveys/"


def test_members_and_coordinators_see_the_survey_outsiders_do_not(cast, survey):
    assert api(cast.coordinator).get(BASE).json()["count"] == 1
    assert api(cast.caseworker_a).get(f"{BASE}{survey.pk}/").json()["languages"] == [
        "English (en)", "Ukrainian (uk)"]
    for user in (cast.outsider, cast.caseworker_b):
        assert api(user).get(f"{BASE}{survey.pk}/").status_code == 404
        assert api(user).get(f"{BASE}{survey.pk}/aggregates/").status_code == 404
    assert api(cast.caseworker_a).get(f"{BASE}{survey.pk}/aggregates/").status_code == 404


def test_uploading_a_form_answers_with_its_questions_or_names_the_cell(cast, survey):
    client = api(cast.coordinator)
    ok = client.post(f"{BASE}{survey.pk}/forms/",
                     {"xlsform": SimpleUploadedFile("f.xlsx", member_form())},
                     format="multipart")
    assert ok.status_code == 201 and ok.json()["version"] == 2
    share = next(q for q in ok.json()["questions"] if q["name"] == "share")
    assert share["type"] == "integer" and "Ukrainian (uk)" in share["labels"]
    bad = build_xlsform([{"type": "geopoint", "name": "where", "label": "Where"}])
    refused = client.post(f"{BASE}{survey.pk}/forms/",
                          {"xlsform": SimpleUploadedFile("f.xlsx", bad)}, format="multipart")
    assert refused.status_code == 400
    assert "Sheet “survey”, row 2, column “type”" in refused.json()["xlsform"][0]
    member = api(cast.caseworker_a).post(f"{BASE}{survey.pk}/forms/",
                                         {"xlsform": SimpleUploadedFile("f.xlsx", member_form())},
                                         format="multipart")
    assert member.status_code == 403


def test_a_submission_as_json_is_checked_and_refusals_name_the_question(cast, survey):
    client = api(cast.caseworker_a)
    bad = client.post(f"{BASE}{survey.pk}/submissions/",
                      {"organisation": cast.org_a.pk, "submit": True,
                       "answers": good_answers(share="150")}, format="json")
    assert bad.status_code == 400 and "share" in bad.json()
    assert not Submission.objects.exists()
    ok = client.post(f"{BASE}{survey.pk}/submissions/",
                     {"organisation": cast.org_a.pk, "submit": True, "answers": good_answers()},
                     format="json")
    assert ok.status_code == 201 and ok.json()["answers"]["share"] == 40
    other = api(cast.caseworker_b).post(f"{BASE}{survey.pk}/submissions/",
                                        {"organisation": cast.org_b.pk, "answers": {}},
                                        format="json")
    assert other.status_code == 404
    agg = api(cast.coordinator).get(f"{BASE}{survey.pk}/aggregates/?split=_country")
    assert agg.status_code == 200 and agg.json()["total"] == 1


def test_a_submission_as_an_xform_instance(cast, survey):
    xml = ("<data id='member_survey'><org_name>Org A</org_name><funded>no</funded>"
           "<share>10</share><region_country>ua</region_country><city>kyiv</city>"
           "<restrictions>registration foreign_funding</restrictions><ops><budget>10</budget>"
           "<founded>2001-01-01</founded></ops><staff><role>a</role><hours>5</hours></staff>"
           "<staff><role>b</role></staff></data>")
    client = api(cast.caseworker_a)
    r = client.post(f"{BASE}{survey.pk}/submissions/?organisation={cast.org_a.pk}", xml,
                    content_type="application/xml")
    assert r.status_code == 201, r.content
    answers = r.json()["answers"]
    assert "share" not in answers and answers["restrictions"] == ["registration",
                                                                  "foreign_funding"]
    assert [s["role"] for s in answers["staff"]] == ["a", "b"]
    bad = client.post(f"{BASE}{survey.pk}/submissions/?organisation={cast.org_a.pk}",
                      "<data><unclosed>", content_type="application/xml")
    assert bad.status_code == 400
