"""The confidential thread: both sides post and read, read receipts, who gets 404, the body
never leaving in notifications, e-mails or audit payloads, and bad input writing nothing."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bridgeway.notifications.models import Notification
from bridgeway.notifications.services import send_emails
from bridgeway.protection.models import AccessLogEntry, AuditEvent, EncryptedDocument
from bridgeway.referrals import services, thread
from bridgeway.referrals.models import MessageReceipt, ReferralMessage
from bridgeway.referrals.queries import shared_sections
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

BODY = "She will be at the bus station in Chișinău at 6; call Ion on +37369555444"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOBODY = ["caseworker_b", "admin_a", "dpo_a", "admin_b", "coordinator", "outsider",
          "platform_admin"]


def url(referral, name="message-post", *args):
    return reverse(f"referrals:{name}", args=[referral.pk, *args])


def api(referral):
    return f"/api/v1/referrals/{referral.pk}/messages/"


def written():
    return (ReferralMessage.objects.count(), EncryptedDocument.objects.count(),
            AuditEvent.objects.count(), Notification.objects.count())


def test_both_sides_post_and_read_with_receipts(cast, referral):
    sender, recipient = signed_in(cast.caseworker_a), signed_in(cast.agency_poc)
    response = sender.post(url(referral), {"body": BODY})
    assert response.status_code == 302
    page = sender.get(url(referral, "detail")).content.decode()
    assert "Chișinău" in page and "Not read by the other organisation yet." in page
    # The recipient reads it (the detail page marks it read) and answers.
    page = recipient.get(url(referral, "detail")).content.decode()
    assert "Chișinău" in page
    assert recipient.post(url(referral), {"body": "We will be there."}).status_code == 302
    page = sender.get(url(referral, "detail")).content.decode()
    assert "We will be there." in page
    assert "Read by Police unit" in page
    first = ReferralMessage.objects.get(side="sender")
    assert MessageReceipt.objects.filter(message=first, user=cast.agency_poc).exists()
    # Every decrypted read is in the access log, outside the recipient's organisation.
    assert any("outside_organisation" in e.flags for e in AccessLogEntry.objects.filter(
        user=cast.agency_poc, subject=referral.subject))


def test_api_thread_and_attachment(cast, referral):
    client = signed_in(cast.agency_poc)
    response = client.post(api(referral), {
        "body": "Report attached",
        "attachment": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")},
        format="multipart")
    assert response.status_code == 201, response.content
    msg = response.json()
    assert msg["side"] == "recipient" and msg["attachment"]["content_type"] == "application/pdf"
    rows = signed_in(cast.caseworker_a).get(api(referral)).json()["results"]
    assert [r["body"] for r in rows] == ["Report attached"]
    own = signed_in(cast.agency_poc).get(api(referral)).json()["results"]
    assert own[0]["read_by"][0]["organisation"] == "Org A"
    for who in ("caseworker_a", "agency_poc"):
        for link in (f"{api(referral)}{msg['id']}/attachment/",
                     url(referral, "message-attachment", msg["id"])):
            got = signed_in(getattr(cast, who)).get(link)
            assert got.status_code == 200
            assert b"".join(got.streaming_content) == PDF
    # The attachment is the thread's, not one of the case's documents the referral shares.
    referral.sections = ["documents"]
    assert shared_sections(referral)["documents"] == []


@pytest.mark.parametrize("who", NOBODY)
def test_others_get_404(cast, referral, who):
    msg = thread.message_post(
        referral=referral, actor=cast.caseworker_a, body=BODY,
        attachment=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"))
    client = signed_in(getattr(cast, who))
    before = written()
    assert client.get(api(referral)).status_code == 404
    assert client.post(api(referral), {"body": "hello"}).status_code == 404
    assert client.post(url(referral), {"body": "hello"}).status_code == 404
    assert client.get(f"{api(referral)}{msg.pk}/attachment/").status_code == 404
    assert client.get(url(referral, "message-attachment", msg.pk)).status_code == 404
    assert written() == before


def test_after_revocation_the_recipient_gets_404(cast, referral):
    msg = thread.message_post(
        referral=referral, actor=cast.caseworker_a, body=BODY,
        attachment=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"))
    services.referral_revoke(referral=referral, actor=cast.caseworker_a)
    client = signed_in(cast.agency_poc)
    assert client.get(api(referral)).status_code == 404
    assert client.get(url(referral, "message-attachment", msg.pk)).status_code == 404
    assert client.get(f"{api(referral)}{msg.pk}/attachment/").status_code == 404
    # The sender still reads its thread, read-only.
    page = signed_in(cast.caseworker_a).get(url(referral, "detail")).content.decode()
    assert "Chișinău" in page and "This thread is closed" in page


def test_the_body_never_leaves_in_notifications_emails_or_audit(cast, referral,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        thread.message_post(referral=referral, actor=cast.caseworker_a, body=BODY)
    notes = list(Notification.objects.filter(kind="referral_message"))
    assert [n.user for n in notes] == [cast.agency_poc]
    assert notes[0].link == f"/referrals/{referral.pk}/"
    send_emails([n.pk for n in notes])
    assert len(mail.outbox) == 1
    for text in (mail.outbox[0].subject, mail.outbox[0].body, str(notes[0].__dict__)):
        assert "Chișinău" not in text and "+37369555444" not in text
    event = AuditEvent.objects.get(action="referrals.message.posted")
    assert event.payload == {"referral": str(referral.pk), "side": "sender",
                             "attachment": False}
    for e in AuditEvent.objects.all():
        assert "Chișinău" not in str(e.payload) and "Ion" not in str(e.payload)
    # Stored encrypted.
    raw = ReferralMessage.objects.values_list("body", flat=True).get()
    assert b"Chi" not in bytes(raw)


@pytest.mark.parametrize("data,field,message", [
    ({"body": "   "}, "body", "Write a message."),
    ({"body": "x" * 10_001}, "body", "longer than 10,000 characters"),
    ({"body": "see file", "attachment": ("run.exe", b"MZ\x90\x00binary")}, "attachment",
     "not accepted"),
])
def test_bad_input_names_the_field_and_writes_nothing(cast, referral, data, field, message):
    if "attachment" in data:
        name, content = data["attachment"]
        data = {**data, "attachment": SimpleUploadedFile(name, content)}
    client = signed_in(cast.caseworker_a)
    before = written()
    response = client.post(api(referral), data, format="multipart")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert written() == before
    if "attachment" in data:
        data["attachment"].seek(0)
    page = client.post(url(referral), data)
    assert page.status_code == 400 and message in page.content.decode()
    assert written() == before


@pytest.mark.parametrize("end", ["revoke", "decline"])
def test_no_posting_once_revoked_or_declined(cast, referral, end):
    if end == "revoke":
        services.referral_revoke(referral=referral, actor=cast.caseworker_a)
    else:
        services.referral_decline(referral=referral, actor=cast.agency_poc,
                                  reason="no_capacity")
    client, poc = signed_in(cast.caseworker_a), signed_in(cast.agency_poc)
    before = written()
    response = client.post(api(referral), {"body": "hello"})
    assert response.status_code == 400
    assert "no longer be written" in " ".join(response.json()["status"]) or \
        "no longer" in str(response.json())
    page = client.post(url(referral), {"body": "hello"})
    assert page.status_code == 400 and "can be read but no longer" in page.content.decode()
    if end == "decline":  # the recipient still reads, cannot write
        assert poc.get(api(referral)).status_code == 200
        assert poc.post(api(referral), {"body": "x"}).status_code == 400
    assert written() == before


def test_erasure_shreds_the_thread(cast, referral):
    from bridgeway.protection.services import subject_erase

    thread.message_post(referral=referral, actor=cast.caseworker_a, body=BODY)
    subject_erase(subject=referral.subject, actor=cast.dpo_a)
    assert ReferralMessage.objects.values_list("body", flat=True).get() is None
