"""Reads, scoped to the asking user: an organisation's funding is for its finance people only
(its administrators and the members they designated); a network's coordinators see aggregates
of their members, and a member's individual records only where the member shared them. Anything
else is a 404 (`get_or_404`), so an outsider cannot tell whether a record exists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, Field, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.core.prepared import Prepared, prepared
from bridgeway.core.queues import SOON, QueueItem, count_and_page, url_maker
from bridgeway.core.shortcuts import get_or_404
from bridgeway.funding import indicators
from bridgeway.funding.codes import GrantStatus
from bridgeway.funding.models import (
    CurrencyRate,
    FinancePerson,
    Funder,
    FundingProfile,
    FundingReceipt,
    FundingRecord,
    NetworkThreshold,
    ResilienceYear,
    SurveyIndicatorMapping,
)
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import NetworkMembership, Organisation
from bridgeway.orgs.queries import active_memberships
from bridgeway.surveys.registry import questions_of

if TYPE_CHECKING:
    from bridgeway.accounts.models import User
    from bridgeway.funding.network import NetworkView

NETWORK_ROLES = frozenset({Role.NETWORK_COORDINATOR, Role.ORG_ADMIN})


# --- who may see what ------------------------------------------------------------------------

def finance_orgs(user: User) -> list[Organisation]:
    """Organisations whose funding the user may see and edit: where they are an administrator,
    or a member the administrator designated as a finance person."""
    memberships = active_memberships(user)
    if not memberships:
        return []
    member_of = {m.organisation_id: m.organisation for m in memberships}
    admin_of = {m.organisation_id for m in memberships if m.role == Role.ORG_ADMIN}
    designated = set(FinancePerson.objects.filter(user=user, organisation_id__in=member_of)
                     .values_list("organisation_id", flat=True))
    return [org for pk, org in member_of.items() if pk in admin_of | designated]


def may_see_funding(user: User, org: Organisation) -> bool:
    return any(o.pk == org.pk for o in finance_orgs(user))


def may_manage_finance_people(user: User, org: Organisation) -> bool:
    return any(m.organisation_id == org.pk and m.role == Role.ORG_ADMIN
               for m in active_memberships(user))


def finance_org_for_user(user: User, pk: int | str) -> Organisation:
    for org in finance_orgs(user):
        if str(org.pk) == str(pk):
            return org
    raise Http404


def records_of(org: Organisation) -> QuerySet[FundingRecord]:
    return (FundingRecord.objects.filter(organisation=org).select_related("funder")
            .prefetch_related("receipts"))


def records_visible_to(user: User) -> QuerySet[FundingRecord]:
    own = [o.pk for o in finance_orgs(user)]
    networks = [n.pk for n in coordinated_networks(user)]
    members = NetworkMembership.objects.filter(network_id__in=networks).values("member_id")
    return FundingRecord.objects.filter(
        Q(organisation_id__in=own) | Q(organisation_id__in=members, shared_with_network=True))


def record_for_user(user: User, pk: int | str) -> FundingRecord:
    return get_or_404(records_visible_to(user).select_related("funder", "organisation")
                      .prefetch_related("receipts"), pk=pk)


def record_for_editor(user: User, pk: int | str) -> FundingRecord:
    """A record the user may edit: one of their finance organisations' (404 otherwise, even for
    a coordinator the record was shared with)."""
    own = [o.pk for o in finance_orgs(user)]
    return get_or_404(FundingRecord.objects.filter(organisation_id__in=own)
                      .select_related("funder", "organisation").prefetch_related("receipts"),
                      pk=pk)


def resilience_of(org: Organisation) -> QuerySet[ResilienceYear]:
    return ResilienceYear.objects.filter(organisation=org).prefetch_related("needs")


def finance_people(org: Organisation) -> QuerySet[FinancePerson]:
    return FinancePerson.objects.filter(organisation=org).select_related("user")


def profile_of(org: Organisation) -> FundingProfile | None:
    return FundingProfile.objects.filter(organisation=org).first()


def funder_search(q: str = "", limit: int = 50) -> QuerySet[Funder]:
    """The shared register: anyone who keeps funding may search it (funders are organisations,
    and which organisation a funder supports is not shown)."""
    qs = Funder.objects.all()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(org_identifier__iexact=q))
    return qs.order_by("name")[:limit]


def may_use_funding(user: User) -> bool:
    return bool(finance_orgs(user) or coordinated_networks(user))


@prepared
def _designated(*, user_id: int, orgs: list[int]) -> QuerySet[FinancePerson]:
    return FinancePerson.objects.filter(user_id=user_id, organisation_id__in=orgs)


def funding_menu_rows(user: User) -> bool | Prepared:
    """may_use_funding as the menu asks it: the answer when the memberships give it, else the
    designations whose existence gives it (asked with the menu's counts in one statement)."""
    memberships = active_memberships(user)
    if coordinated_networks(user) or any(m.role == Role.ORG_ADMIN for m in memberships):
        return True
    if not memberships:
        return False
    return _designated(user_id=user.pk, orgs=sorted({m.organisation_id for m in memberships}))


def rates() -> indicators.Rates:
    return indicators.Rates(CurrencyRate.objects.values_list("currency", "year", "rate"))


def rate_rows() -> QuerySet[CurrencyRate]:
    return CurrencyRate.objects.all()


def may_import_rates(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.is_staff))


# --- one organisation's indicators -----------------------------------------------------------

def _receipts(org: Organisation, year: int) -> list[indicators.Receipt]:
    rows = (FundingReceipt.objects.filter(organisation=org, year=year)
            .exclude(record__status=GrantStatus.WITHDRAWN)
            .values("amount", "record_id", "record__funder_id", "record__funder_type",
                    "record__funder_country", "record__restricted", "record__paid_late",
                    "record__currency"))
    return [indicators.Receipt(
        funder=str(r["record__funder_id"] or r["record__funder_type"]),
        funder_type=r["record__funder_type"],
        foreign=indicators.is_foreign(r["record__funder_type"], r["record__funder_country"],
                                      org.country),
        restricted=r["record__restricted"], paid_late=r["record__paid_late"],
        grant=r["record_id"], currency=r["record__currency"], amount=r["amount"]) for r in rows]


def totals_of(org: Organisation, year: int, rates: indicators.Rates | None = None
              ) -> indicators.Totals:
    rates = rates or globals()["rates"]()
    t = indicators.totals_for(year, _receipts(org, year), rates, _receipts(org, year - 1))
    res = ResilienceYear.objects.filter(organisation=org, year=year).first()
    if res is not None:
        t.has_resilience = True
        t.expenditure, t.reserves, t.staff = res.expenditure, res.reserves, res.staff
        t.contracts_end_12m = res.contracts_end_12m
    return t


def indicators_of(org: Organisation, year: int) -> list[indicators.Result]:
    return indicators.compute(totals_of(org, year))


def years_of(org: Organisation) -> list[int]:
    years = set(FundingReceipt.objects.filter(organisation=org).values_list("year", flat=True))
    years |= set(ResilienceYear.objects.filter(organisation=org).values_list("year", flat=True))
    return sorted(years, reverse=True)


# --- networks --------------------------------------------------------------------------------

def coordinated_networks(user: User) -> list[Organisation]:
    seen: dict[int, Organisation] = {}
    for m in active_memberships(user):
        if m.role in NETWORK_ROLES and m.organisation.is_network:
            seen.setdefault(m.organisation_id, m.organisation)
    return list(seen.values())


def network_for_user(user: User, pk: int | str) -> Organisation:
    for net in coordinated_networks(user):
        if str(net.pk) == str(pk):
            return net
    raise Http404


def thresholds_of(network: Organisation) -> QuerySet[NetworkThreshold]:
    return NetworkThreshold.objects.filter(network=network)


def mappings_of(network: Organisation) -> QuerySet[SurveyIndicatorMapping]:
    return SurveyIndicatorMapping.objects.filter(network=network)


def survey_questions(network: Organisation) -> list[tuple[str, str]]:
    """The network's survey questions a coordinator may map: those answered with a number, as
    (`<survey id>:<name>`, "survey title — question label": the name is a code, not shown)."""
    return [(q.key, f"{q.survey_title} — {q.label}")
            for q in questions_of(network.pk) if q.numeric]


def shared_records(network: Organisation) -> QuerySet[FundingRecord]:
    members = NetworkMembership.objects.filter(network=network).values("member_id")
    return (FundingRecord.objects.filter(organisation_id__in=members, shared_with_network=True)
            .select_related("funder", "organisation").prefetch_related("receipts"))


def network_view(network: Organisation, year: int, *, country: str = "",
                 org_type: str = "") -> NetworkView:
    from bridgeway.funding.network import network_view as view

    return view(network, year, country=country, org_type=org_type)


def country_panel(user: User, country: str) -> list[dict]:
    """For the civic-space country page: per network the user coordinates, the members' foreign-
    funding dependence in that country (median and quartiles, suppressed for small groups)."""
    from bridgeway.funding.network import country_dependence

    year = timezone.localdate().year - 1
    return [country_dependence(net, country, year) for net in coordinated_networks(user)]


# --- home queues (registered in funding/home.py) ---------------------------------------------

def _finance_inputs(user: User) -> tuple[list[int], list[int]] | None:
    """The memberships finance_org_filter works from: (every organisation the user is a member
    of, those they administer), sorted; None without any membership (nothing can wait)."""
    memberships = active_memberships(user)
    if not memberships:
        return None
    member_of = sorted({m.organisation_id for m in memberships})
    admin_of = sorted({m.organisation_id for m in memberships if m.role == Role.ORG_ADMIN})
    return member_of, admin_of


def _finance_in(field: str, user_id: int, member_of: list[int], admin_of: list[int]) -> Q:
    """finance_org_filter's condition from its inputs (also inside prepared builders)."""
    designated = FinancePerson.objects.filter(
        user_id=user_id, organisation_id__in=member_of).values("organisation_id")
    if admin_of:
        designated = designated.union(
            Organisation.objects.filter(pk__in=admin_of).values("pk"), all=True)
    return Q(**{f"{field}__in": designated})


def finance_org_filter(user: User, field: str) -> Q | None:
    """The user's finance organisations (finance_orgs) as a condition on `field`, the
    designations in a subquery rather than a statement of their own (None: no membership).
    One IN over a UNION ALL of the designations and the administered organisations, not an OR of
    two INs: PostgreSQL cannot read an index through `IN (subquery) OR IN (list)`, so the OR
    scanned every grant of every organisation (issue 18)."""
    found = _finance_inputs(user)
    if found is None:
        return None
    return _finance_in(field, user.pk, *found)


@prepared
def _resilience_missing(*, user_id: int, member_of: list[int], admin_of: list[int],
                        year: int) -> QuerySet[Organisation]:
    # The year as a Value of a plain Field, not `year=year`: core.prepared's stand-in for an int
    # input is negative, and Django drops an integer lookup whose value is out of the field's
    # range (the exclusion vanished from the compiled SQL on SQLite), and on PostgreSQL it wraps
    # a small integer's value (psycopg's Int2), which core.prepared does not map back to the
    # input. Through a Value the parameter is passed as it is, with the same SQL (`year = %s`).
    return Organisation.objects.filter(_finance_in("pk", user_id, member_of, admin_of)).exclude(
        pk__in=ResilienceYear.objects.filter(year=Value(year, output_field=Field()))
        .values("organisation_id"))


def resilience_missing(user: User) -> Prepared | None:
    """The user's finance organisations with no resilience figures for last year (a prepared
    query, core.prepared; None: no membership, so no finance organisation)."""
    found = _finance_inputs(user)
    if found is None:
        return None
    member_of, admin_of = found
    return _resilience_missing(user_id=user.pk, member_of=member_of, admin_of=admin_of,
                               year=timezone.localdate().year - 1)


def home_resilience_missing(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """resilience_missing, by name."""
    qs = resilience_missing(user)
    if qs is None:
        return 0, []
    year = qs.inputs["year"]
    count, missing = count_and_page(qs, qs.order_by("name").values("pk", "name"), limit)
    url_of = url_maker("funding:resilience")
    return count, [QueueItem(
        label=o["name"], url=url_of(o["pk"]) + f"?year={year}",
        detail=_("Resilience figures for %(year)s are missing") % {"year": year})
        for o in missing]


@prepared
def _grants_ending(*, user_id: int, member_of: list[int], admin_of: list[int], start: date,
                   until: date) -> QuerySet[FundingRecord]:
    later = FundingRecord.objects.filter(
        organisation_id=OuterRef("organisation_id"), funder_id=OuterRef("funder_id"),
        status__in=[GrantStatus.APPLIED, GrantStatus.AWARDED, GrantStatus.RECEIVED],
        starts_on__gt=OuterRef("ends_on"))
    return FundingRecord.objects.filter(
        _finance_in("organisation_id", user_id, member_of, admin_of),
        ends_on__gte=start, ends_on__lte=until,
        status__in=[GrantStatus.AWARDED, GrantStatus.RECEIVED]).exclude(Exists(later))


def grants_ending(user: User) -> Prepared | None:
    """Grants of the user's finance organisations ending within 6 months with no follow-up (no
    grant from the same funder applied for or awarded that starts later). A prepared query
    (core.prepared); None: no membership."""
    found = _finance_inputs(user)
    if found is None:
        return None
    member_of, admin_of = found
    today = timezone.localdate()
    return _grants_ending(user_id=user.pk, member_of=member_of, admin_of=admin_of, start=today,
                          until=today + timedelta(days=183))


def home_grants_ending(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """grants_ending, soonest first."""
    qs = grants_ending(user)
    if qs is None:
        return 0, []
    soon = qs.inputs["start"] + timedelta(days=60)
    count, rows = count_and_page(qs, qs.order_by("ends_on", "pk").values(
        "pk", "title", "ends_on", "organisation__name"), limit)
    url_of = url_maker("funding:record")
    return count, [QueueItem(
        label=r["title"], url=url_of(r["pk"]), due=r["ends_on"],
        urgency=SOON if r["ends_on"] and r["ends_on"] <= soon else 0,
        detail=r["organisation__name"]) for r in rows]
