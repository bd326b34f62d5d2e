import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from bridgeway.protection.audit import AuditPayloadError, audit_record, verify_chain
from bridgeway.protection.models import AuditEvent
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _events(n=5):
    org = OrganisationFactory()
    user = UserFactory()
    return [audit_record(action="tests.thing.done", actor=user, organisation=org,
                         payload={"n": i, "code": f"c{i}"}) for i in range(n)]


def _raw(sql, params=()):
    """SQL as someone with database access would run it, bypassing the PostgreSQL trigger."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks first
            cur.execute("ALTER TABLE protection_auditevent DISABLE TRIGGER USER")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE protection_auditevent ENABLE TRIGGER USER")


def _verify_output():
    with pytest.raises(CommandError) as err:
        call_command("audit_verify")
    return str(err.value)


def test_intact_chain_verifies(capsys):
    _events(4)
    call_command("audit_verify")
    assert "Audit chain intact: 4 events" in capsys.readouterr().out


def test_editing_one_row_by_hand_is_detected_and_named():
    events = _events(5)
    _raw("UPDATE protection_auditevent SET action = %s WHERE id = %s",
         ["tests.thing.undone", events[2].pk])
    message = _verify_output()
    assert f"event #{events[2].seq} (row id {events[2].pk})" in message
    assert "edited" in message


def test_editing_the_payload_is_detected():
    events = _events(3)
    _raw("UPDATE protection_auditevent SET payload = %s WHERE id = %s",
         ['{"n": 99, "code": "c0"}', events[0].pk])
    assert f"event #{events[0].seq}" in _verify_output()


def test_deleting_a_row_in_the_middle_is_detected():
    events = _events(5)
    _raw("DELETE FROM protection_auditevent WHERE id = %s", [events[1].pk])
    message = _verify_output()
    assert f"event #{events[1].seq}" in message
    assert "missing" in message


def test_deleting_the_newest_row_is_detected():
    events = _events(3)
    _raw("DELETE FROM protection_auditevent WHERE id = %s", [events[-1].pk])
    assert "removed from the end" in _verify_output()


def test_inserting_a_forged_row_is_detected():
    events = _events(3)
    last = events[-1]
    # A forger shifts the later rows and slips one in, but cannot compute the keyed hash.
    _raw("UPDATE protection_auditevent SET seq = seq + 1000 WHERE seq >= %s", [events[1].seq])
    _raw("UPDATE protection_auditevent SET seq = seq - 999 WHERE seq >= 1000")
    _raw(
        "INSERT INTO protection_auditevent (seq, created_at, action, object_type, object_id, "
        "payload, prev_hash, hash) VALUES (%s, %s, 'tests.thing.forged', '', '', '{}', %s, %s)",
        [events[1].seq, last.created_at, events[0].hash, "f" * 64],
    )
    report = verify_chain()
    assert not report.ok
    assert report.broken.seq == events[1].seq


def test_the_model_refuses_updates_and_deletes():
    event = _events(1)[0]
    event.action = "tests.thing.changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "tests.thing.done"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_update_at_the_database():
    event = _events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE protection_auditevent SET action = 'x.y.z' WHERE id = %s", [event.pk])


@pytest.mark.parametrize("payload", [
    {"name": "Maria Popescu"},
    {"email": "maria@example.org"},
    {"note": "met at the bus station"},
    {"Bad Key": 1},
    {"nested": {"a": 1}},
])
def test_payloads_refuse_free_text(payload):
    with pytest.raises(AuditPayloadError):
        audit_record(action="tests.thing.done", payload=payload)
    assert AuditEvent.objects.count() == 0


def test_action_codes_must_be_dotted():
    with pytest.raises(AuditPayloadError):
        audit_record(action="something happened")


def test_a_change_whose_event_failed_cannot_be_committed(monkeypatch):
    """The event is written in the service's own transaction, with no savepoint between: a
    caller that swallowed the failure cannot go on and commit its change without the event."""
    from bridgeway.protection import audit
    from bridgeway.protection.models import AuditHead

    org = OrganisationFactory()
    audit_record(action="tests.thing.done", organisation=org)  # the chain's head exists

    def broken(*args, **kwargs):
        AuditHead.objects.filter(pk=1).update(seq=1)  # a write in the event's own steps
        raise DatabaseError("disk full")

    monkeypatch.setattr(audit, "_append", broken)
    with pytest.raises(transaction.TransactionManagementError), transaction.atomic():
        org.name = "Changed without its event"
        org.save()
        try:
            audit_record(action="tests.thing.done", organisation=org)
        except DatabaseError:
            pass
        org.refresh_from_db()  # the transaction can only be rolled back now
    org.refresh_from_db()
    assert org.name != "Changed without its event"
    assert AuditEvent.objects.count() == 1


def test_a_refused_payload_leaves_the_callers_transaction_usable():
    """Bad input is refused before anything is written: the caller may still report it."""
    org = OrganisationFactory()
    with transaction.atomic():
        with pytest.raises(AuditPayloadError):
            audit_record(action="tests.thing.done", organisation=org,
                         payload={"note": "free text here"})
        audit_record(action="tests.thing.done", organisation=org)
    assert AuditEvent.objects.count() == 1
