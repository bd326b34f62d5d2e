"""Every transition of a referral, and every refusal: a clear message and nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from bridgeway.cases import services as cases
from bridgeway.cases.models import Case
from bridgeway.orgs.models import OrganisationService
from bridgeway.protection.crypto import unwrap_data_key
from bridgeway.protection.models import AuditEvent, DataSubject, OrganisationKey
from bridgeway.protection.queries import subjects_by_name
from bridgeway.referrals import services
from bridgeway.referrals.models import Referral, ReferralSettings
from tests.referrals.conftest import counts, give_consent, send

pytestmark = pytest.mark.django_db


def actions():
    return list(AuditEvent.objects.filter(action__startswith="referrals.")
                .order_by("seq").values_list("action", flat=True))


def test_send_nrm_with_consent(cast, referral, consent):
    assert referral.status == "pending" and referral.kind == "NRM"
    assert referral.consent == consent and referral.override_by is None
    assert referral.deadline > timezone.now()
    assert referral.reference.startswith("R-")
    assert actions() == ["referrals.referral.sent"]
    event = AuditEvent.objects.get(action="referrals.referral.sent")
    assert event.payload["recipient"] == cast.police.pk and event.payload["kind"] == "NRM"


def test_cross_border_is_trm(cast, case, consent):
    referral = send(cast, case, to=cast.org_b, services_=["shelter"])
    assert referral.kind == "TRM"


def test_accept_opens_a_pseudonymous_linked_case(cast, referral):
    accepted = services.referral_accept(referral=referral, actor=cast.agency_poc)
    assert accepted.status == "accepted" and accepted.accepted_at
    linked = accepted.recipient_case
    assert linked.organisation == cast.police and linked.pk != referral.case_id
    assert linked.subject.organisation == cast.police
    assert linked.subject.display_name == referral.reference  # a pseudonym, not the name
    assert actions()[-1] == "referrals.referral.accepted"


def test_decline_with_reason(cast, referral):
    declined = services.referral_decline(referral=referral, actor=cast.agency_poc,
                                         reason="no_capacity", text="Full this week")
    assert declined.status == "declined" and declined.decline_reason == "no_capacity"
    assert Referral.objects.get(pk=referral.pk).decline_text == "Full this week"


def test_decline_needs_a_reason(cast, referral):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.referral_decline(referral=referral, actor=cast.agency_poc, reason="")
    assert "reason" in exc.value.message_dict
    assert counts() == before and Referral.objects.get(pk=referral.pk).status == "pending"


def test_complete_and_revoke(cast, case, referral):
    services.referral_accept(referral=referral, actor=cast.agency_poc)
    done = services.referral_complete(referral=referral, actor=cast.agency_poc)
    assert done.status == "completed" and done.completed_at
    second = send(cast, case)
    revoked = services.referral_revoke(referral=second, actor=cast.caseworker_a)
    assert revoked.status == "revoked" and revoked.revoked_at
    assert actions()[-2:] == ["referrals.referral.sent", "referrals.referral.revoked"]


def test_accepting_twice_is_refused(cast, referral):
    services.referral_accept(referral=referral, actor=cast.agency_poc)
    before = (counts(), Case.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(referral=referral, actor=cast.agency_poc)
    assert "already accepted" in " ".join(exc.value.messages)
    assert (counts(), Case.objects.count()) == before


def test_accepting_after_revocation_is_refused(cast, referral):
    services.referral_revoke(referral=referral, actor=cast.caseworker_a)
    before = (counts(), Case.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(referral=referral, actor=cast.agency_poc)
    assert "revoked" in " ".join(exc.value.messages)
    assert (counts(), Case.objects.count()) == before


def test_only_the_recipient_answers_and_only_the_sender_revokes(cast, referral):
    before = counts()
    for user in (cast.caseworker_b, cast.caseworker_a, cast.coordinator, cast.outsider):
        with pytest.raises(PermissionDenied):
            services.referral_accept(referral=referral, actor=user)
    with pytest.raises(PermissionDenied):
        services.referral_revoke(referral=referral, actor=cast.agency_poc)
    assert counts() == before


@pytest.mark.parametrize("change,field,message", [
    ({"to": "own"}, "recipient", "own organisation"),
    ({"services_": ["shelter"]}, "services", "does not offer"),
    ({"deadline": "past"}, "deadline", "in the past"),
    ({"deadline": "far"}, "deadline", "30 days"),
    ({"sections": []}, "sections", "at least one section"),
    ({"sections": ["diary"]}, "sections", "Unknown section"),
    ({"reason": "Other"}, "reason_text", "Other"),
    ({"urgency": "whenever"}, "urgency", "urgency"),
    ({"to": "network"}, "recipient", "network"),
])
def test_bad_input_writes_nothing(cast, case, consent, change, field, message):
    kw = dict(change)
    if kw.get("to") == "own":
        kw["to"] = cast.org_a
    elif kw.get("to") == "network":
        kw["to"] = cast.network
    if kw.get("deadline") == "past":
        kw["deadline"] = timezone.now() - dt.timedelta(minutes=5)
    elif kw.get("deadline") == "far":
        kw["deadline"] = timezone.now() + dt.timedelta(days=45)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        send(cast, case, **kw)
    assert message in " ".join(exc.value.message_dict[field])
    assert counts() == before


def test_without_consent_a_caseworker_is_told_why(cast, case):
    give_consent(case, cast.caseworker_a, recipient_type="NGO")  # not for the police
    before = counts()
    with pytest.raises(ValidationError) as exc:
        send(cast, case)
    text = " ".join(exc.value.message_dict["consent"])
    assert "No consent is recorded" in text and "supervisor" in text
    with pytest.raises(ValidationError) as exc:
        send(cast, case, override_reason="Immediate danger")
    assert "Only a supervisor" in " ".join(exc.value.message_dict["override_reason"])
    assert counts() == before


def test_a_supervisor_overrides_with_a_reason(cast, case):
    referral = send(cast, case, actor=cast.supervisor_a, override_reason="Immediate danger")
    assert referral.consent is None and referral.override_by == cast.supervisor_a
    assert Referral.objects.get(pk=referral.pk).override_reason == "Immediate danger"
    assert actions() == ["referrals.referral.consent_overridden", "referrals.referral.sent"]
    payloads = AuditEvent.objects.filter(action__startswith="referrals.").values_list("payload",
                                                                                       flat=True)
    assert "Immediate danger" not in str(list(payloads))


def test_withdrawn_consent_blocks(cast, case, consent):
    from bridgeway.protection.services import consent_withdraw

    consent_withdraw(consent=consent, actor=cast.caseworker_a)
    with pytest.raises(ValidationError) as exc:
        send(cast, case)
    assert "withdrawn" in " ".join(exc.value.message_dict["consent"])


def test_open_referral_blocks_closing_the_case(cast, case, referral):
    with pytest.raises(ValidationError) as exc:
        cases.case_set_status(case=case, actor=cast.caseworker_a, status="Closed",
                              reason="goals_met")
    text = " ".join(exc.value.messages)
    assert referral.reference in text and "Ткаченко" not in text
    services.referral_revoke(referral=referral, actor=cast.caseworker_a)
    cases.case_set_status(case=case, actor=cast.caseworker_a, status="Closed", reason="goals_met")


def test_expiry_command(cast, case, consent):
    late = send(cast, case, urgency="urgent")
    fresh = send(cast, case, to=cast.org_b, services_=["shelter"])
    Referral.objects.filter(pk=late.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    call_command("referrals_expire")
    assert Referral.objects.get(pk=late.pk).status == "expired"
    assert Referral.objects.get(pk=fresh.pk).status == "pending"
    assert actions()[-1] == "referrals.referral.expired"
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(referral=late, actor=cast.agency_poc)
    assert "expired" in " ".join(exc.value.messages)


def test_unanswered_past_deadline_cannot_be_accepted_before_the_cron(cast, referral):
    Referral.objects.filter(pk=referral.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(referral=referral, actor=cast.agency_poc)
    assert "deadline" in " ".join(exc.value.messages)
    assert counts() == before


def test_deadlines_by_urgency_and_settings(cast):
    friday = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))
    assert services.default_deadline(org=cast.org_a, urgency="urgent", now=friday) == \
        friday + dt.timedelta(hours=4)
    normal = services.default_deadline(org=cast.org_a, urgency="normal", now=friday)
    assert normal.date() == dt.date(2026, 11, 25)  # Mon, Tue, Wed
    low = services.default_deadline(org=cast.org_a, urgency="low", now=friday)
    assert low.date() == dt.date(2026, 12, 4)
    services.referral_settings_set(org=cast.org_a, actor=cast.admin_a, urgent_hours=2,
                                   normal_working_days=5, low_working_days=15)
    assert services.default_deadline(org=cast.org_a, urgency="urgent", now=friday) == \
        friday + dt.timedelta(hours=2)
    with pytest.raises(PermissionDenied):
        services.referral_settings_set(org=cast.org_a, actor=cast.caseworker_a, urgent_hours=2,
                                       normal_working_days=5, low_working_days=15)
    with pytest.raises(ValidationError):
        services.referral_settings_set(org=cast.org_a, actor=cast.supervisor_a, urgent_hours=0,
                                       normal_working_days=5, low_working_days=2)
    assert ReferralSettings.objects.get(organisation=cast.org_a).urgent_hours == 2


def test_transfer_moves_case_and_rewraps_the_key(cast, case, consent):
    OrganisationKey.objects.create(organisation=cast.org_b, kek_id="test-2")
    OrganisationService.objects.create(organisation=cast.org_b, service="identification")
    referral = send(cast, case, to=cast.org_b, services_=["shelter"])
    services.referral_accept(referral=referral, actor=cast.caseworker_b)
    with pytest.raises(PermissionDenied):  # only the sender's supervisor
        services.referral_transfer(referral=referral, actor=cast.caseworker_a, confirm=True)
    with pytest.raises(ValidationError):
        services.referral_transfer(referral=referral, actor=cast.supervisor_a, confirm=False)
    services.referral_transfer(referral=referral, actor=cast.supervisor_a, confirm=True)
    moved = Case.objects.get(pk=case.pk)
    subject = DataSubject.objects.get(pk=case.subject_id)
    assert moved.organisation == cast.org_b and subject.organisation == cast.org_b
    assert subject.kek_id == "test-2"
    unwrap_data_key(bytes(subject.wrapped_key), key_id="test-2", subject_id=str(subject.pk))
    assert subject.display_name == "Наталія Ткаченко"
    assert list(subjects_by_name(cast.org_b, "Наталія Ткаченко")) == [subject]
    assert not subjects_by_name(cast.org_a, "Наталія Ткаченко").exists()
    assert Referral.objects.get(pk=referral.pk).status == "completed"
    assert "referrals.referral.transferred" in actions()
