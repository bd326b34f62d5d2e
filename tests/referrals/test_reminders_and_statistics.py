import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from bridgeway.accounts.services import api_token_create
from bridgeway.notifications.models import Kind, Notification
from bridgeway.notifications.services import run_reminders
from bridgeway.orgs.models import NetworkMembership, PointOfContact
from bridgeway.referrals import services
from bridgeway.referrals.models import Referral
from bridgeway.referrals.reminders import remind_and_escalate
from tests.conftest import signed_in
from tests.factories import MembershipFactory, with_totp
from tests.referrals.conftest import SECRET_PHONE, send

pytestmark = pytest.mark.django_db


def kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_each_step_tells_the_other_side_with_a_link_only(cast, case, consent,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(cast, case, sections=["identity", "contact"])
    assert kinds(cast.agency_poc) == [Kind.REFERRAL_RECEIVED]
    assert kinds(cast.caseworker_a) == []  # the sender is not told what they did
    note = Notification.objects.get(user=cast.agency_poc)
    assert note.link == reverse("referrals:detail", args=[referral.pk])
    body = mail.outbox[-1].body
    assert "Наталія" not in body and SECRET_PHONE not in body and referral.reference not in body
    services.referral_accept(referral=referral, actor=cast.agency_poc)
    assert kinds(cast.caseworker_a) == [Kind.REFERRAL_ACCEPTED]
    # In the app the sender reads which referral and what the answer was.
    answered = Notification.objects.get(user=cast.caseworker_a)
    assert answered.summary == f"Referral {referral.reference} was accepted by Police unit"
    services.referral_revoke(referral=referral, actor=cast.caseworker_a)
    assert kinds(cast.agency_poc) == [Kind.REFERRAL_RECEIVED, Kind.REFERRAL_REVOKED]


def test_reminder_then_escalation_then_expiry_each_once(cast, case, consent):
    contact = MembershipFactory(organisation=cast.police, role="agency_poc").user
    with_totp(contact)
    PointOfContact.objects.create(organisation=cast.police, user=contact, function="Duty officer")
    referral = send(cast, case)
    Notification.objects.all().delete()
    window = referral.deadline - referral.sent_at
    assert remind_and_escalate(referral.sent_at + window * 0.3) == 0
    remind_and_escalate(referral.sent_at + window * 0.6)
    assert kinds(cast.agency_poc) == [Kind.REFERRAL_REMINDER]
    assert kinds(cast.supervisor_a) == []
    remind_and_escalate(referral.sent_at + window * 0.9)
    assert kinds(cast.supervisor_a) == [Kind.REFERRAL_ESCALATED]
    assert kinds(contact) == [Kind.REFERRAL_ESCALATED, Kind.REFERRAL_REMINDER]
    assert remind_and_escalate(referral.sent_at + window * 0.95) == 0  # once each
    assert run_reminders(referral.deadline + dt.timedelta(minutes=1))["referrals.deadlines"] == 1
    referral.refresh_from_db()
    assert referral.status == "expired"
    assert Kind.REFERRAL_ESCALATED in kinds(cast.caseworker_a)  # the sender learns it expired


@pytest.fixture
def history(cast, case, consent):
    answered = send(cast, case)
    services.referral_accept(referral=answered, actor=cast.agency_poc)
    Referral.objects.filter(pk=answered.pk).update(
        accepted_at=answered.sent_at + dt.timedelta(hours=6))
    waiting = send(cast, case, to=cast.org_b, services_=["shelter"])
    Referral.objects.filter(pk=waiting.pk).update(deadline=waiting.sent_at - dt.timedelta(hours=1),
                                                  sent_at=waiting.sent_at - dt.timedelta(hours=2))
    return answered, waiting


def test_statistics_for_the_organisation(cast, history):
    answered, waiting = history
    page = signed_in(cast.supervisor_a).get(reverse("referrals:statistics"))
    assert page.status_code == 200
    data = page.context["data"]
    assert data["scope"] == "organisation"
    assert data["total"]["sent"] == 2 and data["total"]["acceptance_rate"] == 100.0
    police = next(r for r in data["by_organisation"] if r["label"] == "Police unit")
    assert police["median_hours"] == 6.0 and police["accepted"] == 1
    assert [s["reference"] for s in data["stalled"]] == [waiting.reference]
    assert data["stalled"][0]["overdue"] is True
    html = page.content.decode()
    assert "Наталія" not in html and "Police unit" in html
    csv = signed_in(cast.supervisor_a).get(reverse("referrals:statistics"), {"csv": "by_type"})
    assert csv["Content-Type"].startswith("text/csv") and b"Law enforcement" in csv.content


def test_network_sees_only_referrals_between_its_members(cast, history):
    data = signed_in(cast.coordinator).get(reverse("referrals:statistics")).context["data"]
    assert data["scope"] == "network" and data["total"]["sent"] == 0
    NetworkMembership.objects.create(network=cast.network, member=cast.org_b)
    data = signed_in(cast.coordinator).get(reverse("referrals:statistics")).context["data"]
    assert data["total"]["sent"] == 1
    assert data["stalled"][0]["reference"] == ""  # a network sees pairs of organisations only


@pytest.mark.parametrize("who", ["caseworker_a", "caseworker_b", "agency_poc", "outsider",
                                 "platform_admin"])
def test_others_get_404(cast, history, who):
    assert signed_in(getattr(cast, who)).get(reverse("referrals:statistics")).status_code == 404


def test_api_and_bad_period(cast, history):
    _t, secret = api_token_create(user=cast.supervisor_a, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    ok = client.get("/api/v1/referral-statistics/")
    assert ok.status_code == 200 and ok.json()["total"]["sent"] == 2
    bad = client.get("/api/v1/referral-statistics/", {"since": "2026-05-01", "until": "2026-01-01"})
    assert bad.status_code == 400 and "until" in bad.json()
    page = signed_in(cast.supervisor_a).get(reverse("referrals:statistics"),
                                            {"since": "2026-05-01", "until": "2026-01-01"})
    assert page.status_code == 400 and "before its start" in page.content.decode()


def test_offplatform_referrals_count_under_one_row_and_never_stall(cast, history):
    from tests.referrals.test_package import send_off

    off = send_off(cast, history[0].case)
    data = signed_in(cast.supervisor_a).get(reverse("referrals:statistics")).context["data"]
    assert data["total"]["sent"] == 3
    assert any(r["label"] == "Organisations not on the platform" and r["sent"] == 1
               for r in data["by_organisation"])
    assert len(data["stalled"]) == 1
    remind_and_escalate(off.deadline + dt.timedelta(days=1))  # nobody on the platform to remind
    off.refresh_from_db()
    assert off.status == "pending"
