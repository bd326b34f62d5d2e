"""Reads, scoped to what the asking user may see (404 for the rest).

Outreach workers are caseworkers (PRODUCT.md); supervisors and organisation administrators
manage their organisation's records as they manage its cases. Network coordinators see the
network's aggregates only (network view), never a single record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from bridgeway.core.prepared import Prepared, prepared
from bridgeway.core.queues import NORMAL, SOON, URGENT, QueueItem, count_and_page, url_maker
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import NetworkMembership, Organisation
from bridgeway.orgs.queries import orgs_where
from bridgeway.outreach import summary
from bridgeway.outreach.codes import NO_ANSWER_DAYS, Kind, Outcome, TrainingStatus
from bridgeway.outreach.models import (
    AccessRequest,
    Activity,
    Facility,
    SummaryVersion,
    Training,
)

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

WRITER_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.ORG_ADMIN})
NETWORK_ROLES = frozenset({Role.NETWORK_COORDINATOR, Role.ORG_ADMIN})

MODELS: dict[str, Any] = {Kind.ACTIVITY: Activity, Kind.ACCESS: AccessRequest,
                                  Kind.TRAINING: Training}


def outreach_orgs(user: User) -> list[Organisation]:
    """The organisations (not networks) for which the user records outreach work."""
    return [o for o in orgs_where(user, WRITER_ROLES) if not o.is_network]


def may_record(user: User, org: Organisation) -> bool:
    return any(o.pk == org.pk for o in outreach_orgs(user))


def managed_networks(user: User) -> list[Organisation]:
    return [o for o in orgs_where(user, NETWORK_ROLES) if o.is_network]


def user_network_ids(user: User) -> set[int]:
    """The networks the user's outreach organisations belong to (their shared facilities)."""
    own = [o.pk for o in outreach_orgs(user)]
    return set(NetworkMembership.objects.filter(member_id__in=own, network__is_active=True)
               .values_list("network_id", flat=True))


def networks_of_org(org: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(network_members__member=org, is_active=True,
                                       org_type="CSONetwork").order_by("name")


def records_visible_to(user: User, kind: str) -> QuerySet:
    model = MODELS[kind]
    return model._default_manager.filter(
        organisation_id__in=[o.pk for o in outreach_orgs(user)])


def activities_visible_to(user: User) -> QuerySet[Activity]:
    return records_visible_to(user, Kind.ACTIVITY)


def access_requests_visible_to(user: User) -> QuerySet[AccessRequest]:
    return records_visible_to(user, Kind.ACCESS).select_related("facility")


def trainings_visible_to(user: User) -> QuerySet[Training]:
    return records_visible_to(user, Kind.TRAINING)


def record_for_user(user: User, kind: str, pk: UUID | str) -> Any:
    return get_or_404(records_visible_to(user, kind).select_related("organisation"), pk=pk)


def activity_for_user(user: User, pk: UUID | str) -> Activity:
    return get_or_404(activities_visible_to(user).select_related("organisation"), pk=pk)


def access_request_for_user(user: User, pk: UUID | str) -> AccessRequest:
    return get_or_404(access_requests_visible_to(user).select_related("organisation"), pk=pk)


def training_for_user(user: User, pk: UUID | str) -> Training:
    return get_or_404(trainings_visible_to(user).select_related("organisation"), pk=pk)


def facilities_visible_to(user: User) -> QuerySet[Facility]:
    """The register of the networks the user's organisations belong to (or coordinate), and
    facilities their own organisations added."""
    own = [o.pk for o in outreach_orgs(user)]
    networks = user_network_ids(user) | {n.pk for n in managed_networks(user)}
    return Facility.objects.filter(Q(network_id__in=networks) | Q(added_by_org_id__in=own))


def facility_for_user(user: User, pk: int | str) -> Facility:
    return get_or_404(facilities_visible_to(user), pk=pk)


def facilities_managed_by(user: User) -> QuerySet[Facility]:
    """The facilities the user may edit or deactivate: those their organisations added."""
    return Facility.objects.filter(added_by_org_id__in=[o.pk for o in outreach_orgs(user)])


def facility_to_manage(user: User, pk: int | str) -> Facility:
    """404 for anyone else, including network peers who may only see it."""
    return get_or_404(facilities_managed_by(user).select_related("added_by_org"), pk=pk)


def records_linked_to_incident(user: User, incident_id: UUID) -> list[tuple[str, str]]:
    """(url, label) of the access requests and trainings the user may see that became this
    incident: the other half of the link the incident page shows."""
    from django.utils.translation import gettext as _

    links = []
    for req in access_requests_visible_to(user).filter(incident_id=incident_id):
        links.append((reverse("outreach:access_detail", args=[req.pk]),
                      _("Access request: %(facility)s, %(date)s")
                      % {"facility": req.facility.name, "date": req.requested_on.isoformat()}))
    for t in trainings_visible_to(user).filter(incident_id=incident_id):
        links.append((reverse("outreach:training_detail", args=[t.pk]),
                      _("Training: %(topic)s, %(date)s")
                      % {"topic": t.topic, "date": t.planned_on.isoformat()}))
    return links


def outreach_menu(user: User) -> bool:
    return bool(outreach_orgs(user) or managed_networks(user))


class Scope(NamedTuple):
    org_ids: list[int]
    network: Organisation | None
    # (organisation, version) of the totals of those that have any (summary.versions), when
    # asked for: read with the organisations, for the network view's cache key.
    versions: list[tuple[int, int]] | None = None


def network_scope(user: User, network_id: int | None = None, *,
                  versions: bool = False) -> Scope:
    """The organisations whose records a network view adds up: the members of a network the
    user coordinates (or administers), else the user's own outreach organisations."""
    networks = managed_networks(user)
    if not networks:
        org_ids = [o.pk for o in outreach_orgs(user)]
        return Scope(org_ids, None, summary.versions(org_ids) if versions else None)
    net = next((n for n in networks if n.pk == network_id), networks[0])
    members = NetworkMembership.objects.filter(network=net)
    if not versions:
        return Scope(list(members.values_list("member_id", flat=True)), net)
    # One statement: the members and the versions of their totals.
    rows = list(members.values_list("member_id", Subquery(
        SummaryVersion.objects.filter(organisation_id=OuterRef("member_id")).values("version"))))
    return Scope([m for m, _v in rows], net, sorted((m, v) for m, v in rows if v is not None))


def countries_of_work(org_ids: list[int]) -> list[str]:
    """The countries the organisations are based in and have facilities in (one small read:
    the filter of the network view offers these, not all 249)."""
    based = Organisation.objects.filter(pk__in=org_ids).values_list("country", flat=True)
    facilities = Facility.objects.filter(added_by_org_id__in=org_ids).values_list(
        "country", flat=True)
    return sorted(set(based.order_by().union(facilities.order_by()).order_by()))


# --- home queues (registered in outreach/home.py) ----------------------------------------------

@prepared
def _unanswered(*, orgs: list[int], until: date) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(organisation_id__in=orgs, outcome=Outcome.PENDING,
                                        requested_on__lte=until)


def unanswered_access(user: User) -> Prepared | None:
    """Access requests still waiting for an answer NO_ANSWER_DAYS after they were made (None:
    the user records no outreach). A prepared query (core.prepared)."""
    orgs = sorted(o.pk for o in outreach_orgs(user))
    if not orgs:
        return None
    return _unanswered(orgs=orgs,
                       until=timezone.localdate() - timedelta(days=NO_ANSWER_DAYS))


def home_unanswered_access(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """unanswered_access, the oldest first (urgent after twice NO_ANSWER_DAYS)."""
    qs = unanswered_access(user)
    if qs is None:
        return 0, []
    today = timezone.localdate()
    count, rows = count_and_page(qs, qs.order_by("requested_on").values(
        "pk", "requested_on", "facility__name", "organisation__name"), limit)
    url_of = url_maker("outreach:access_detail")
    return count, [QueueItem(
        label=row["facility__name"], url=url_of(row["pk"]),
        since=row["requested_on"],
        urgency=URGENT if row["requested_on"] <= today - timedelta(days=2 * NO_ANSWER_DAYS)
        else SOON, detail=row["organisation__name"]) for row in rows]


@prepared
def _trainings_between(*, orgs: list[int], first: date, nxt: date) -> QuerySet[Training]:
    return Training.objects.filter(organisation_id__in=orgs, status=TrainingStatus.PLANNED,
                                   planned_on__gte=first, planned_on__lt=nxt)


def trainings_this_month(user: User) -> Prepared | None:
    """Trainings planned for this month that are not held yet (None: the user records no
    outreach). A prepared query (core.prepared)."""
    orgs = sorted(o.pk for o in outreach_orgs(user))
    if not orgs:
        return None
    first = timezone.localdate().replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return _trainings_between(orgs=orgs, first=first, nxt=nxt)


def home_trainings_this_month(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """trainings_this_month, the nearest first."""
    qs = trainings_this_month(user)
    if qs is None:
        return 0, []
    today = timezone.localdate()
    count, rows = count_and_page(qs, qs.order_by("planned_on").values(
        "pk", "planned_on", "topic", "institution_type"), limit)
    url_of = url_maker("outreach:training_detail")
    return count, [QueueItem(
        label=row["topic"][:80], url=url_of(row["pk"]),
        due=row["planned_on"], urgency=SOON if row["planned_on"] <= today else NORMAL)
        for row in rows]


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
