"""One open referral per case and recipient: sending the same case to the same organisation
again while a referral there waits for an answer or is being worked on is refused (screens and
API), writes nothing and notifies nobody; two sends at once cannot both pass."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from bridgeway.notifications.models import Notification
from bridgeway.referrals import services
from bridgeway.referrals.models import Referral
from tests.concurrency import race
from tests.conftest import signed_in
from tests.referrals.conftest import counts, send

pytestmark = pytest.mark.django_db


def test_a_second_referral_to_the_same_recipient_is_refused(cast, case, referral):
    before, notes = counts(), Notification.objects.count()
    with pytest.raises(ValidationError) as refused:
        send(cast, case)
    message = " ".join(refused.value.message_dict["recipient"])
    assert "already has an open referral to Police unit" in message
    assert referral.reference in message
    assert counts() == before and Notification.objects.count() == notes


def test_accepted_counts_as_open_and_an_answered_one_does_not(cast, case, referral):
    services.referral_accept(referral=referral, actor=cast.agency_poc)
    with pytest.raises(ValidationError):
        send(cast, case)
    services.referral_complete(referral=referral, actor=cast.agency_poc)
    again = send(cast, case)
    services.referral_decline(referral=again, actor=cast.agency_poc, reason="no_capacity")
    third = send(cast, case)
    services.referral_revoke(referral=third, actor=cast.caseworker_a)
    assert send(cast, case).status == "pending"


def test_another_recipient_may_get_the_same_case(cast, case, referral):
    other = send(cast, case, to=cast.org_b, services_=["shelter"])
    assert other.status == "pending"


def test_api_answers_400_naming_the_recipient(cast, case, referral):
    client = signed_in(cast.caseworker_a)
    before = counts()
    response = client.post("/api/v1/referrals/", {
        "case": str(case.pk), "recipient": cast.police.pk, "sections": ["identity"],
        "services": ["identification"], "reason": "AdditionalServicesRequired",
        "urgency": "normal"}, content_type="application/json")
    assert response.status_code == 400
    assert "already has an open referral" in response.json()["recipient"][0]
    assert counts() == before


def test_screen_shows_the_message(cast, case, referral):
    client = signed_in(cast.caseworker_a)
    before = counts()
    response = client.post(reverse("referrals:new", args=[case.pk]), {
        "recipient": cast.police.pk, "sections": ["identity"], "services": ["identification"],
        "reason": "AdditionalServicesRequired", "urgency": "normal"})
    assert response.status_code == 400
    assert "already has an open referral to Police unit" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sends_only_one_passes(cast, case, consent):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite serialises writers itself)")
    outcome = race(lambda: send(cast, case), lambda: send(cast, case))
    assert outcome["first"] is None
    assert isinstance(outcome["second"], ValidationError), outcome
    assert Referral.objects.filter(case=case, recipient=cast.police).count() == 1
