"""The demo world's cases: about 40, spread across the network's CSOs, each person's name in one
script, with the case work a caseworker would expect to find; loading twice adds nothing."""

import unicodedata
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import override_settings

from bridgeway.cases.models import (
    Assessment,
    Case,
    CaseNote,
    CaseTask,
    Decision,
    Person,
    PlanObjective,
    ServiceDelivery,
    TraffickingEvent,
)
from bridgeway.demo import data as demo
from bridgeway.estimation import demo as estimation_demo

pytestmark = pytest.mark.django_db


def scripts(text: str) -> set[str]:
    """The scripts of the letters of `text` (LATIN, CYRILLIC, ...), from their Unicode names."""
    return {unicodedata.name(ch).split()[0] for ch in text if ch.isalpha()}


def test_script_helper_sees_a_mixed_name():
    assert scripts("Ana Коваленко") == {"LATIN", "CYRILLIC"}
    assert scripts("Ioana Guțu") == {"LATIN"}
    assert scripts("Петя Георгиева") == {"CYRILLIC"}


def test_demo_cases(capsys):
    """One test: loading the demo world takes seconds, so it is loaded once (twice, to show the
    second run adds nothing) and checked from several sides."""
    with override_settings(BRIDGEWAY_DEMO_ALLOWED=True):
        call_command("demo_seed")
        seeded = Case.objects.count()
        call_command("demo_seed")
    # The estimation demo adds persons known to two or three organisations (no case work).
    seeded -= estimation_demo.case_count()
    assert "already present" in capsys.readouterr().out
    _about_forty_cases_across_the_csos(seeded)
    _every_name_is_in_one_script_and_both_scripts_are_used(seeded)
    _cases_carry_believable_case_work(seeded)


def _about_forty_cases_across_the_csos(seeded):
    assert 35 <= seeded <= 45
    # The second run added nothing.
    assert Case.objects.count() == seeded + estimation_demo.case_count()
    per_org = Counter(Case.objects.values_list("organisation__name", flat=True))
    csos = {spec.name for spec in demo.ORGS if spec.key in demo.NETWORK_MEMBERS}
    assert set(per_org) == csos, per_org
    assert min(per_org.values()) >= 5, per_org


def _every_name_is_in_one_script_and_both_scripts_are_used(seeded):
    names = [f"{p.first_name} {p.second_name}" for p in Person.objects.all()]
    assert len(names) == sum(demo.CASES_PER_ORG.values()) + estimation_demo.case_count()
    mixed = [n for n in names if len(scripts(n)) != 1]
    assert not mixed, mixed
    used = Counter(next(iter(scripts(n))) for n in names)
    assert used["LATIN"] >= 10 and used["CYRILLIC"] >= 10, used
    stories = [n for n in names if n.split()[0] not in estimation_demo.FIRST_NAMES]
    assert len(set(stories)) == len(stories)


def _cases_carry_believable_case_work(seeded):
    # The story cases; the demo referral accepted across the border adds one linked case.
    stories = sum(demo.CASES_PER_ORG.values())
    assert seeded == stories + 1
    cases = Case.objects.all()
    assert cases.filter(is_child=True).count() >= 5
    assert cases.exclude(status="Active").exists() and cases.filter(status="Active").count() > 20
    assert cases.exclude(control_methods=[]).count() == stories
    # Every case has its recruitment and exploitation; several a transit.
    assert TraffickingEvent.objects.filter(kind="exploitation").count() == stories
    assert TraffickingEvent.objects.filter(kind="transit").count() >= 5
    assert ServiceDelivery.objects.values("case").distinct().count() == stories
    assert PlanObjective.objects.values("case").distinct().count() == stories
    assert PlanObjective.objects.filter(done_on__isnull=False).exists()
    assert CaseTask.objects.count() >= 15
    assert CaseNote.objects.values("case").distinct().count() == stories
    assert Assessment.objects.values("case").distinct().count() >= 10
    statuses = set(Decision.objects.values_list("status", flat=True))
    assert {"PossibleVictimOfTrafficking", "ActualVictimOfTrafficking"} <= statuses
    assert Decision.objects.values("organisation").distinct().count() >= 3
