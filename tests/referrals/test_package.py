"""Referrals to an organisation not on the platform: the encrypted package round trip in both
modes, a wrong passphrase failing cleanly, exactly the chosen sections inside, coded fields in
the package's language, and the hand-over logged."""

import base64
import datetime as dt
import io
import json
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from bridgeway.protection.models import AccessLogEntry, AuditEvent
from bridgeway.protection.services import document_upload
from bridgeway.referrals import package, package_open, services
from bridgeway.referrals.models import Referral
from tests.conftest import signed_in
from tests.referrals.conftest import SECRET_NOTE, SECRET_PHONE, counts

pytestmark = pytest.mark.django_db

PASS = "long enough passphrase"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OFF = {"name": "Asociația Sprijin", "country": "RO", "org_type": "NGO",
       "contact": "maria.popescu@example.ro", "language": "fr"}


def send_off(cast, case, sections=("identity",), **kw):
    return services.referral_send(case=case, actor=cast.caseworker_a, recipient=None,
                                  sections=list(sections), services=["shelter"],
                                  reason="AdditionalServicesRequired", urgency="normal",
                                  offplatform={**OFF, **kw})


def unzip(blob, **key):
    return zipfile.ZipFile(io.BytesIO(package_open.open_package(blob, **key)))


def everything(zf):
    return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())


def test_passphrase_round_trip_with_exactly_the_chosen_sections(cast, case, consent):
    referral = send_off(cast, case, sections=["identity", "victim_context"])
    assert referral.kind == "TRM" and referral.recipient is None
    blob = package.package_hand_over(referral=referral, actor=cast.caseworker_a,
                                     mode="passphrase", passphrase=PASS)
    assert blob.startswith(b"BWPKG1\x01\x01")
    zf = unzip(blob, passphrase=PASS)
    meta = json.loads(zf.read("package.json"))
    assert set(meta["shared"]) == {"identity", "victim_context"}
    assert meta["shared"]["identity"]["first_name"] == "Наталія"
    text = everything(zf)
    # Not chosen: contact (the phone), notes; and never the recipient's own contact.
    assert SECRET_PHONE not in text and SECRET_NOTE not in text
    assert OFF["contact"] not in text
    # Coded fields in the package's language (French), in the readable rendering.
    html = zf.read("package.html").decode()
    assert 'lang="fr"' in html
    assert meta["shared"]["victim_context"]["exploitation_type_labels"] == ["Travail forcé"]
    assert "Travail forcé" in html and "ForcedLabour" not in html


def test_recipient_reads_coded_fields_in_its_ui_language(cast, case, consent):
    from tests.referrals.conftest import send

    cast.agency_poc.preferred_language = "uk"
    cast.agency_poc.save()
    referral = send(cast, case, sections=["victim_context"])
    page = signed_in(cast.agency_poc).get(reverse("referrals:detail", args=[referral.pk]))
    assert "Примусова праця" in page.content.decode()


def test_recipient_key_round_trip_with_documents(cast, case, consent):
    document_upload(subject=case.subject, actor=cast.caseworker_a,
                    uploaded=SimpleUploadedFile("passport.pdf", PDF))
    referral = send_off(cast, case, sections=["contact", "documents"])
    private = X25519PrivateKey.generate()
    public = base64.b64encode(private.public_key().public_bytes_raw()).decode()
    blob = package.package_hand_over(referral=referral, actor=cast.caseworker_a, mode="key",
                                     public_key=public, language="en")
    assert blob[7] == 2
    zf = unzip(blob, private_key=private)
    meta = json.loads(zf.read("package.json"))
    assert set(meta["shared"]) == {"contact", "documents"}
    assert SECRET_PHONE in everything(zf)
    assert zf.read(meta["shared"]["documents"][0]["file"]) == PDF
    assert "Наталія" not in everything(zf)  # identity was not chosen
    with pytest.raises(package_open.PackageError):
        package_open.open_package(blob, private_key=X25519PrivateKey.generate())


def test_wrong_passphrase_fails_cleanly(cast, case, consent):
    referral = send_off(cast, case)
    blob = package.package_hand_over(referral=referral, actor=cast.caseworker_a,
                                     mode="passphrase", passphrase=PASS)
    with pytest.raises(package_open.PackageError, match="wrong passphrase or key"):
        package_open.open_package(blob, passphrase="not the passphrase")
    with pytest.raises(package_open.PackageError, match="changed"):
        package_open.open_package(blob[:-1] + bytes([blob[-1] ^ 1]), passphrase=PASS)
    with pytest.raises(package_open.PackageError, match="not a Bridgeway"):
        package_open.open_package(b"PK\x03\x04zip", passphrase=PASS)


def test_standalone_command_opens_the_package(cast, case, consent, tmp_path, monkeypatch):
    referral = send_off(cast, case)
    path = tmp_path / "R.bwpkg"
    path.write_bytes(package.package_hand_over(referral=referral, actor=cast.caseworker_a,
                                               mode="passphrase", passphrase=PASS))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "wrong wrong wrong")
    assert package_open.main([str(path)]) == 1
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASS)
    assert package_open.main([str(path), "--out", str(tmp_path / "out.zip")]) == 0
    assert "package.json" in zipfile.ZipFile(tmp_path / "out.zip").namelist()


def test_hand_over_is_logged_without_personal_data(cast, case, consent):
    referral = send_off(cast, case, sections=["identity", "contact"])
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("referrals:package", args=[referral.pk]),
                           {"mode": "passphrase", "passphrase": PASS, "language": "en"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{referral.reference}.bwpkg"'
    assert json.loads(unzip(response.content, passphrase=PASS).read("package.json"))["reference"] \
        == referral.reference
    referral.refresh_from_db()
    assert referral.status == "handed_over" and referral.handed_over_by == cast.caseworker_a
    assert referral.handed_over_at is not None
    event = AuditEvent.objects.get(action="referrals.package.handed_over")
    assert event.payload["mode"] == "passphrase" and event.object_id == str(referral.pk)
    dump = json.dumps([e.payload for e in AuditEvent.objects.all()], ensure_ascii=False)
    for secret in (PASS, SECRET_PHONE, "Наталія", OFF["contact"]):
        assert secret not in dump
    assert AccessLogEntry.objects.filter(user=cast.caseworker_a, subject=referral.subject,
                                         via="export", screen="referrals:package").exists()
    # The sender completes it; the API gives the same file.
    api = signed_in(cast.caseworker_a).post(f"/api/v1/referrals/{referral.pk}/package/",
                                            {"mode": "passphrase", "passphrase": PASS})
    assert api.status_code == 200 and api.content.startswith(b"BWPKG1")
    services.referral_complete(referral=referral, actor=cast.caseworker_a)
    referral.refresh_from_db()
    assert referral.status == "completed"


@pytest.mark.parametrize("data,field", [
    ({"mode": "passphrase", "passphrase": "short"}, "passphrase"),
    ({"mode": "key", "public_key": "bm90IGEga2V5"}, "public_key"),
    ({"mode": "carrier-pigeon"}, "mode"),
])
def test_bad_package_input_names_the_field_and_writes_nothing(cast, case, consent, data, field):
    referral = send_off(cast, case)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        package.package_hand_over(referral=referral, actor=cast.caseworker_a, **data)
    assert field in exc.value.message_dict
    assert counts() == before
    assert Referral.objects.get(pk=referral.pk).handed_over_at is None


@pytest.mark.parametrize("who", ["caseworker_b", "agency_poc", "coordinator", "outsider",
                                 "dpo_a", "platform_admin"])
def test_others_cannot_make_the_package(cast, case, consent, who):
    referral = send_off(cast, case)
    client = signed_in(getattr(cast, who))
    assert client.get(reverse("referrals:package", args=[referral.pk])).status_code == 404
    assert client.post(f"/api/v1/referrals/{referral.pk}/package/",
                       {"mode": "passphrase", "passphrase": PASS}).status_code == 404
    assert not AuditEvent.objects.filter(action="referrals.package.handed_over").exists()


def test_offplatform_referral_input_and_screens(cast, case, consent):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        send_off(cast, case, name="", country="XX", org_type="CSONetwork", contact="")
    assert {"offplatform_name", "offplatform_country", "offplatform_type",
            "offplatform_contact"} <= set(exc.value.message_dict)
    assert counts() == before
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("referrals:new-offplatform", args=[case.pk]), {
        "offplatform_name": "Centre X", "offplatform_country": "FR", "offplatform_type": "NGO",
        "offplatform_contact": "+33 1 23 45 67 89", "package_language": "fr",
        "sections": ["identity"], "services": ["shelter"], "reason": "AdditionalServicesRequired",
        "urgency": "normal"})
    referral = Referral.objects.get(offplatform_name="Centre X")
    assert response.status_code == 302
    raw = Referral.objects.filter(pk=referral.pk).values_list("offplatform_contact", flat=True)[0]
    assert b"+33" not in bytes(raw)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Centre X (not on Bridgeway)" in page and "Make the package" in page
    assert client.get(reverse("referrals:list")).status_code == 200
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    # Not expired by the deadline job: nobody on the platform answers it.
    assert services.referrals_expire(now=referral.deadline + dt.timedelta(days=75 * 365)) == 0


def test_exactly_one_recipient_is_enforced(cast, case, consent):
    referral = send_off(cast, case)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(recipient=cast.org_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(offplatform_name="")
