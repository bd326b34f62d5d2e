"""Reads of the helpline, scoped to the asking user: caseworkers and supervisors of an
organisation (its helpline operators) see its contacts; nobody else sees any (404). The network
sees statistics only, with small counts suppressed."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.core.prepared import Prepared, prepared
from bridgeway.core.queues import SOON, URGENT, QueueItem, count_and_page, url_maker
from bridgeway.core.shortcuts import get_or_404
from bridgeway.helpline.codes import Channel, Status, Urgency
from bridgeway.helpline.models import Contact, HelplineSettings, ReachIndex
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import orgs_where

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

OPERATOR_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)


def helpline_orgs(user: User) -> list[Organisation]:
    """The organisations whose helpline the user works on (caseworker or supervisor)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [o for o in orgs_where(user, OPERATOR_ROLES) if not o.is_network]


def may_operate(user: User) -> bool:
    return bool(helpline_orgs(user))


def settings_orgs(user: User) -> list[Organisation]:
    """Where the user may change the helpline settings (supervisors, administrators)."""
    if not getattr(user, "is_authenticated", False):
        return []
    own = [o for o in orgs_where(user, (Role.SUPERVISOR, Role.ORG_ADMIN)) if not o.is_network]
    networks = [o for o in orgs_where(user, (Role.ORG_ADMIN, Role.NETWORK_COORDINATOR))
                if o.is_network]
    return own + networks


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(organisation__in=[o.pk for o in helpline_orgs(user)])


def contact_for_user(user: User, pk: UUID | str) -> Contact:
    return get_or_404(contacts_visible_to(user).select_related("organisation", "subject",
                                                                "case", "created_by"), pk=pk)


def org_for_operator(user: User, pk: int | str | None) -> Organisation:
    """One of the user's helpline organisations (the only one when `pk` is empty), or 404."""
    orgs = helpline_orgs(user)
    if pk in (None, "") and len(orgs) == 1:
        return orgs[0]
    for org in orgs:
        if str(org.pk) == str(pk):
            return org
    from django.http import Http404

    raise Http404


def filtered_contacts(user: User, *, channel: str = "", status: str = "", outcome: str = "",
                      since: datetime | None = None) -> QuerySet[Contact]:
    qs = contacts_visible_to(user)
    if channel:
        qs = qs.filter(channel=channel)
    if status:
        qs = qs.filter(status=status)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since:
        qs = qs.filter(started_at__gte=since)
    return qs.select_related("organisation", "case")


def earlier_contacts(contact: Contact) -> QuerySet[Contact]:
    """Other contacts of the same organisation from the same phone number, handle or e-mail
    (the blind index is keyed per organisation, and the query stays in it too)."""
    digests = ReachIndex.objects.filter(contact=contact).values("digest")
    ids = (ReachIndex.objects.filter(organisation_id=contact.organisation_id, digest__in=digests)
           .exclude(contact_id=contact.pk).values("contact_id"))
    return Contact.objects.filter(organisation_id=contact.organisation_id, pk__in=ids,
                                  started_at__lte=contact.started_at).order_by("-started_at")


def contacts_with_digest(org: Organisation, digest: str) -> QuerySet[Contact]:
    ids = ReachIndex.objects.filter(organisation=org, digest=digest).values("contact_id")
    return Contact.objects.filter(organisation=org, pk__in=ids).order_by("-started_at")


def triage_for(user: User) -> QuerySet[Contact]:
    """New web-form submissions, held ones, and contacts with an open follow-up."""
    return contacts_visible_to(user).filter(
        Q(status__in=[Status.NEW, Status.HELD])
        | Q(follow_up_due__isnull=False, follow_up_done_at__isnull=True))


def _urgency(contact: dict, now: datetime) -> int:
    due = contact.get("follow_up_due")
    if contact["urgency"] in (Urgency.HIGH, Urgency.EMERGENCY):
        return URGENT
    if due is not None and due <= timezone.localdate(now):
        return URGENT
    if contact["status"] == Status.NEW and now - contact["created_at"] > timedelta(hours=24):
        return SOON
    return 0


@prepared
def _triage_waiting(*, orgs: list[int]) -> QuerySet[Contact]:
    return Contact.objects.filter(organisation_id__in=orgs).filter(
        Q(status=Status.NEW) | Q(follow_up_due__isnull=False, follow_up_done_at__isnull=True))


def triage_waiting(user: User) -> Prepared | None:
    """Web-form submissions waiting for an answer and follow-ups that are open (None: the user
    operates no helpline); held submissions are in the triage list, not counted here. A
    prepared query (core.prepared)."""
    orgs = sorted(o.pk for o in helpline_orgs(user))
    if not orgs:
        return None
    return _triage_waiting(orgs=orgs)


def home_triage(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """triage_waiting, oldest first (they have waited longest)."""
    waiting = triage_waiting(user)
    if waiting is None:
        return 0, []
    page = waiting.order_by("created_at").values("pk", "reference", "status", "urgency",
                                                 "created_at", "follow_up_due", "channel")
    count, rows = count_and_page(waiting, page, limit)
    now = timezone.now()
    labels = dict(Channel.choices)
    url_of = url_maker("helpline:detail")
    items = [QueueItem(
        label=row["reference"], url=url_of(row["pk"]),
        urgency=_urgency(row, now), due=row["follow_up_due"], since=row["created_at"],
        detail=(_("Follow-up") if row["status"] != Status.NEW else str(labels.get(
            row["channel"], row["channel"]))))
        for row in rows]
    return count, items


def contacts_of_case(case: Any) -> QuerySet[Contact]:
    return Contact.objects.filter(case_id=case.pk).order_by("-started_at")


# The public form's settings by address, kept in each server process for a short while: every
# submission and page needs them, and they change rarely. A save in this process forgets them at
# once (signals in apps.py); other processes see a change within PUBLIC_SETTINGS_SECONDS.
PUBLIC_SETTINGS_SECONDS = 30.0
_public_settings: dict[str, tuple[float, HelplineSettings]] = {}


def public_settings(slug: str) -> HelplineSettings | None:
    now = time.monotonic()
    kept = _public_settings.get(slug)
    if kept is not None and kept[0] > now:
        return kept[1]
    conf = (HelplineSettings.objects.select_related("organisation")
            .filter(slug=slug, organisation__is_active=True).first())
    if conf is not None:
        if len(_public_settings) > 1000:
            _public_settings.clear()
        _public_settings[slug] = (now + PUBLIC_SETTINGS_SECONDS, conf)
    else:
        _public_settings.pop(slug, None)
    return conf


def forget_public_settings(**_kwargs: object) -> None:
    _public_settings.clear()


def network_countries(network: Organisation) -> list[str]:
    """Countries where a member of the network takes public-form submissions."""
    from bridgeway.orgs.models import NetworkMembership

    members = NetworkMembership.objects.filter(network=network).values("member_id")
    return sorted(set(HelplineSettings.objects.filter(
        organisation_id__in=members, form_enabled=True, organisation__is_active=True)
        .values_list("organisation__country", flat=True)))


def route_for_network(network: Organisation, *, country: str,
                      language: str) -> Organisation | None:
    """The member that takes a network form's submission: one in the chosen country whose
    working languages include the person's, else any member there (by name)."""
    from bridgeway.orgs.models import NetworkMembership

    members = NetworkMembership.objects.filter(network=network).values("member_id")
    candidates = [c.organisation for c in HelplineSettings.objects.filter(
        organisation_id__in=members, form_enabled=True, organisation__is_active=True,
        organisation__country=country).select_related("organisation")
        .order_by("organisation__name")]
    for org in candidates:
        if language and language in (org.languages or []):
            return org
    return candidates[0] if candidates else None


def stats_orgs(user: User) -> list[Organisation]:
    """Whose helpline statistics the user may read: their own organisation's (operators,
    supervisors) and, as aggregates only, their networks' (coordinators, administrators)."""
    if not getattr(user, "is_authenticated", False):
        return []
    own = helpline_orgs(user)
    networks = [o for o in orgs_where(user, (Role.NETWORK_COORDINATOR, Role.ORG_ADMIN))
                if o.is_network]
    return own + [n for n in networks if n not in own]


def stats_org_for_user(user: User, pk: int | str | None) -> Organisation:
    orgs = stats_orgs(user)
    if pk in (None, "") and orgs:
        return orgs[0]
    for org in orgs:
        if str(org.pk) == str(pk):
            return org
    from django.http import Http404

    raise Http404


def statistics_for(org: Organisation, days: int = 90) -> dict:
    from bridgeway.helpline.statistics import figures

    return figures(org, days=days)
