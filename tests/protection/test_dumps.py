"""A stolen copy of the database reveals no one: seed known names, identity numbers, phone
numbers and notes, take a copy the way an attacker would (the SQLite file; pg_dump), and search
it for every one of them."""

import datetime as dt
import os
import shutil
import subprocess

import pytest
from django.conf import settings as dj_settings
from django.db import connection

from bridgeway.protection.services import consent_record, subject_create
from tests.factories import OrganisationFactory, UserFactory
from tests.testapp.models import Person

SECRETS = {
    "names": ["Olena Kovalenko", "Олена Коваленко", "Ștefan Țurcanu", "Maria Ionescu"],
    "identity numbers": ["2990401123456", "MD-0987654321"],
    "phones": ["+37369123456", "+40721000111"],
    "notes": ["met at the bus station in Iasi", "Petru Guardian"],
}


def _seed():
    org = OrganisationFactory()
    actor = UserFactory()
    for i, name in enumerate(SECRETS["names"]):
        subject = subject_create(org=org, actor=actor, display_name=name)
        Person(subject=subject, full_name=name, birth_date=dt.date(1990, 1, i + 1),
               identity_number=SECRETS["identity numbers"][i % 2],
               phone=SECRETS["phones"][i % 2],
               details={"story": SECRETS["notes"][0]}).save()
        consent_record(subject=subject, actor=actor, purpose="referral", method="guardian",
                       given_on=dt.date(2026, 1, 1), witness_or_guardian=SECRETS["notes"][1],
                       note=SECRETS["notes"][0])


def _needles() -> list[bytes]:
    out = []
    for values in SECRETS.values():
        for value in values:
            out.append(value.encode("utf-8"))
            out.append(value.lower().encode("utf-8"))
    out.append(b"2990401123456"[:10])  # a long prefix of an identity number
    return out


def _hits(blob: bytes) -> list[str]:
    # pg_dump writes bytea as hex: plaintext hidden in a binary column would show up that way.
    return [n.decode() for n in _needles() if n in blob or n.hex().encode() in blob]


@pytest.mark.django_db(transaction=True)
def test_database_copy_contains_no_personal_data(tmp_path):
    _seed()
    assert Person.objects.count() == 4
    if connection.vendor == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        with connection.cursor() as cur:
            cur.execute("VACUUM INTO %s", [str(copy)])
        blob = copy.read_bytes()
    else:
        pg_dump = shutil.which("pg_dump")
        assert pg_dump, "pg_dump is needed for this test on PostgreSQL"
        db = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        blob = subprocess.run(
            [pg_dump, "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
             "-U", db.get("USER") or "postgres", "--data-only", connection.settings_dict["NAME"]],
            env=env, capture_output=True, check=True, timeout=120).stdout
    assert len(blob) > 10_000
    assert _hits(blob) == []


def test_keys_are_not_in_the_database_settings():
    # The KEKs and the blind-index key come from the environment, never from the database or
    # SECRET_KEY.
    for key in dj_settings.BRIDGEWAY_KEKS.values():
        assert key.hex() not in dj_settings.SECRET_KEY
    assert dj_settings.BLIND_INDEX_KEY.hex() != dj_settings.SECRET_KEY
