import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bridgeway.protection import crypto
from bridgeway.protection.models import DataSubject
from bridgeway.protection.services import rotate_batch, subject_create
from tests.factories import OrganisationFactory
from tests.testapp.models import Person

pytestmark = pytest.mark.django_db


def _people(org, n):
    out = []
    for i in range(n):
        s = subject_create(org=org, actor=None, display_name=f"Persoana {i}")
        p = Person(subject=s, full_name=f"Persoana {i}", birth_date=dt.date(2000, 1, i + 1))
        p.save()
        out.append((s, p))
    return out


def _column(pk):
    return bytes(Person.objects.filter(pk=pk).values_list("full_name", flat=True).get())


def test_interrupted_rotation_resumes_and_never_touches_ciphertext(capsys):
    org = OrganisationFactory()
    people = _people(org, 5)
    before = {p.pk: _column(p.pk) for _s, p in people}
    call_command("keys_rotate", "--to", "test-2", "--batch", "2", "--max-batches", "1")
    kek_ids = sorted(DataSubject.objects.values_list("kek_id", flat=True))
    assert kek_ids == ["test-1", "test-1", "test-1", "test-2", "test-2"]  # stopped half-way
    call_command("keys_rotate", "--to", "test-2", "--batch", "2")  # resumes
    assert set(DataSubject.objects.values_list("kek_id", flat=True)) == {"test-2"}
    assert "Re-wrapped 3 data keys" in capsys.readouterr().out
    for subject, person in people:
        fresh = Person.objects.select_related("subject").get(pk=person.pk)
        assert fresh.full_name == subject.display_name
        assert _column(person.pk) == before[person.pk]


def test_after_rotation_the_old_kek_can_be_removed(settings):
    org = OrganisationFactory()
    (subject, _p), = _people(org, 1)
    while rotate_batch(to_key_id="test-2"):
        pass
    settings.BRIDGEWAY_KEKS = {"test-2": settings.BRIDGEWAY_KEKS["test-2"]}
    assert DataSubject.objects.get(pk=subject.pk).display_name == "Persoana 0"


def test_rotation_to_an_unloaded_key_is_refused():
    _people(OrganisationFactory(), 1)
    with pytest.raises(CommandError) as err:
        call_command("keys_rotate", "--to", "nope")
    assert "'nope'" in str(err.value)
    assert set(DataSubject.objects.values_list("kek_id", flat=True)) == {"test-1"}


def test_organisation_key_keeps_its_data_from_the_platform_key(settings):
    own, other = OrganisationFactory(), OrganisationFactory()
    call_command("keys_assign_org", "--org", str(own.pk), "--kek", "test-2")
    mine = subject_create(org=own, actor=None, display_name="Secret Person")
    theirs = subject_create(org=other, actor=None, display_name="Other Person")
    assert (mine.kek_id, theirs.kek_id) == ("test-2", "test-1")
    # A platform-wide rotation leaves organisations with their own key alone.
    assert rotate_batch(to_key_id="test-1") == 0
    # A host that holds only the platform key cannot read the organisation's people.
    settings.BRIDGEWAY_KEKS = {"test-1": settings.BRIDGEWAY_KEKS["test-1"]}
    assert DataSubject.objects.get(pk=theirs.pk).display_name == "Other Person"
    with pytest.raises(crypto.KeyUnavailable):
        DataSubject.objects.get(pk=mine.pk).display_name  # noqa: B018


def test_keys_status_and_generate(capsys):
    _people(OrganisationFactory(), 2)
    call_command("keys_status")
    out = capsys.readouterr().out
    assert "test-1" in out and "wraps 2 data keys" in out
    call_command("keys_generate", "--id", "kek-2027")
    line = capsys.readouterr().out.strip()
    assert line.startswith("kek-2027=") and len(line.split("=", 1)[1]) == 43


def _unreadable_keys(holders) -> list[str]:
    """Every wrapped data key of every holder, unwrapped with the keys loaded now."""
    failed = []
    for holder in holders:
        rows = holder.model._default_manager.filter(wrapped_key__isnull=False)
        for row in rows:
            try:
                crypto.unwrap_data_key(bytes(row.wrapped_key), key_id=row.kek_id,
                                       subject_id=holder.subject_id(row))
            except crypto.KeyUnavailable:
                failed.append(f"{holder.model._meta.label} {row.pk}")
    return failed


@pytest.mark.slow
def test_rotation_moves_every_record_key_so_the_old_kek_can_go(settings, capsys, tmp_path):
    """Not only persons' data keys: incident documents, outreach records, survey answers,
    linkage secrets and sealed files keep data keys of their own. A rotation that left them
    under the old KEK would make them unreadable the day that key is removed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bridgeway.civicspace.models import Incident
    from bridgeway.civicspace.services import incident_document_open, incident_document_upload
    from bridgeway.outreach.models import Activity
    from bridgeway.protection.queries import key_usage, wrapped_key_holders
    from bridgeway.protection.sealing import open_text
    from bridgeway.surveys.models import Submission, SubmissionText
    from bridgeway.surveys.texts import full_answers

    settings.BRIDGEWAY_DEMO_ALLOWED = True
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    call_command("demo_seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    incident = Incident.objects.order_by("pk").first()
    document = incident_document_upload(
        incident=incident, actor=incident.reported_by,
        uploaded=SimpleUploadedFile("letter.txt", b"Threat letter from the district office"))
    holders = wrapped_key_holders()
    held = {h.model._meta.label_lower for h in holders
            if h.model._default_manager.filter(wrapped_key__isnull=False).exists()}
    # The demo has keys in every app that keeps them apart from persons'.
    assert {"protection.datasubject", "outreach.activity", "surveys.submission",
            "civicspace.incident", "estimation.participation"} <= held
    total = sum(row["subjects"] for row in key_usage())
    assert total > DataSubject.objects.filter(wrapped_key__isnull=False).count()

    activity = Activity.objects.exclude(place_sealed=None).order_by("pk").first()
    place = open_text(activity, "place_sealed")
    assert place
    submission = Submission.objects.filter(
        pk__in=SubmissionText.objects.values("submission")).order_by("pk").first()
    answers = full_answers(submission)

    call_command("keys_rotate", "--to", "test-2")
    assert f"Re-wrapped {total} data keys" in capsys.readouterr().out
    assert [row["kek_id"] for row in key_usage()] == ["test-2"]

    settings.BRIDGEWAY_KEKS = {"test-2": settings.BRIDGEWAY_KEKS["test-2"]}
    assert _unreadable_keys(holders) == []
    fresh = Activity.objects.get(pk=activity.pk)
    assert open_text(fresh, "place_sealed") == place
    assert full_answers(Submission.objects.get(pk=submission.pk)) == answers
    document.refresh_from_db()
    assert incident_document_open(document) == (
        "letter.txt", b"Threat letter from the district office")


def test_a_new_organisation_key_is_used_at_once_in_this_process():
    """Each process keeps an organisation's key id for a while; an assignment made here is
    seen by the next new person at once."""
    own = OrganisationFactory()
    before = subject_create(org=own, actor=None, display_name="Before")
    call_command("keys_assign_org", "--org", str(own.pk), "--kek", "test-2")
    after = subject_create(org=own, actor=None, display_name="After")
    assert (before.kek_id, after.kek_id) == ("test-1", "test-2")


def test_rotation_to_a_just_assigned_key_waits_for_the_other_processes(monkeypatch, capsys):
    """Other server processes may still wrap new persons' keys with the previous key for
    KEK_ID_SECONDS after the assignment: the rotation waits that out first, so nobody is left
    under the previous key."""
    from bridgeway.protection.management.commands import keys_rotate

    own = OrganisationFactory()
    _people(own, 2)
    call_command("keys_assign_org", "--org", str(own.pk), "--kek", "test-2")
    waits = []
    monkeypatch.setattr(keys_rotate.time, "sleep", waits.append)
    call_command("keys_rotate", "--org", str(own.pk), "--to", "test-2")
    assert len(waits) == 1 and 30 <= waits[0] <= 36
    assert "Waiting" in capsys.readouterr().out
    assert set(DataSubject.objects.filter(organisation=own).values_list("kek_id", flat=True)) \
        == {"test-2"}
