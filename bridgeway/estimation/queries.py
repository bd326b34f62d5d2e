"""Who may see which estimation work. Every read starts from the asking user:

- a network's coordinators start linkage runs over its members' encodings; its coordinators and
  researchers read the runs (counts only) and work with estimates;
- a researcher of any other organisation works with estimates from uploaded tables;
- a member organisation's supervisors and administrators manage its participation (secret,
  encodings) and, if the network allows it, see which of their cases are known elsewhere;
- an organisation's supervisors review duplicate candidates among its cases.

Anyone else gets 404 and learns nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgeway.core.prepared import Prepared, prepared
from bridgeway.core.queues import QueueItem, count_and_page, url_maker
from bridgeway.core.shortcuts import get_or_404
from bridgeway.estimation.models import (
    CandidatePair,
    DedupeRun,
    EncodingJob,
    EncodingSet,
    Estimate,
    LinkageMatch,
    LinkageRun,
    NetworkLinkageSettings,
    Participation,
    TaskStatus,
)
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import active_memberships, network_members, networks_of, orgs_where

COORDINATOR_ROLES = frozenset({Role.NETWORK_COORDINATOR})
ESTIMATE_ROLES = frozenset({Role.NETWORK_COORDINATOR, Role.RESEARCHER})
PARTICIPATION_ROLES = frozenset({Role.SUPERVISOR, Role.ORG_ADMIN})
DEDUPE_ROLES = frozenset({Role.SUPERVISOR})


def _one_of(orgs: list, pk: Any) -> Any:
    """The organisation `pk` if it is among `orgs`, else 404."""
    for org in orgs:
        if str(org.pk) == str(pk):
            return org
    raise Http404


# --- whose work ---------------------------------------------------------------------------

def coordinated_networks(user: Any) -> list:
    return [o for o in orgs_where(user, COORDINATOR_ROLES) if o.is_network]


def estimate_orgs(user: Any) -> list:
    """Organisations in whose name the user works with estimates: networks they coordinate or
    research for, and any organisation they are a researcher of."""
    seen: dict = {}
    for m in active_memberships(user):
        if m.role == Role.RESEARCHER or (m.role == Role.NETWORK_COORDINATOR
                                         and m.organisation.is_network):
            seen.setdefault(m.organisation_id, m.organisation)
    return list(seen.values())


def run_reader_networks(user: Any) -> list:
    return [o for o in estimate_orgs(user) if o.is_network]


def participant_orgs(user: Any) -> list:
    """Member organisations of some network where the user may manage participation (one
    query, none when the user holds no such role: the menu asks on every page)."""
    from bridgeway.orgs.models import NetworkMembership

    orgs = [o for o in orgs_where(user, PARTICIPATION_ROLES) if not o.is_network]
    if not orgs:
        return []
    in_networks = set(NetworkMembership.objects.filter(
        member__in=orgs, network__is_active=True).values_list("member_id", flat=True))
    return [o for o in orgs if o.pk in in_networks]


def dedupe_orgs(user: Any) -> list:
    return [o for o in orgs_where(user, DEDUPE_ROLES) if not o.is_network]


def has_estimation(user: Any) -> bool:
    """Whether the menu offers Estimation: read from the cached memberships only (no query on
    every page). An administrator of an organisation outside any network is offered it too; the
    page then says the organisation is in no network."""
    return bool(estimate_orgs(user) or dedupe_orgs(user)
                or [o for o in orgs_where(user, PARTICIPATION_ROLES) if not o.is_network])


def network_for_coordinator(user: Any, pk: Any) -> Organisation:
    return _one_of(coordinated_networks(user), pk)


def network_for_reader(user: Any, pk: Any) -> Organisation:
    return _one_of(run_reader_networks(user), pk)


def estimate_org_for_user(user: Any, pk: Any) -> Organisation:
    return _one_of(estimate_orgs(user), pk)


def participant_org_for_user(user: Any, pk: Any) -> Organisation:
    return _one_of(participant_orgs(user), pk)


def member_network_for(org: Organisation, pk: Any) -> Organisation:
    """One of the networks `org` is a member of, else 404."""
    return get_or_404(networks_of(org), pk=pk)


def dedupe_org_for_user(user: Any, pk: Any) -> Organisation:
    return _one_of(dedupe_orgs(user), pk)


def is_coordinator_of(user: Any, network: Organisation) -> bool:
    return any(o.pk == network.pk for o in coordinated_networks(user))


# --- network linkage ----------------------------------------------------------------------

def linkage_settings(network: Organisation) -> NetworkLinkageSettings:
    found = NetworkLinkageSettings.objects.filter(network=network).first()
    return found or NetworkLinkageSettings(network=network)


def participation_of(network: Organisation, org: Organisation) -> Participation:
    found = Participation.objects.filter(network=network, organisation=org).first()
    return found or Participation(network=network, organisation=org)


def latest_encodings(network: Organisation) -> list[EncodingSet]:
    """The newest encoding set of each list of the network: members that take part (their
    newest set, computed or uploaded) and off-platform lists, all made with the current
    secret."""
    enabled = set(Participation.objects.filter(network=network, enabled=True)
                  .values_list("organisation_id", flat=True))
    members = set(network_members(network).values_list("member_id", flat=True))
    # Only encodings made with the network's current secret (after a reset, older ones stay out).
    fingerprint = linkage_settings(network).fingerprint
    newest: dict[str, EncodingSet] = {}
    for enc in EncodingSet.objects.filter(network=network, fingerprint=fingerprint) \
            .defer("clks", "record_ids").select_related("organisation") \
            .order_by("-created_at", "-pk"):
        if enc.organisation_id and (enc.organisation_id not in enabled
                                    or enc.organisation_id not in members):
            continue
        newest.setdefault(enc.key, enc)
    return sorted(newest.values(), key=lambda e: list_label(e).casefold())


def list_label(enc: EncodingSet) -> str:
    return enc.organisation.name if enc.organisation is not None else enc.list_name


def member_rows(network: Organisation) -> list[dict]:
    """One row per member for the coordinator: takes part or not, secret entered, newest
    encodings (count and date). Counts only."""
    parts = {p.organisation_id: p for p in Participation.objects.filter(network=network)}
    newest = {e.organisation_id: e for e in latest_encodings(network) if e.organisation_id}
    rows = []
    for nm in network_members(network):
        part = parts.get(nm.member_id)
        rows.append({"organisation": nm.member, "enabled": bool(part and part.enabled),
                     "has_secret": bool(part and part.has_secret),
                     "encodings": newest.get(nm.member_id)})
    return rows


def offplatform_lists(network: Organisation) -> list[EncodingSet]:
    return [e for e in latest_encodings(network) if not e.organisation_id]


def runs_of(network: Organisation) -> QuerySet[LinkageRun]:
    return LinkageRun.objects.filter(network=network).select_related("created_by")


def run_for_user(user: Any, pk: Any) -> LinkageRun:
    networks = [o.pk for o in run_reader_networks(user)]
    run = get_or_404(LinkageRun.objects.select_related("network", "created_by")
                  .filter(network_id__in=networks), pk=pk)
    return run


def encoding_job_for_user(user: Any, pk: Any) -> EncodingJob:
    orgs = [o.pk for o in participant_orgs(user)]
    job = get_or_404(EncodingJob.objects.select_related("network", "organisation")
                  .filter(organisation_id__in=orgs), pk=pk)
    return job


def encoding_jobs_of(network: Organisation, org: Organisation) -> QuerySet[EncodingJob]:
    return EncodingJob.objects.filter(network=network, organisation=org)


def known_elsewhere(network: Organisation, org: Organisation) -> list[dict] | None:
    """The organisation's cases the newest finished run found in another list, for persons
    whose consent for statistics is recorded; None when the network does not share matches."""
    from bridgeway.protection.models import ConsentPurpose
    from bridgeway.protection.services import consent_check

    if not linkage_settings(network).share_matches:
        return None
    run = runs_of(network).filter(status=TaskStatus.DONE).first()
    if run is None:
        return []
    rows = []
    for match in LinkageMatch.objects.filter(run=run, organisation=org) \
            .select_related("case", "case__subject").order_by("case__reference"):
        subject = match.case.subject
        if subject is None or not consent_check(subject=subject,
                                                purpose=ConsentPurpose.STATISTICS).allowed:
            continue
        rows.append({"case": match.case, "others": match.others, "run": run})
    return rows


# --- estimates ----------------------------------------------------------------------------

def estimates_of(org: Organisation) -> QuerySet[Estimate]:
    return Estimate.objects.filter(organisation=org).select_related("created_by", "approved_by")


def estimate_for_user(user: Any, pk: Any) -> Estimate:
    orgs = [o.pk for o in estimate_orgs(user)]
    estimate = get_or_404(Estimate.objects.select_related("organisation", "run", "created_by",
                                                       "approved_by")
                       .filter(organisation_id__in=orgs), pk=pk)
    return estimate


def finished_runs_for(org: Organisation) -> QuerySet[LinkageRun]:
    """Runs whose capture histories `org` may estimate from: its own, when it is a network."""
    if not org.is_network:
        return LinkageRun.objects.none()
    return runs_of(org).filter(status=TaskStatus.DONE)


# --- duplicates within an organisation ------------------------------------------------------

def dedupe_runs_of(org: Organisation) -> QuerySet[DedupeRun]:
    return DedupeRun.objects.filter(organisation=org)


def dedupe_run_for_user(user: Any, pk: Any) -> DedupeRun:
    orgs = [o.pk for o in dedupe_orgs(user)]
    run = get_or_404(DedupeRun.objects.select_related("organisation")
                  .filter(organisation_id__in=orgs), pk=pk)
    return run


def pairs_of(run: DedupeRun) -> QuerySet[CandidatePair]:
    return run.pairs.select_related("case_a", "case_b", "decided_by")


def pair_for_user(user: Any, pk: Any) -> CandidatePair:
    orgs = [o.pk for o in dedupe_orgs(user)]
    return get_or_404(CandidatePair.objects.select_related("run", "run__organisation", "case_a",
                                                        "case_b")
                   .filter(run__organisation_id__in=orgs), pk=pk)


def pair_details(pair: CandidatePair) -> list[dict]:
    """Both persons side by side for the supervisor's review (decrypted in this request, so the
    access log records it)."""
    from bridgeway.cases.queries import personal_case_fields_of

    people = personal_case_fields_of([pair.case_a, pair.case_b])
    return [{"case": case, **people.get(case.pk, {})} for case in (pair.case_a, pair.case_b)]



# --- home queues (core.queues; registered in home.py) ----------------------------------------

@prepared
def _estimates_awaiting_approval(*, user_id: int, orgs: list[int]) -> QuerySet[Estimate]:
    return Estimate.objects.filter(organisation_id__in=orgs, status=TaskStatus.DONE,
                                   release=Estimate.Release.DRAFT).exclude(created_by_id=user_id)


def estimates_awaiting_approval(user: Any) -> Prepared | None:
    """Finished draft estimates of the organisations the user works with estimates for, that
    someone else ran (four eyes: nobody approves their own). A prepared query (core.prepared);
    None, without a statement, for people who work with no estimates."""
    orgs = sorted(o.pk for o in estimate_orgs(user))
    if not orgs:
        return None
    return _estimates_awaiting_approval(user_id=user.pk, orgs=orgs)


def home_estimates_to_approve(user: Any, limit: int) -> tuple[int, list[QueueItem]]:
    """Newest finished first. Labels carry the estimate's title and who ran it, no data."""
    qs = estimates_awaiting_approval(user)
    if qs is None:
        return 0, []
    count, rows = count_and_page(qs, qs.order_by("-finished_at", "-pk").values(
        "pk", "title", "finished_at", "organisation__name", "created_by__full_name"), limit)
    url_of = url_maker("estimation:estimate")
    return count, [QueueItem(
        label=_("Estimate “%(title)s”") % {"title": row["title"]},
        url=url_of(row["pk"]), since=row["finished_at"],
        detail=_("%(org)s, run by %(name)s") % {
            "org": row["organisation__name"], "name": row["created_by__full_name"] or "—"})
        for row in rows]


@prepared
def _dedupe_runs_to_review(*, orgs: list[int]) -> QuerySet[Any]:
    newest = DedupeRun.objects.filter(organisation_id=OuterRef("organisation_id"),
                                      status=TaskStatus.DONE).order_by("-created_at", "-pk")
    return DedupeRun.objects.filter(organisation_id__in=orgs, status=TaskStatus.DONE,
                                    pk=Subquery(newest.values("pk")[:1])) \
        .annotate(pending=Count("pairs", filter=Q(
            pairs__decision=CandidatePair.Decision.PENDING))).filter(pending__gt=0)


def dedupe_runs_to_review(user: Any) -> Prepared | None:
    """The newest finished duplicate check of each organisation the user supervises, while it
    has possible duplicates nobody has decided on. An older check's pairs are superseded by the
    newer one's. A prepared query (core.prepared); None, without a statement, for people who
    supervise nothing."""
    orgs = sorted(o.pk for o in dedupe_orgs(user))
    if not orgs:
        return None
    return _dedupe_runs_to_review(orgs=orgs)


def home_duplicates_to_review(user: Any, limit: int) -> tuple[int, list[QueueItem]]:
    """One line per organisation (its newest check), newest first: how many pairs wait."""
    qs = dedupe_runs_to_review(user)
    if qs is None:
        return 0, []
    count, rows = count_and_page(qs, qs.order_by("-finished_at", "-pk").values(
        "pk", "pending", "finished_at", "organisation__name"), limit)
    url_of = url_maker("estimation:dedupe_run")
    return count, [QueueItem(
        label=ngettext("%(n)d possible duplicate to review",
                       "%(n)d possible duplicates to review", row["pending"])
        % {"n": row["pending"]},
        url=url_of(row["pk"]), since=row["finished_at"],
        detail=str(row["organisation__name"]))
        for row in rows]
