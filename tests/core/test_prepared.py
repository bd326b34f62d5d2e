"""core.prepared: querysets compiled once per shape of their inputs (issue 18, the home page's
Python). What a user would notice if it were wrong: another person's or another day's rows on
their home page (a value baked into SQL kept for everyone), or a wrong count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgeway.cases import services as cases
from bridgeway.cases.models import CaseTask
from bridgeway.core.menu import capped_counts
from bridgeway.core.prepared import PreparedError, prepared
from bridgeway.core.queues import capped_count
from bridgeway.orgs.models import Membership, Organisation
from tests.core.test_home_queues import open_case

pytestmark = pytest.mark.django_db

built = []


@prepared
def members(*, orgs, role):
    built.append(1)
    return Membership.objects.filter(organisation_id__in=orgs, role=role)


@prepared
def tasks_due(*, user_id, until, case_ids):
    return CaseTask.objects.filter(assignee_id=user_id, due_on__lte=until, case_id__in=case_ids,
                                   done_at__isnull=True)


def test_the_same_shape_is_built_once_and_answers_for_each_call_s_values(cast):
    built.clear()
    a, b = cast.org_a.pk, cast.org_b.pk
    first = members(orgs=[a], role="caseworker").order_by("pk").values("user_id")[:10]
    second = members(orgs=[b], role="caseworker").order_by("pk").values("user_id")[:10]
    assert first == [{"user_id": cast.caseworker_a.pk}]
    assert second == [{"user_id": cast.caseworker_b.pk}]
    # Another role, same shape: the role is a value, not part of the SQL.
    assert members(orgs=[a], role="dpo").values_list("user_id", flat=True)[:5] == [
        cast.dpo_a.pk]
    # One shape for values(), one for values_list(flat=True); each built twice (two sets of
    # stand-in values, core.prepared) and never again.
    assert len(built) == 4
    # Two organisations: a new shape (two placeholders), both answered.
    both = members(orgs=[a, b], role="caseworker").order_by("user_id").values_list(
        "user_id", flat=True)[:10]
    assert both == sorted([cast.caseworker_a.pk, cast.caseworker_b.pk])
    assert len(built) == 6


def test_rows_are_the_orm_s_rows_with_its_conversions(cast):
    """Dates come back as dates, datetimes aware, UUIDs as UUIDs, on SQLite as on PostgreSQL."""
    case = open_case(cast)
    today = timezone.localdate()
    cases.task_add(case=case, actor=cast.caseworker_a, title="Call", due_on=today,
                   assignee=cast.caseworker_a)
    fields = ("case_id", "due_on", "created_at", "title")
    kept = tasks_due(user_id=cast.caseworker_a.pk, until=today, case_ids=[case.pk]).order_by(
        "due_on").values(*fields)[:5]
    orm = list(tasks_due.function(user_id=cast.caseworker_a.pk, until=today,
                                  case_ids=[case.pk]).order_by("due_on").values(*fields)[:5])
    assert kept == orm and len(kept) == 1
    assert isinstance(kept[0]["created_at"], dt.datetime) and timezone.is_aware(
        kept[0]["created_at"])
    # The same shape with another day and another person: no row, not the first call's row.
    assert tasks_due(user_id=cast.caseworker_a.pk, until=today - dt.timedelta(days=1),
                     case_ids=[case.pk]).values(*fields)[:5] == []
    assert tasks_due(user_id=cast.supervisor_a.pk, until=today,
                     case_ids=[case.pk]).values(*fields)[:5] == []


def test_counts_go_through_the_menu_s_one_statement(cast):
    a = cast.org_a.pk
    ask = members(orgs=[a], role="caseworker")
    assert capped_count(ask) == 1
    with CaptureQueriesContext(connection) as seen:
        found = capped_counts({"x": (ask, 100), "y": (members(orgs=[a], role="nobody"), 100)})
    assert found == {"x": 1, "y": 0} and len(seen) == 1


def test_an_empty_list_runs_no_statement(cast):
    with CaptureQueriesContext(connection) as seen:
        assert members(orgs=[], role="caseworker").values("pk")[:5] == []
        assert capped_count(members(orgs=[], role="caseworker")) == 0
    assert len(seen) == 0


def test_a_value_worked_out_inside_the_builder_is_refused(cast):
    @prepared
    def tomorrow_on(*, day):
        return CaseTask.objects.filter(due_on=day + dt.timedelta(days=1))

    with pytest.raises(PreparedError, match="derived"):
        tomorrow_on(day=timezone.localdate()).values("pk")[:1]

    @prepared
    def next_org(*, org):
        return Organisation.objects.filter(pk=org + 1)

    with pytest.raises(PreparedError, match="derived"):
        next_org(org=cast.org_a.pk).values("pk")[:1]


def test_a_builder_that_runs_a_statement_or_reads_the_clock_is_refused(cast):
    @prepared
    def runs(*, org):
        ids = list(Organisation.objects.filter(pk=org).values_list("pk", flat=True))
        return Organisation.objects.filter(pk__in=ids)

    with pytest.raises(PreparedError, match="statement"):
        runs(org=cast.org_a.pk).values("pk")[:1]

    @prepared
    def clock(*, org):
        return CaseTask.objects.filter(case__organisation_id=org, due_on=timezone.localdate())

    with pytest.raises(PreparedError, match="clock"):
        clock(org=cast.org_a.pk).values("pk")[:1]


def test_only_plain_values_are_inputs(cast):
    with pytest.raises(PreparedError):
        members(orgs=[cast.org_a], role="caseworker").values("pk")[:1]
    with pytest.raises(PreparedError, match="aware"):
        tasks_due(user_id=1, until=dt.datetime(2026, 1, 1), case_ids=[]).values("pk")[:1]
    with pytest.raises(PreparedError, match="values"):
        members(orgs=[cast.org_a.pk], role="caseworker")[:1]
    with pytest.raises(TypeError):
        members(orgs=[cast.org_a.pk], role="caseworker").values("pk")[1:2]


def test_exists_answers_for_each_call(cast):
    assert members(orgs=[cast.org_a.pk], role="dpo").exists()
    assert not members(orgs=[cast.org_a.pk], role="researcher").exists()


@prepared
def org_without(*, org, skip):
    # 20,018 is also the first stand-in value: a constant equal to one stays a constant.
    return Organisation.objects.filter(pk=org).exclude(pk=20_018).exclude(name=skip)


def test_an_integer_field_compared_with_an_input_keeps_its_lookup(cast):
    """Django leaves out a lookup whose value is outside its field's range, and PostgreSQL
    passes ints wrapped in its own types: neither may lose the person's own filter."""
    a, b = cast.org_a.pk, cast.org_b.pk
    assert org_without(org=a, skip="").values_list("name", flat=True)[:5] == ["Org A"]
    assert org_without(org=b, skip="").values_list("name", flat=True)[:5] == ["Org B"]
    assert org_without(org=b, skip="Org B").values_list("name", flat=True)[:5] == []


def test_a_builder_whose_rows_depend_on_a_value_is_refused(cast):
    @prepared
    def only_big(*, orgs):
        return Organisation.objects.filter(pk__in=[o for o in orgs if o > 25_000])

    with pytest.raises(PreparedError, match="depends on an input"):
        only_big(orgs=[cast.org_a.pk]).values("pk")[:1]


def test_only_the_building_thread_is_refused_the_clock(cast):
    """A live test server's thread reads the clock while another thread builds a shape."""
    import threading

    seen = []

    @prepared
    def meanwhile(*, org):
        other = threading.Thread(target=lambda: seen.append(timezone.now()))
        other.start()
        other.join()
        return Organisation.objects.filter(pk=org)

    assert meanwhile(org=cast.org_a.pk).values_list("name", flat=True)[:1] == ["Org A"]
    assert len(seen) == 2  # one clock read per build (two builds per shape), none refused
    assert timezone.now()  # and the clock works again in this thread
