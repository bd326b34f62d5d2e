"""The access log's entries are written by one INSERT per batch (protection.access._insert), not
bulk_create: each entry must still say who read whom, when, through which screen, with the
subject's organisation and the flags, and a page of more people than one batch loses nobody."""

import pytest

from bridgeway.protection import access
from bridgeway.protection.models import AccessLogEntry
from bridgeway.protection.services import subject_create

pytestmark = pytest.mark.django_db


def test_every_person_read_is_one_entry_with_its_organisation_and_flags(cast, monkeypatch):
    monkeypatch.setattr(access, "_BATCH", 2)  # five people: three statements
    own = [subject_create(org=cast.org_a, actor=cast.caseworker_a, display_name=f"Ana {i}")
           for i in range(3)]
    other = [subject_create(org=cast.org_b, actor=cast.caseworker_b, display_name=f"Ion {i}")
             for i in range(2)]
    access.record(cast.caseworker_a, own + other, screen="cases:list" + "x" * 200, via="export")
    entries = list(AccessLogEntry.objects.filter(user=cast.caseworker_a))
    assert sorted(e.subject_id for e in entries) == sorted(s.pk for s in own + other)
    assert len({e.at for e in entries}) == 1
    for entry in entries:
        outside = entry.subject_id in {s.pk for s in other}
        assert entry.organisation_id == (cast.org_b.pk if outside else cast.org_a.pk)
        assert entry.flags == (["outside_organisation"] if outside else [])
        assert entry.screen == ("cases:list" + "x" * 200)[:120] and entry.via == "export"


def test_a_burst_flags_every_entry_of_the_request(cast, settings):
    settings.BRIDGEWAY_ACCESS_BURST = 2
    people = [subject_create(org=cast.org_a, actor=cast.caseworker_a, display_name=f"P {i}")
              for i in range(3)]
    access.record(cast.caseworker_a, people, screen="cases:list", via="ui")
    assert [e.flags for e in AccessLogEntry.objects.filter(user=cast.caseworker_a)] == \
        [["many_subjects"]] * 3
