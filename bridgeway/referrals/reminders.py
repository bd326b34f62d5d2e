"""Who hears about a referral, and when: a notification at each step of its life, a reminder to
the recipient when half of the time to answer has gone, an escalation to the sender's supervisors
and the recipient's designated points of contact when four fifths have gone, and a note to the
sender when it expires unanswered. Notifications carry a link of ids, never personal data."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse

from bridgeway.notifications.services import Kind, notify
from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import roles_in
from bridgeway.referrals.codes import Status
from bridgeway.referrals.models import Referral
from bridgeway.referrals.queries import recipient_roles
from bridgeway.referrals.services import referrals_expire

REMIND_AT = 0.5  # of the time to answer
ESCALATE_AT = 0.8


def _members(org, roles) -> list:
    return list(get_user_model().objects.filter(
        is_active=True, memberships__organisation=org, memberships__is_active=True,
        memberships__role__in=list(roles)).distinct())


def recipient_people(referral: Referral) -> list:
    if referral.recipient is None:  # not on the platform: nobody here to tell
        return []
    return _members(referral.recipient, recipient_roles(referral.recipient))


def sender_people(referral: Referral) -> list:
    """The person who sent it and the case's caseworkers."""
    return [referral.created_by, *referral.case.assignees.filter(is_active=True)]


def escalation_people(referral: Referral) -> list:
    from bridgeway.orgs.models import PointOfContact

    contacts = [p.user for p in PointOfContact.objects.filter(
        organisation_id=referral.recipient_id).select_related("user")]
    return [*_members(referral.sender, [Role.SUPERVISOR]),
            *(contacts or recipient_people(referral))]


def _link(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


# What each step of the life of a referral tells, and to whom.
_STEPS = {
    "sent": (Kind.REFERRAL_RECEIVED, recipient_people),
    "accepted": (Kind.REFERRAL_ACCEPTED, sender_people),
    "declined": (Kind.REFERRAL_DECLINED, sender_people),
    "completed": (Kind.REFERRAL_COMPLETED, sender_people),
    "expired": (Kind.REFERRAL_ESCALATED, sender_people),
    "revoked": (Kind.REFERRAL_REVOKED, recipient_people),
}


def announce(referral: Referral, step: str, actor=None) -> None:
    """Tells the other side about a step (never the person who took it)."""
    if step not in _STEPS:
        return
    kind, people = _STEPS[step]
    users = [u for u in people(referral) if actor is None or u.pk != actor.pk]
    notify(users=users, kind=kind, link=_link(referral), organisation=None,
           key=f"referral_{step}:{referral.pk}", reference=referral.reference,
           by_organisation=_whose_step(referral, step, actor))


def _whose_step(referral: Referral, step: str, actor):
    """The organisation that took the step, named in the notification ("accepted by ...")."""
    if step in ("sent", "revoked"):
        return referral.sender
    if step == "completed" and actor is not None and roles_in(actor, referral.sender):
        return referral.sender
    return referral.recipient


def _elapsed(referral: Referral, now: datetime) -> float:
    window = (referral.deadline - referral.sent_at).total_seconds()
    return 1.0 if window <= 0 else (now - referral.sent_at).total_seconds() / window


def remind_and_escalate(now: datetime) -> int:
    """A reminder source (notifications.registry): expires what is past its deadline, then
    reminds and escalates what is still waiting. Each notification goes out once per referral."""
    created = referrals_expire(now=now)  # each expiry is announced to the sender
    for referral in Referral.objects.filter(status=Status.PENDING,
                                            recipient__isnull=False).select_related(
            "case", "created_by", "sender", "recipient"):
        elapsed = _elapsed(referral, now)
        if elapsed >= ESCALATE_AT:
            created += len(notify(users=escalation_people(referral), kind=Kind.REFERRAL_ESCALATED,
                                  link=_link(referral), key=f"referral_escalated:{referral.pk}",
                                  reference=referral.reference,
                                  by_organisation=referral.recipient))
        if elapsed >= REMIND_AT:
            created += len(notify(users=recipient_people(referral), kind=Kind.REFERRAL_REMINDER,
                                  link=_link(referral), key=f"referral_reminder:{referral.pk}",
                                  reference=referral.reference))
    return created
