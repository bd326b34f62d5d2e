"""Notifications say what happened, to which reference, and the outcome, in the reader's
language: "Referral R-… was accepted by Police unit"."""

import pytest
from django.urls import reverse
from django.utils import translation

from bridgeway.notifications.models import Notification
from bridgeway.referrals import services
from bridgeway.referrals.thread import message_post
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def summaries(user):
    return [n.summary for n in Notification.objects.filter(user=user).select_related(
        "by_organisation")]


def test_the_sender_reads_which_referral_was_accepted_and_by_whom(cast, referral):
    services.referral_accept(referral=referral, actor=cast.agency_poc)
    expected = f"Referral {referral.reference} was accepted by Police unit"
    assert expected in summaries(cast.caseworker_a)
    page = signed_in(cast.caseworker_a).get(reverse("notifications:list"))
    assert expected in page.content.decode()


def test_a_declined_referral_says_declined(cast, referral):
    services.referral_decline(referral=referral, actor=cast.agency_poc,
                              reason=_decline_reasons()[0], text="")
    assert f"Referral {referral.reference} was declined by Police unit" in \
        summaries(cast.caseworker_a)


def test_the_recipient_reads_who_sent_it(cast, referral):
    assert f"Referral {referral.reference} was sent to your organisation by Org A" in \
        summaries(cast.agency_poc)


def test_a_message_names_the_side_it_came_from(cast, referral):
    services.referral_accept(referral=referral, actor=cast.agency_poc)
    message_post(referral=referral, actor=cast.agency_poc, body="We can meet on Monday.")
    assert f"New message from Police unit on referral {referral.reference}" in \
        summaries(cast.caseworker_a)


def test_the_sentence_is_in_the_readers_language(cast, referral):
    services.referral_accept(referral=referral, actor=cast.agency_poc)
    notification = Notification.objects.get(user=cast.caseworker_a, kind="referral_accepted")
    with translation.override("uk"):
        text = notification.summary
    assert referral.reference in text and "Police unit" in text
    assert "referral_accepted" not in text


def _decline_reasons():
    from bridgeway.referrals.codes import DeclineReason

    return list(DeclineReason.values)


def test_a_translation_with_a_broken_placeholder_still_names_the_referral(cast, referral,
                                                                            monkeypatch):
    from bridgeway.notifications import models

    services.referral_accept(referral=referral, actor=cast.agency_poc)
    notification = Notification.objects.get(user=cast.caseworker_a, kind="referral_accepted")
    monkeypatch.setitem(models._SENTENCES_BY, "referral_accepted",
                        "Referral %(reference)s accepted by %(organisation)s")
    assert referral.reference in notification.summary
