import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from bridgeway.core.logging import RedactPersonalData
from tests.conftest import signed_in

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(cast):
    response = signed_in(cast.admin_a).get(reverse("orgs:members", args=[cast.org_a.pk]))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_loads_anything_from_elsewhere():
    offenders = []
    for path in (ROOT / "bridgeway").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"""(src|href)=["'](https?:)?//""", text):
            offenders.append(str(path))
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(f"inline script in {path}")
    assert offenders == []


def test_demo_seed_refuses_with_debug_off():
    with override_settings(BRIDGEWAY_DEMO_ALLOWED=False), pytest.raises(CommandError) as err:
        call_command("demo_seed")
    assert "DEBUG" in str(err.value)


def test_demo_seed_builds_the_world_once(capsys):
    with override_settings(BRIDGEWAY_DEMO_ALLOWED=True):
        call_command("demo_seed")
        call_command("demo_seed")
    out = capsys.readouterr().out
    assert "Demo data loaded." in out and "already present" in out
    # Issue 18: the printed hint works as printed (debug on, the virtualenv's Python).
    assert "BRIDGEWAY_DEBUG=1 .venv/bin/python manage.py demo_totp <e-mail>" in out
    from bridgeway.accounts.models import User
    from bridgeway.orgs.models import Organisation

    assert Organisation.objects.filter(org_type="CSONetwork").count() == 1
    assert Organisation.objects.count() == 8
    from bridgeway.orgs.models import CoordinationMechanism, MechanismMeeting, PointOfContact

    assert PointOfContact.objects.count() == 2
    task_force = CoordinationMechanism.objects.get()
    assert task_force.members.filter(organisation__org_type="NGO", role="member").count() == 2
    assert MechanismMeeting.objects.filter(mechanism=task_force).count() == 2
    assert User.objects.filter(email="outsider@demo.bridgeway.test",
                               memberships__isnull=True).exists()
    call_command("audit_verify")


def _start(env_changes: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGEWAY_")}
    env.update({"DJANGO_SETTINGS_MODULE": "bridgeway.settings", **env_changes})
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_missing_key_stops_start_up_and_names_the_variable():
    result = _start({})
    assert result.returncode != 0
    assert "BRIDGEWAY_SECRET_KEY" in result.stderr


def test_malformed_key_is_named_but_never_printed():
    secret_looking = "this-is-not-base64-!!-but-secret-ish"
    result = _start({**GOOD, "BRIDGEWAY_AUDIT_KEY": secret_looking})
    assert result.returncode != 0
    assert "BRIDGEWAY_AUDIT_KEY" in result.stderr
    assert secret_looking not in result.stderr + result.stdout


GOOD = {"BRIDGEWAY_SECRET_KEY": "dGVzdC1zZWNyZXQta2V5LWJyaWRnZXdheS0wMDAwMDA",
        "BRIDGEWAY_AUDIT_KEY": "dGVzdC1hdWRpdC1rZXktYnJpZGdld2F5LTAwMDAwMDA",
        "BRIDGEWAY_MFA_KEY": "dGVzdC1tZmEta2V5LWJyaWRnZXdheS0wMDAwMDAwMDA",
        "BRIDGEWAY_BLIND_INDEX_KEY": "dGVzdC1ibGluZC1pbmRleC1rZXktYnJpZGdld2F5LTA",
        "BRIDGEWAY_KEKS": "k1=dGVzdC1rZWstb25lLWJyaWRnZXdheS0wMDAwMDAwMDA"}


def test_complete_keys_start():
    assert _start(GOOD).returncode == 0


@pytest.mark.parametrize("value,expected", [
    (None, "BRIDGEWAY_KEKS (or BRIDGEWAY_KEKS_FILE) is not set"),
    ("k1:dGVzdC1rZWstb25lLWJyaWRnZXdheS0wMDAwMDAwMDA", "BRIDGEWAY_KEKS must look like"),
    ("k1=c2hvcnQta2V5", "key id 'k1'"),
])
def test_missing_or_malformed_kek_stops_start_up(value, expected):
    env = {k: v for k, v in GOOD.items() if k != "BRIDGEWAY_KEKS"}
    if value is not None:
        env["BRIDGEWAY_KEKS"] = value
    result = _start(env)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "dGVzdC1rZWst" not in result.stderr and "c2hvcnQta2V5" not in result.stderr


def test_active_kek_must_be_loaded():
    result = _start({**GOOD, "BRIDGEWAY_KEK_ACTIVE": "k9"})
    assert result.returncode != 0 and "'k9'" in result.stderr


def test_log_filter_drops_personal_looking_values():
    record = logging.LogRecord("x", logging.INFO, __file__, 1,
                               "contact %s on %s", ("maria.popescu@example.org", "+373 69 123 456"),
                               None)
    RedactPersonalData().filter(record)
    message = record.getMessage()
    assert "maria" not in message and "69 123" not in message
    assert message.count("[redacted]") == 2


def test_error_pages_do_not_echo_input(client):
    response = client.get("/orgs/Maria-Popescu/")
    assert response.status_code == 404
    assert "Maria" not in response.content.decode()


def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


def test_debug_error_page_shows_no_decrypted_values(rf, settings, cast):
    import sys

    from django.views.debug import technical_500_response

    from bridgeway.protection.services import subject_create

    settings.DEBUG = True
    secret = "".join(["Ana ", "Sec", "retă"])  # never written whole in this source file
    subject = subject_create(org=cast.org_a, actor=cast.caseworker_a, display_name=secret)
    request = rf.post("/x/", {"note": secret + " was here"})
    request.user = cast.caseworker_a
    try:
        name = subject.display_name  # a decrypted value in a local variable
        raise ValueError("boom")
    except ValueError:
        response = technical_500_response(request, *sys.exc_info())
    assert name == secret
    assert secret not in response.content.decode()
    assert "[hidden]" in response.content.decode()
