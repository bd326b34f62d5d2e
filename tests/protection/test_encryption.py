import datetime as dt

import pytest
from django.db import connection

from bridgeway.protection import crypto
from bridgeway.protection.models import DataSubject
from bridgeway.protection.services import subject_create, subject_erase
from tests.factories import OrganisationFactory, UserFactory
from tests.testapp.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def subject():
    return subject_create(org=OrganisationFactory(), actor=UserFactory(),
                          display_name="Олена Коваленко")


def make_person(subject, **values) -> Person:
    person = Person(subject=subject, full_name="Olena Kovalenko", birth_date=dt.date(1999, 4, 2),
                    identity_number="0987654321", phone="+373 69 123 456",
                    details={"languages": ["uk", "ro"], "note": "met at the border"})
    for k, v in values.items():
        setattr(person, k, v)
    person.save()
    return person


def raw_column(table, column, pk):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex if connection.vendor == "sqlite" else pk])
        return bytes(cur.fetchone()[0])


def test_values_round_trip_and_are_ciphertext_in_the_database(subject):
    person = make_person(subject)
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.full_name == "Olena Kovalenko"
    assert fresh.birth_date == dt.date(1999, 4, 2)
    assert fresh.details["languages"] == ["uk", "ro"]
    stored = raw_column("testapp_person", "identity_number", person.pk)
    assert b"0987654321" not in stored and stored[:1] == b"\x01"
    assert DataSubject.objects.get(pk=subject.pk).display_name == "Олена Коваленко"


def test_ciphertext_moved_to_another_row_fails_loudly(subject):
    a = make_person(subject)
    b = make_person(subject, full_name="Someone Else")
    Person.objects.filter(pk=b.pk).update(full_name=raw_column("testapp_person", "full_name", a.pk))
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=b.pk).full_name  # noqa: B018


def test_ciphertext_moved_to_another_column_fails_loudly(subject):
    a = make_person(subject)
    Person.objects.filter(pk=a.pk).update(phone=raw_column("testapp_person", "identity_number",
                                                           a.pk))
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=a.pk).phone  # noqa: B018


def test_a_flipped_bit_fails_loudly(subject):
    a = make_person(subject)
    stored = bytearray(raw_column("testapp_person", "full_name", a.pk))
    stored[-1] ^= 1
    Person.objects.filter(pk=a.pk).update(full_name=bytes(stored))
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=a.pk).full_name  # noqa: B018


def test_another_subjects_key_cannot_read(subject):
    a = make_person(subject)
    other = subject_create(org=subject.organisation, actor=None, display_name="X")
    Person.objects.filter(pk=a.pk).update(subject=other)
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=a.pk).full_name  # noqa: B018


def test_unchanged_values_are_not_re_encrypted_and_changes_are(subject):
    a = make_person(subject)
    fresh = Person.objects.get(pk=a.pk)
    before = raw_column("testapp_person", "phone", a.pk)
    fresh.exploitation_type = "ForcedLabour"
    fresh.save()
    assert raw_column("testapp_person", "phone", a.pk) == before
    fresh.phone = "+40 721 000 000"
    fresh.save()
    assert Person.objects.get(pk=a.pk).phone == "+40 721 000 000"


def test_wrong_types_and_raw_bytes_are_refused(subject):
    with pytest.raises(TypeError):
        make_person(subject, birth_date="1999-04-02")
    with pytest.raises(TypeError):
        Person(subject=subject, full_name=b"plaintext bytes")


def test_erasure_leaves_nothing_decryptable_and_keeps_statistics(subject):
    a = make_person(subject, exploitation_type="ForcedLabour")
    subject_erase(subject=subject, actor=None)
    fresh = Person.objects.select_related("subject").get(pk=a.pk)
    assert fresh.exploitation_type == "ForcedLabour"
    with pytest.raises(crypto.SubjectErased):
        fresh.full_name  # noqa: B018
    erased = DataSubject.objects.get(pk=subject.pk)
    assert erased.wrapped_key is None and erased.display_name is None and erased.is_erased


def test_missing_kek_is_reported_by_id(subject, settings):
    settings.BRIDGEWAY_KEKS = {"other": b"k" * 32}
    fresh = DataSubject.objects.get(pk=subject.pk)
    with pytest.raises(crypto.KeyUnavailable) as err:
        fresh.display_name  # noqa: B018
    assert "test-1" in str(err.value)


def test_dumpdata_exports_ciphertext_not_plaintext(subject):
    import io

    from django.core.management import call_command

    make_person(subject)
    out = io.StringIO()
    call_command("dumpdata", "testapp", "protection.datasubject", stdout=out)
    dump = out.getvalue()
    assert "Olena" not in dump and "0987654321" not in dump and "Коваленко" not in dump
    assert '"full_name": "' in dump  # present, as base64 ciphertext


def test_encrypted_fields_cannot_be_filtered_on(subject):
    make_person(subject)
    with pytest.raises(TypeError):
        list(Person.objects.filter(full_name="Olena Kovalenko"))
