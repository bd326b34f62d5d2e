"""Merging a confirmed duplicate case into the kept one (docs/estimation.md, "Merging")."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bridgeway.cases import services
from bridgeway.cases.codes import CaseStatus, CloseReason
from bridgeway.cases.models import Case, CaseNote, Person, TraffickingEvent
from bridgeway.protection.models import AuditEvent, ErasureRequest
from bridgeway.protection.services import subject_erase
from tests.cases.conftest import new_case


@pytest.fixture
def pair(cast):
    keep = new_case(cast)
    dup = new_case(cast, first_name="Anna", email="ana@example.org")
    services.note_add(case=dup, actor=cast.caseworker_a, body="Arrived via Iasi bus station")
    services.event_add(case=dup, actor=cast.caseworker_a, kind="recruitment", place="Iasi")
    return keep, dup


def test_merge_moves_and_rekeys_records_and_closes_the_duplicate(cast, pair):
    keep, dup = pair
    services.case_merge(keep=keep, duplicate=dup, actor=cast.supervisor_a)
    note = CaseNote.objects.select_related("subject").get(case=keep)
    assert note.subject_id == keep.subject_id and note.body == "Arrived via Iasi bus station"
    assert TraffickingEvent.objects.get(case=keep).place == "Iasi"
    dup.refresh_from_db()
    assert dup.merged_into == keep and dup.status == CaseStatus.CLOSED
    assert dup.close_reason == CloseReason.MERGED
    assert list(keep.merged_from.all()) == [dup]
    # The kept person's name stays; the e-mail it lacked is filled in from the duplicate.
    person = Person.objects.get(case=keep)
    assert person.first_name == "Ana" and person.email == "ana@example.org"
    assert ErasureRequest.objects.filter(subject=dup.subject, status="pending").exists()
    event = AuditEvent.objects.get(action="cases.case.merged")
    assert event.payload["duplicate"] == str(dup.pk) and "Iasi" not in str(event.payload)
    # Erasing the kept person shreds what came from the duplicate too.
    subject_erase(subject=keep.subject, actor=cast.dpo_a)
    assert CaseNote.objects.get(case=keep).body is None


def test_only_a_supervisor_of_the_organisation_merges(cast, pair):
    keep, dup = pair
    for actor in (cast.caseworker_a, cast.caseworker_b):
        with pytest.raises(PermissionDenied):
            services.case_merge(keep=keep, duplicate=dup, actor=actor)
    assert CaseNote.objects.get(case=dup)


@pytest.mark.parametrize("what", ["same", "other_org", "already"])
def test_bad_merges_name_the_field_and_write_nothing(cast, pair, what):
    keep, dup = pair
    if what == "same":
        dup = keep
    elif what == "other_org":
        dup = services.case_open(org=cast.org_b, actor=cast.caseworker_b,
                                 person=services.PersonData(first_name="Ana", second_name="Pop",
                                                            birth_date=dt.date(2000, 5, 5)))
    elif what == "already":
        third = new_case(cast)
        services.case_merge(keep=third, duplicate=dup, actor=cast.supervisor_a)
    before = AuditEvent.objects.filter(action="cases.case.merged").count()
    with pytest.raises(ValidationError) as err:
        services.case_merge(keep=keep, duplicate=dup, actor=cast.supervisor_a)
    assert "duplicate" in err.value.message_dict
    assert AuditEvent.objects.filter(action="cases.case.merged").count() == before
    assert not Case.objects.filter(merged_into=keep).exists()


def test_a_merged_case_cannot_be_reopened(cast, pair):
    keep, dup = pair
    services.case_merge(keep=keep, duplicate=dup, actor=cast.supervisor_a)
    dup.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        services.case_set_status(case=dup, actor=cast.supervisor_a, status=CaseStatus.ACTIVE)
    assert "status" in err.value.message_dict
