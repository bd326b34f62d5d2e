"""Reads, scoped to what the asking user may see (404 for the rest)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import Q, QuerySet

from bridgeway.civicspace.codes import (
    Severity,
    Status,
    Visibility,
)
from bridgeway.civicspace.models import (
    Consultation,
    Incident,
    RestrictionType,
)
from bridgeway.core.prepared import Prepared, prepared
from bridgeway.core.queues import SOON, URGENT, QueueItem, count_and_page, url_maker
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import NetworkMembership, Organisation
from bridgeway.orgs.queries import active_memberships, may_manage_network

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

NETWORK_ADMIN_ROLES = {Role.ORG_ADMIN, Role.NETWORK_COORDINATOR}


def managed_networks(user: User) -> list[Organisation]:
    """CSO networks where the user is a coordinator or administrator ("network admins")."""
    seen: dict[int, Organisation] = {}
    for m in active_memberships(user):
        if m.role in NETWORK_ADMIN_ROLES and m.organisation.is_network:
            seen.setdefault(m.organisation_id, m.organisation)
    return list(seen.values())


def member_orgs(user: User) -> list[Organisation]:
    """The user's organisations that belong to at least one CSO network (they may report)."""
    own = {m.organisation_id: m.organisation for m in active_memberships(user)
           if not m.organisation.is_network}
    members = set(NetworkMembership.objects.filter(member_id__in=own, network__is_active=True)
                  .values_list("member_id", flat=True))
    return [org for pk, org in own.items() if pk in members]


def networks_for_reporting(org: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(network_members__member=org, is_active=True,
                                       org_type="CSONetwork").order_by("name")


def user_networks(user: User) -> set[int]:
    """Every network the user's organisations belong to, or that they manage."""
    own = {m.organisation_id for m in active_memberships(user)}
    ids = set(NetworkMembership.objects.filter(member_id__in=own).values_list("network_id",
                                                                             flat=True))
    return ids | {n.pk for n in managed_networks(user)}


def public_incidents() -> QuerySet[Incident]:
    return Incident.objects.filter(status=Status.PUBLISHED, visibility=Visibility.PUBLIC)


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """The reporting organisation sees its own; the network's coordinators and administrators
    see every incident filed with their network (they verify them); other members of the network
    see it once published with network or public visibility; everyone sees public ones."""
    if not getattr(user, "is_authenticated", False):
        return public_incidents()
    own = [m.organisation_id for m in active_memberships(user)]
    managed = [n.pk for n in managed_networks(user)]
    member_of = NetworkMembership.objects.filter(member_id__in=own).values("network_id")
    return Incident.objects.filter(
        Q(reporting_org_id__in=own) | Q(network_id__in=managed)
        | Q(status=Status.PUBLISHED, visibility=Visibility.NETWORK, network_id__in=member_of)
        | Q(status=Status.PUBLISHED, visibility=Visibility.PUBLIC)
    ).distinct()


def incident_for_user(user: User, pk: UUID | str) -> Incident:
    return get_or_404(incidents_visible_to(user).select_related("network", "reporting_org"), pk=pk)


def may_review(user: User, incident: Incident) -> bool:
    return may_manage_network(user, incident.network)


def may_edit(user: User, incident: Incident) -> bool:
    if may_review(user, incident):
        return True
    own = {m.organisation_id for m in active_memberships(user)}
    return incident.reporting_org_id in own and incident.status in (Status.REPORTED,
                                                                    Status.UNDER_REVIEW)


def filter_incidents(qs: QuerySet[Incident], *, country: str = "", status: str = "",
                     family: str = "", type_code: str = "", actor: str = "", since: date | None = None,
                     until: date | None = None) -> QuerySet[Incident]:
    if country:
        qs = qs.filter(country=country)
    if status:
        qs = qs.filter(status=status)
    if family:
        qs = qs.filter(types__family=family)
    if type_code:
        qs = qs.filter(types__code=type_code)
    if actor:
        # JSON containment differs between SQLite and PostgreSQL; match the quoted code instead.
        qs = qs.filter(actors__icontains=f'"{actor}"')
    if since:
        qs = qs.filter(started_on__gte=since)
    if until:
        qs = qs.filter(started_on__lte=until)
    return qs.distinct()


def types_for_network(network_id: int | None) -> QuerySet[RestrictionType]:
    q = Q(network__isnull=True)
    if network_id:
        q |= Q(network_id=network_id)
    return RestrictionType.objects.filter(q, is_active=True).order_by("family", "pk")


def consultations_visible_to(user: User) -> QuerySet[Consultation]:
    return Consultation.objects.filter(network_id__in=user_networks(user))


def consultation_for_user(user: User, pk: int | str) -> Consultation:
    return get_or_404(consultations_visible_to(user).select_related("network"), pk=pk)


def counts(incidents: Iterable[Incident], key: Callable[[Incident], Iterable[str]]) -> list[tuple[str, int]]:
    """(label, count) rows for a chart, largest first; `key` maps an incident to labels."""
    found: dict[str, int] = {}
    for inc in incidents:
        for label in key(inc):
            found[label] = found.get(label, 0) + 1
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))


def civic_space_menu(user: User) -> bool:
    """People of network member organisations and of networks (coordinators, researchers)."""
    rows = civic_space_menu_rows(user)
    return rows if isinstance(rows, bool) else rows.exists()


@prepared
def _member_of_active_network(*, own: list[int]) -> QuerySet[NetworkMembership]:
    return NetworkMembership.objects.filter(member_id__in=own, network__is_active=True)


def civic_space_menu_rows(user: User) -> bool | Prepared:
    """civic_space_menu as the menu asks it: the answer when the memberships give it, else the
    rows whose existence gives it (asked with the menu's counts in one statement)."""
    if managed_networks(user) or any(m.organisation.is_network
                                     for m in active_memberships(user)):
        return True
    own = [m.organisation_id for m in active_memberships(user) if not m.organisation.is_network]
    if not own:
        return False
    return _member_of_active_network(own=sorted(set(own)))


# --- home queues (registered in civicspace/home.py) --------------------------------------------

TO_VERIFY = (Status.REPORTED, Status.UNDER_REVIEW, Status.VERIFIED)


@prepared
def _to_verify(*, networks: list[int]) -> QuerySet[Incident]:
    return Incident.objects.filter(network_id__in=networks, status__in=TO_VERIFY)


def incidents_to_verify(user: User) -> Prepared | None:
    """Incidents filed with the networks the user coordinates that wait for review, verification
    or publication (None: the user coordinates no network). A prepared query (core.prepared)."""
    networks = sorted(n.pk for n in managed_networks(user))
    if not networks:
        return None
    return _to_verify(networks=networks)


def home_incidents_to_verify(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """Incidents filed with the networks the user coordinates that wait for review, verification
    or publication: the most severe first, then the newest."""
    qs = incidents_to_verify(user)
    if qs is None:
        return 0, []
    count, rows = count_and_page(qs, qs.order_by("-severity", "-created_at").values(
        "pk", "title", "status", "severity", "created_at", "reporting_org__name"), limit)
    statuses = dict(Status.choices)
    url_of = url_maker("civicspace:detail")
    return count, [QueueItem(
        label=row["title"], url=url_of(row["pk"]),
        since=row["created_at"],
        urgency=URGENT if row["severity"] >= Severity.SEVERE
        else SOON if row["severity"] >= Severity.HIGH else 0,
        detail=f"{statuses.get(row['status'], row['status'])} · {row['reporting_org__name']}")
        for row in rows]


def may_read_documents(user: User, incident: Incident) -> bool:
    own = {m.organisation_id for m in active_memberships(user)}
    return incident.reporting_org_id in own or may_manage_network(user, incident.network)
