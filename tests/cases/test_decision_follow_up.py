"""Which decision sets the case's trafficking status, who may put a state body's decision in
force, imported sets with malformed labels, and the case page's queries with many events and
assessments (found by review after the identification work was merged)."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridgeway.cases import services
from bridgeway.cases.indicator_sets import ensure_default_sets, import_payload, set_for
from bridgeway.cases.models import Case, CaseSettings, Decision, IndicatorSet
from tests.cases.test_identification_work import VERIFIED_RULE, a_set, api, open_case, payload
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def status_of(case) -> str:
    return Case.objects.values_list("trafficking_status", flat=True).get(pk=case.pk)


def own_decision(cast, case, status, decided_on):
    assessment = services.assessment_record(
        case=case, actor=cast.caseworker_a, indicator_set=set_for(child=False, sexual=False),
        entries=[], assessed_on=decided_on)
    return services.decision_record(case=case, actor=cast.caseworker_a, assessment=assessment,
                                    status=status, decided_on=decided_on)


def formal(cast, case, status, decided_on, actor=None):
    return services.formal_decision_record(
        case=case, actor=actor or cast.caseworker_a, status=status, decision_org="Police",
        decision_body="Border police", decided_on=decided_on)


def test_an_older_decision_recorded_later_does_not_overwrite_the_newer_one(cast):
    case = open_case(cast)
    formal(cast, case, "ActualVictimOfTrafficking", TODAY() - dt.timedelta(days=1))
    assert status_of(case) == "ActualVictimOfTrafficking"
    own_decision(cast, case, "NotAVictimOfTrafficking", TODAY() - dt.timedelta(days=30))
    assert status_of(case) == "ActualVictimOfTrafficking"
    # A newer one does take over, whoever made it.
    own_decision(cast, case, "PossibleVictimOfTrafficking", TODAY())
    assert status_of(case) == "PossibleVictimOfTrafficking"


def test_approving_an_old_pending_decision_keeps_the_newer_formal_one(cast):
    case = open_case(cast)
    CaseSettings.objects.update_or_create(organisation=cast.org_a,
                                          defaults={"decisions_need_approval": True})
    pending = own_decision(cast, case, "NotAVictimOfTrafficking",
                           TODAY() - dt.timedelta(days=20))
    assert pending.state == Decision.State.AWAITING_APPROVAL
    formal(cast, case, "ActualVictimOfTrafficking", TODAY() - dt.timedelta(days=2),
           actor=cast.supervisor_a)
    services.decision_approve(decision=pending, actor=cast.supervisor_a)
    assert status_of(case) == "ActualVictimOfTrafficking"


def test_where_decisions_need_approval_a_caseworkers_state_decision_waits_for_a_supervisor(cast):
    case = open_case(cast)
    CaseSettings.objects.update_or_create(organisation=cast.org_a,
                                          defaults={"decisions_need_approval": True})
    before = status_of(case)
    waiting = formal(cast, case, "ActualVictimOfTrafficking", TODAY())
    assert waiting.state == Decision.State.AWAITING_APPROVAL
    assert status_of(case) == before
    page = signed_in(cast.supervisor_a).get(reverse("cases:detail", args=[case.pk]))
    assert reverse("cases:approve", args=[case.pk, waiting.pk]) in page.content.decode()
    services.decision_approve(decision=waiting, actor=cast.supervisor_a)
    assert status_of(case) == "ActualVictimOfTrafficking"
    # A supervisor's own record of a state decision needs nobody else.
    assert formal(cast, case, "NotAVictimOfTrafficking", TODAY(),
                  actor=cast.supervisor_a).state == Decision.State.IN_FORCE


def test_without_the_setting_a_state_decision_is_in_force_at_once(cast):
    case = open_case(cast)
    assert formal(cast, case, "ActualVictimOfTrafficking", TODAY()).state == \
        Decision.State.IN_FORCE
    assert status_of(case) == "ActualVictimOfTrafficking"


@pytest.mark.parametrize("where", ["dimension", "indicator"])
def test_an_imported_set_with_a_label_that_is_not_text_is_refused(cast, where):
    ensure_default_sets()
    before = IndicatorSet.objects.count()
    bad = a_set(for_child=False, for_sexual_exploitation=False)
    if where == "dimension":
        bad["dimensions"][0]["label"] = ["not", "text"]
    else:
        bad["dimensions"][1]["indicators"][0]["text"] = {"en": "text"}
    with pytest.raises(ValidationError) as exc:
        import_payload(payload([bad], VERIFIED_RULE), actor=cast.platform_admin)
    message = " ".join(exc.value.messages)
    assert ("the label must be text" in message if where == "dimension"
            else "needs an id and a text" in message), message
    assert IndicatorSet.objects.count() == before


def _case_with(cast, n):
    case = open_case(cast)
    for i in range(n):
        services.event_add(case=case, actor=cast.caseworker_a, kind="recruitment",
                           country="MD", place=f"Village {i}",
                           date_from=TODAY() - dt.timedelta(days=400 + i))
        services.assessment_record(
            case=case, actor=cast.caseworker_a, indicator_set=set_for(child=False, sexual=False),
            entries=[], note=f"Seen at the shelter, visit {i}.",
            assessed_on=TODAY() - dt.timedelta(days=i))
    return Case.objects.get(pk=case.pk)


def test_the_case_page_reads_no_row_per_event_or_assessment(cast):
    client = signed_in(cast.caseworker_a)
    counts = []
    for n in (1, 4):
        case = _case_with(cast, n)
        client.get(reverse("cases:detail", args=[case.pk]))  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("cases:detail", args=[case.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert f"Village {n - 1}" in html and f"visit {n - 1}" in html
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_assessments_api_reads_no_person_row_per_assessment(cast):
    client = api(cast.caseworker_a)
    counts = []
    for n in (1, 4):
        case = _case_with(cast, n)
        client.get(f"/api/v1/cases/{case.pk}/assessments/")  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/cases/{case.pk}/assessments/")
        assert response.status_code == 200
        assert len(response.json()["results"]) == n
        assert response.json()["results"][0]["note"].startswith("Seen at the shelter")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_timeline_names_person_corrections_and_state_decisions_in_words(cast):
    from tests.cases.test_case_readable import visible_text

    case = open_case(cast)
    services.person_update(case=case, actor=cast.caseworker_a, version=case.version,
                           data={"birth_date": dt.date(1991, 6, 7), "phone": "+37360000111"})
    formal(cast, case, "ActualVictimOfTrafficking", TODAY())
    text = visible_text(signed_in(cast.caseworker_a).get(reverse("cases:timeline",
                                                                 args=[case.pk])))
    text = html.unescape(text)
    for words in ("Person's details corrected", "Fields changed: Date of birth, Phone",
                  "Formal identification by a state body recorded",
                  "Decision: Actual victim of trafficking", "Decided by: Police"):
        assert words in text, words
    for raw in ("cases.person.corrected", "birth_date", "1991", "+37360000111",
                "formal_recorded", "Border police"):
        assert raw not in text, raw
