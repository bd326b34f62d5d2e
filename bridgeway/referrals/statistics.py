"""Referral statistics: how long organisations take to answer, how often they accept, where
referrals stall, and the pathways between kinds of organisation. Counts and durations only: no
person, no case, no free text. Supervisors and administrators see the referrals their
organisation sent or received; network coordinators those between their network's members."""

from __future__ import annotations

import statistics as stats
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridgeway.orgs.codes import OrgType, Role
from bridgeway.orgs.models import NetworkMembership
from bridgeway.orgs.queries import orgs_where
from bridgeway.referrals.codes import Status
from bridgeway.referrals.models import Referral

ORG_ROLES = (Role.SUPERVISOR, Role.ORG_ADMIN)
NOT_ON_PLATFORM = gettext_lazy("Organisations not on the platform")
ACCEPTED = (Status.ACCEPTED, Status.COMPLETED)


@dataclass
class Group:
    label: str
    sent: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    pending: int = 0
    overdue: int = 0
    hours: list[float] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return self.accepted + self.declined

    @property
    def acceptance_rate(self) -> float | None:
        return round(100 * self.accepted / self.answered, 1) if self.answered else None

    @property
    def median_hours(self) -> float | None:
        return round(stats.median(self.hours), 1) if self.hours else None

    @property
    def slowest_hours(self) -> float | None:
        return round(max(self.hours), 1) if self.hours else None

    def as_dict(self) -> dict:
        return {"label": self.label, "sent": self.sent, "answered": self.answered,
                "accepted": self.accepted, "declined": self.declined, "expired": self.expired,
                "pending": self.pending, "overdue": self.overdue,
                "acceptance_rate": self.acceptance_rate, "median_hours": self.median_hours,
                "slowest_hours": self.slowest_hours}


def scope_for(user) -> tuple[str, set[int]]:
    """("organisation" | "network", organisation ids) — or 404 for anyone else."""
    own = {o.pk for o in orgs_where(user, ORG_ROLES)}
    if own:
        return "organisation", own
    networks = [o.pk for o in orgs_where(user, [Role.NETWORK_COORDINATOR])]
    members = set(NetworkMembership.objects.filter(network_id__in=networks)
                  .values_list("member_id", flat=True))
    if networks:
        return "network", members
    raise Http404


def _answered_at(r: Referral) -> datetime | None:
    return r.accepted_at or r.declined_at


def referral_statistics(user, *, since: date | None = None, until: date | None = None,
                        now: datetime | None = None) -> dict:
    now = now or timezone.now()
    scope, ids = scope_for(user)
    where = Q(sender_id__in=ids) | Q(recipient_id__in=ids)
    if scope == "network":  # between members only: nothing about outsiders' own work
        where = Q(sender_id__in=ids) & Q(recipient_id__in=ids)
    qs = Referral.objects.filter(where).select_related("sender", "recipient")
    if since:
        qs = qs.filter(sent_at__date__gte=since)
    if until:
        qs = qs.filter(sent_at__date__lte=until)
    by_org: dict[int, Group] = {}
    by_type: dict[str, Group] = {}
    pathways: dict[tuple[str, str], Group] = {}
    total = Group(label="")
    stalled = []
    type_label = dict(OrgType.choices)
    for r in qs.order_by("sent_at"):
        # An organisation not on the platform is counted by its declared type under one row.
        send_type = r.sender.org_type
        recv_type = r.recipient.org_type if r.recipient else r.offplatform_type
        recv_name = r.recipient.name if r.recipient else str(NOT_ON_PLATFORM)
        groups = [total,
                  by_org.setdefault(r.recipient_id, Group(label=recv_name)),
                  by_type.setdefault(recv_type, Group(label=str(type_label.get(recv_type,
                                                                                recv_type)))),
                  pathways.setdefault((send_type, recv_type), Group(
                      label=f"{type_label.get(send_type, send_type)} → "
                            f"{type_label.get(recv_type, recv_type)}"))]
        answered = _answered_at(r)
        for g in groups:
            g.sent += 1
            if r.status in ACCEPTED or (r.status == Status.REVOKED and r.accepted_at):
                g.accepted += 1
            elif r.status == Status.DECLINED:
                g.declined += 1
            elif r.status == Status.EXPIRED:
                g.expired += 1
            elif r.status == Status.PENDING:
                g.pending += 1
                g.overdue += r.deadline <= now
            if answered:
                g.hours.append((answered - r.sent_at).total_seconds() / 3600)
        if r.status == Status.PENDING and r.recipient is not None:
            stalled.append({
                "reference": r.reference if scope == "organisation" else "",
                "pk": r.pk if scope == "organisation" else None,
                "sender": r.sender.name, "recipient": recv_name,
                "waiting_hours": round((now - r.sent_at).total_seconds() / 3600, 1),
                "overdue": r.deadline <= now})
    stalled.sort(key=lambda s: -s["waiting_hours"])

    def rows(groups):
        return sorted((g.as_dict() for g in groups.values()), key=lambda d: (-d["sent"], d["label"]))

    return {"scope": scope, "total": total.as_dict(), "by_organisation": rows(by_org),
            "by_type": rows(by_type), "pathways": rows(pathways), "stalled": stalled[:50]}
