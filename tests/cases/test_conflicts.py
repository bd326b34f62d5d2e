"""No lost updates (issue item 7): a second save on a case someone else saved in between gets a
conflict that shows, field by field and in words, what they changed; the conflict page carries the
current version, so saving it again applies the editor's values on purpose."""

import re

import pytest
from django.urls import reverse

from bridgeway.cases import services
from bridgeway.cases.models import Case
from tests.conftest import api, signed_in
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db


def hidden(html: str, name: str) -> list[str]:
    """The values of the hidden inputs called `name` in a page."""
    found = []
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            found.append(value.group(1) if value else "")
    return found


def conflict_rows(html: str) -> list[list[str]]:
    """The rows of the "changes saved while you were editing" table, as text."""
    table = re.search(r'<div class="msg msg-warning" role="alert">(.*?)</table>', html, re.S)
    assert table, "no conflict table on the page"
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(
        r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)][1:]


def resubmission(html: str, **values) -> dict:
    """What a browser sends when the person presses Save again on the conflict page."""
    post = {name: hidden(html, name) for name in set(re.findall(r'name="(seen_[a-z_]+)"', html))}
    post["version"] = hidden(html, "version")[0]
    post.update(values)
    return post


def test_edit_conflict_shows_their_changes_and_a_second_save_applies_mine(cast, case):
    url = reverse("cases:edit", args=[case.pk])
    first, second = signed_in(cast.caseworker_a), signed_in(cast.supervisor_a)
    base = {"version": case.version, "exploitation_types": ["ForcedLabour"],
            "seen_exploitation_types": ["ForcedLabour"], "seen_citizenship": "",
            "seen_gender": ""}
    assert first.post(url, {**base, "citizenship": "UA", "gender": "Feminine"}).status_code == 302
    response = second.post(url, {**base, "citizenship": "MD"})
    assert response.status_code == 409
    html = response.content.decode()
    # Field by field, translated labels and readable values, never the raw codes.
    assert conflict_rows(html) == [
        ["Gender", "Female", "not changed by you: their value is kept"],
        ["Citizenship", "Ukraine", "Moldova, Republic of"]]
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.citizenship == "UA"
    # The page carries the current version; the field the second person had not touched now
    # shows what the first one saved, so saving again loses nothing of theirs.
    assert hidden(html, "version") == [str(fresh.version)]
    assert "their value is kept" in html
    assert re.search(r'<option value="Feminine" selected>', html)
    again = second.post(url, resubmission(html, citizenship="MD", gender="Feminine",
                                          exploitation_types=["ForcedLabour"]))
    assert again.status_code == 302
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.citizenship == "MD" and fresh.gender == "Feminine" and fresh.version == 3


def test_edit_conflict_page_resubmitted_after_yet_another_save_conflicts_again(cast, case):
    url = reverse("cases:edit", args=[case.pk])
    first, second = signed_in(cast.caseworker_a), signed_in(cast.supervisor_a)
    base = {"version": case.version, "exploitation_types": ["ForcedLabour"],
            "seen_exploitation_types": ["ForcedLabour"], "seen_citizenship": "",
            "seen_gender": ""}
    first.post(url, {**base, "citizenship": "UA"})
    html = second.post(url, {**base, "citizenship": "MD"}).content.decode()
    first.post(url, {**base, "version": Case.objects.get(pk=case.pk).version,
                     "seen_citizenship": "UA", "citizenship": "RO"})
    again = second.post(url, resubmission(html, citizenship="MD",
                                          exploitation_types=["ForcedLabour"]))
    assert again.status_code == 409
    assert conflict_rows(again.content.decode()) == [
        ["Citizenship", "Romania", "Moldova, Republic of"]]
    assert Case.objects.get(pk=case.pk).citizenship == "RO"


def test_api_conflict_gives_changes_and_version_and_saving_with_it_works(cast, case):
    url = f"/api/v1/cases/{case.pk}/"
    assert api(cast.caseworker_a).patch(url, {"version": case.version,
                                              "data": {"citizenship": "UA"}},
                                        format="json").status_code == 200
    stale = api(cast.supervisor_a).patch(url, {"version": case.version,
                                               "seen": {"citizenship": ""},
                                               "data": {"citizenship": "MD"}}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["changed"] == ["citizenship"] and body["version"] == case.version + 1
    assert body["changes"] == [{"field": "citizenship", "label": "Citizenship",
                                "value": "Ukraine"}]
    assert Case.objects.get(pk=case.pk).citizenship == "UA"
    ok = api(cast.supervisor_a).patch(url, {"version": body["version"],
                                            "data": {"citizenship": "MD"}}, format="json")
    assert ok.status_code == 200 and Case.objects.get(pk=case.pk).citizenship == "MD"


def test_stale_status_change_is_refused_with_the_same_message(cast, case):
    url = reverse("cases:status", args=[case.pk])
    first, second = signed_in(cast.caseworker_a), signed_in(cast.supervisor_a)
    page = second.get(reverse("cases:detail", args=[case.pk])).content.decode()
    loaded = hidden(page, "version")
    assert loaded == [str(case.version)]
    assert first.post(url, {"status": "FollowUp", "version": case.version,
                            "seen_status": "Active"}).status_code == 302
    response = second.post(url, {"status": "Closed", "close_reason": "goals_met",
                                 "version": loaded[0], "seen_status": "Active"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this case" in html
    assert conflict_rows(html) == [["Status", "Follow-up", "Closed"]]
    assert Case.objects.get(pk=case.pk).status == "FollowUp"
    # The form now carries the current version: closing on purpose works.
    again = second.post(url, {"status": "Closed", "close_reason": "goals_met",
                              "version": hidden(html, "version")[0],
                              "seen_status": hidden(html, "seen_status")[0]})
    assert again.status_code == 302 and Case.objects.get(pk=case.pk).status == "Closed"


def test_status_change_without_a_version_is_refused(cast, case):
    response = signed_in(cast.caseworker_a).post(reverse("cases:status", args=[case.pk]),
                                                 {"status": "FollowUp"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == "Active"
    bad = api(cast.caseworker_a).post(f"/api/v1/cases/{case.pk}/status/",
                                      {"status": "FollowUp"}, format="json")
    assert bad.status_code == 400 and "version" in bad.json()


def test_api_stale_status_change_gets_409(cast, case):
    url = f"/api/v1/cases/{case.pk}/status/"
    assert api(cast.caseworker_a).post(url, {"status": "FollowUp", "version": case.version},
                                       format="json").status_code == 200
    stale = api(cast.supervisor_a).post(url, {"status": "Closed", "close_reason": "goals_met",
                                              "version": case.version}, format="json")
    assert stale.status_code == 409 and stale.json()["version"] == case.version + 1
    assert Case.objects.get(pk=case.pk).status == "FollowUp"
    told = api(cast.supervisor_a).post(url, {"status": "Closed", "close_reason": "goals_met",
                                             "version": case.version, "seen_status": "Active"},
                                       format="json")
    assert told.status_code == 409
    assert told.json()["changes"] == [{"field": "status", "label": "Status",
                                       "value": "Follow-up"}]
    ok = api(cast.supervisor_a).post(url, {"status": "Closed", "close_reason": "goals_met",
                                           "version": stale.json()["version"]}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "Closed"


def test_stale_assignment_is_refused_web_and_api(cast, case):
    colleague = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    with_totp(colleague)
    url = reverse("cases:work", args=[case.pk])
    supervisor = signed_in(cast.supervisor_a)
    page = supervisor.get(url).content.decode()
    loaded = hidden(page, "version")[0]
    services.case_assign(case=case, actor=cast.supervisor_a,
                         users=[cast.caseworker_a, colleague], version=case.version)
    response = supervisor.post(reverse("cases:assign", args=[case.pk]), {"assignees": [colleague.pk],
                                     "version": loaded,
                                     "seen_assignees": hidden(page, "seen_assignees")})
    assert response.status_code == 409
    html = response.content.decode()
    assert conflict_rows(html) == [[
        "Caseworkers", f"{cast.caseworker_a.full_name}, {colleague.full_name}",
        colleague.full_name]]
    assert set(Case.objects.get(pk=case.pk).assignees.all()) == {cast.caseworker_a, colleague}
    again = supervisor.post(reverse("cases:assign", args=[case.pk]), {"assignees": [colleague.pk],
                                  "version": hidden(html, "version")[0]})
    assert again.status_code == 302
    assert list(Case.objects.get(pk=case.pk).assignees.all()) == [colleague]
    stale = api(cast.supervisor_a).post(f"/api/v1/cases/{case.pk}/assign/",
                                        {"assignees": [cast.caseworker_a.pk], "version": 1},
                                        format="json")
    assert stale.status_code == 409
    assert list(Case.objects.get(pk=case.pk).assignees.all()) == [colleague]


def test_api_stale_assignment_says_the_caseworkers_changed_when_told_what_was_read(cast, case):
    colleague = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    read = Case.objects.get(pk=case.pk)
    seen = [u.pk for u in read.assignees.all()]
    services.case_assign(case=case, actor=cast.supervisor_a,
                         users=[cast.caseworker_a, colleague], version=read.version)
    stale = api(cast.supervisor_a).post(f"/api/v1/cases/{case.pk}/assign/", {
        "assignees": [colleague.pk], "version": read.version, "seen_assignees": seen},
        format="json")
    assert stale.status_code == 409
    assert [c["field"] for c in stale.json()["changes"]] == ["assignees"]
    assert set(Case.objects.get(pk=case.pk).assignees.all()) == {cast.caseworker_a, colleague}


def test_api_update_keeps_a_nested_key_named_like_a_top_level_field_apart(cast, case):
    response = api(cast.caseworker_a).patch(f"/api/v1/cases/{case.pk}/", {
        "version": "not a number", "seen": {}, "data": {"version": 3}}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "valid integer" in str(body["version"])
    assert "Unknown field" in str(body["data.version"])
