"""The case page and its timeline in words: translated labels for every victim-context field and
every timeline entry, never a stored code or a payload key, never a personal value."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from bridgeway.cases import services
from bridgeway.cases.indicator_sets import set_for
from tests.cases.conftest import new_case
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def visible_text(response) -> str:
    """What a reader sees: the page without its tags (option values and attributes are not
    shown)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|select)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def case(cast):
    case = new_case(cast, opened_on=dt.date(2025, 1, 10),
                    exploitation_types=["ForcedLabour", "Servitude"], first_name="Tetiana",
                    second_name="Bondarenko", birth_date=dt.date(1990, 4, 4))
    return services.case_update(case=case, actor=cast.caseworker_a, version=case.version, seen={},
                                data={"forced_labour_industry": "F_Construction",
                                      "recruitment_methods": ["ThroughOnlineSocialNetworks"],
                                      "control_methods": ["DebtBondage", "WithholdsDocuments"],
                                      "relationship_to_trafficker": "Recruiter",
                                      "recruitment_country": "MD",
                                      "exploitation_country": "PL"})


def test_case_page_shows_every_victim_context_field_by_its_label(cast, case):
    services.event_add(case=case, actor=cast.caseworker_a, kind="exploitation", country="PL",
                       place="Building site", date_from=dt.date(2024, 5, 1))
    text = visible_text(signed_in(cast.caseworker_a).get(reverse("cases:detail",
                                                                 args=[case.pk])))
    for label in ("Types of exploitation", "Forced labour", "Servitude",
                  "Forced labour industry", "Construction",
                  "Methods of recruitment", "Through online social networks",
                  "Methods of control", "Debt bondage", "Withholds documents",
                  "Relationship to trafficker", "Recruiter or agency",
                  "Country of recruitment", "Moldova", "Country of exploitation", "Poland",
                  "Trafficking status", "Exploitation — Poland, Building site"):
        assert label in text, label
    for code in ("ForcedLabour", "F_Construction", "ThroughOnlineSocialNetworks",
                 "DebtBondage", "WithholdsDocuments", " PL ", "exploitation —"):
        assert code not in text, code


def test_case_page_labels_are_translated(cast, case):
    client = signed_in(cast.caseworker_a)
    client.cookies["django_language"] = "ro"
    text = visible_text(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Muncă forțată" in text and "Servitute pentru datorii" in text
    assert "ForcedLabour" not in text and "DebtBondage" not in text


def test_timeline_shows_actions_and_details_in_words_without_personal_values(cast, case):
    services.case_set_status(case=case, actor=cast.caseworker_a, status="FollowUp")
    services.service_add(case=case, actor=cast.caseworker_a, service="shelter",
                         started_on=dt.date(2025, 1, 12))
    services.note_add(case=case, actor=cast.caseworker_a, body="Met Tetiana at the station")
    indicator_set = set_for(child=False, sexual=False)
    assessment = services.assessment_record(
        case=case, actor=cast.caseworker_a, indicator_set=indicator_set,
        entries=[services.IndicatorEntry(sorted(indicator_set.indicator_ids())[0])])
    services.decision_record(case=case, actor=cast.caseworker_a, assessment=assessment,
                             status="PossibleVictimOfTrafficking")
    text = visible_text(signed_in(cast.caseworker_a).get(reverse("cases:timeline",
                                                                 args=[case.pk])))
    for words in ("Case opened", "Context edited",
                  "Fields changed: Methods of control", "Forced labour industry",
                  "Status changed", "From: Active", "To: Follow-up",
                  "Service recorded", "Service: Shelter", "Outcome: Ongoing", "Note added",
                  "Identification assessment recorded", f"Indicator set: {indicator_set.label}",
                  "Identification decision recorded",
                  "Decision: Possible victim of trafficking", "Decided by: NGO",
                  "Child: no"):
        assert words in text, words
    for raw in ("cases.case.opened", "cases.case.updated", "status_changed", "fields:",
                "forced_labour_industry", "PossibleVictimOfTrafficking", "FollowUp",
                "shelter", "decision_org", "Tetiana", "Bondarenko", "station"):
        assert raw not in text, raw


def test_timeline_is_for_those_who_see_the_case(cast, case):
    url = reverse("cases:timeline", args=[case.pk])
    assert signed_in(cast.supervisor_a).get(url).status_code == 200
    for who in ("caseworker_b", "agency_poc", "outsider"):
        assert signed_in(getattr(cast, who)).get(url).status_code == 404, who


def test_timeline_words_come_from_the_one_label_registry(cast, case):
    """The timeline reads its details from core's registry (cases/words.py registers them): the
    same words as before the case's own table went, and in the reader's language."""
    from bridgeway.cases.labels import timeline_entries
    from bridgeway.protection.models import AuditEvent

    services.case_assign(case=case, actor=cast.supervisor_a, users=[cast.caseworker_a])
    services.task_add(case=case, actor=cast.supervisor_a, title="Call back",
                      due_on=dt.date(2025, 2, 1), assignee=cast.caseworker_a)
    indicator_set = set_for(child=False, sexual=False)
    ids = sorted(indicator_set.indicator_ids())[:2]
    services.assessment_record(case=case, actor=cast.caseworker_a, indicator_set=indicator_set,
                               entries=[services.IndicatorEntry(i) for i in ids])
    client = signed_in(cast.caseworker_a)
    text = visible_text(client.get(reverse("cases:timeline", args=[case.pk])))
    name = cast.caseworker_a.full_name
    for words in (f"Caseworkers: {name}", f"Assigned to: {name}", "Indicators recorded: 2"):
        assert words in text, words
    changed = re.search(r"Fields changed: ([^:]*)", text).group(1)
    for field in ("Forced labour industry", "Methods of control", "Methods of recruitment",
                  "Country of exploitation", "Relationship to trafficker"):
        assert field in changed, field
    for raw in ("users:", "assignee", "count:", "recruitment_methods"):
        assert raw not in text, raw
    client.cookies["django_language"] = "ro"
    romanian = visible_text(client.get(reverse("cases:timeline", args=[case.pk])))
    assert "Methods of control" not in romanian and "control_methods" not in romanian
    # A payload key nobody labelled is left out, never shown raw.
    event = AuditEvent.objects.filter(action="cases.case.updated").latest("seq")
    event.payload = {**event.payload, "mystery_key": "RawCode"}
    [entry] = timeline_entries([event])
    assert all("mystery" not in k and v != "RawCode" for k, v in entry["details"])
