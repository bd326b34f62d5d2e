"""The network view is kept in the cache under the versions of the organisations' totals, which
every change of a record moves in the same transaction: what an organisation or a coordinator
sees follows each record at once (never a stale view, not even after a rolled-back write), in
the reader's language and with the reader's suppression; a view seen again reads no totals."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bridgeway.outreach import services
from bridgeway.outreach.codes import Kind
from tests.conftest import api, signed_in
from tests.outreach.conftest import activity_values

pytestmark = pytest.mark.django_db


def _reached(user) -> list:
    rows = api(user).get("/api/v1/outreach/network/?year=2026").json()["activities"]
    return [r["reached"] for r in rows]


def _new_activity(cast, reached: int):
    return services.record_create(
        kind=Kind.ACTIVITY, actor=cast.caseworker_a, org=cast.org_a,
        values=activity_values(reached_total=reached, reached_female=reached, reached_male=0,
                               reached_age_0_17=0, reached_age_18_59=reached, reached_age_60=0,
                               potential_victims=0))


def test_the_view_follows_every_change_at_once(cast, activity, refused, facility):
    org, coordinator = cast.caseworker_a, cast.coordinator
    assert _reached(org) == [30] and _reached(coordinator) == [30]
    page = signed_in(coordinator).get("/outreach/network/?year=2026").content.decode()
    assert "Detention" in page and "<td>&lt;11</td>" in page

    second = _new_activity(cast, 12)
    assert _reached(org) == [42] and _reached(coordinator) == [42]
    services.record_edit(kind=Kind.ACTIVITY, record=second, actor=org,
                         values={"started_on": "2025-06-01", "ended_on": "2025-06-01"})
    assert _reached(org) == [30]
    # A facility that changes type moves its requests in the table.
    services.facility_edit(actor=org, facility=facility, name=facility.name,
                           facility_type="shelter", country="MD", region="",
                           authority=facility.authority)
    page = signed_in(coordinator).get("/outreach/network/?year=2026").content.decode()
    assert "Shelter" in page and "Detention" not in page
    activity.delete()
    assert _reached(org) == [] and _reached(coordinator) == []
    # The organisation sees its own numbers; the coordinator the same totals suppressed.
    own = api(org).get("/api/v1/outreach/network/?year=2026").json()["access"][0]["cells"]
    net = api(coordinator).get("/api/v1/outreach/network/?year=2026").json()["access"][0]["cells"]
    assert 1 in own and "<11" in net and 1 not in net


def test_a_rolled_back_write_leaves_no_view_behind(cast, activity):
    assert _reached(cast.caseworker_a) == [30]
    with pytest.raises(RuntimeError), transaction.atomic():
        _new_activity(cast, 40)
        assert _reached(cast.caseworker_a) == [70]  # seen, and kept, inside the transaction
        raise RuntimeError
    assert _reached(cast.caseworker_a) == [30]
    _new_activity(cast, 12)
    assert _reached(cast.caseworker_a) == [42]


def test_each_reader_sees_the_view_in_their_language(cast, activity):
    client = signed_in(cast.coordinator)
    english = client.get("/outreach/network/?year=2026").content.decode()
    client.cookies["django_language"] = "uk"
    ukrainian = client.get("/outreach/network/?year=2026", HTTP_ACCEPT_LANGUAGE="uk")
    with translation.override("uk"):
        heading = translation.gettext("Activities by country, quarter and kind")
    assert heading != "Activities by country, quarter and kind"
    assert heading in ukrainian.content.decode()
    assert "Activities by country, quarter and kind" in english


def test_a_view_seen_again_reads_no_totals(cast, activity):
    client = signed_in(cast.coordinator)
    client.get("/outreach/network/?year=2026")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/outreach/network/?year=2026")
    assert page.status_code == 200 and "Outreach round" in page.content.decode()
    assert not [q for q in ctx.captured_queries if '"outreach_summary"' in q["sql"]]
