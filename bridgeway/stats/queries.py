"""Who may work with which statistics store. An organisation's supervisors and administrators
import into and export from their own store; a network's coordinators and administrators import
published data into the network's. Anyone else gets 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import active_memberships, roles_in
from bridgeway.stats.models import (
    BudgetEntry,
    Dataset,
    ExportJob,
    ImportJob,
    PrivacyBudget,
    Release,
)

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

ORG_ROLES = frozenset({Role.SUPERVISOR, Role.ORG_ADMIN})
NETWORK_ROLES = frozenset({Role.NETWORK_COORDINATOR, Role.ORG_ADMIN})
# Personal fields in an export: supervisors only (they see every case of the organisation).
PERSONAL_EXPORT_ROLES = frozenset({Role.SUPERVISOR})


def stats_orgs(user: User) -> list:
    seen: dict = {}
    for m in active_memberships(user):
        allowed = NETWORK_ROLES if m.organisation.is_network else ORG_ROLES
        if m.role in allowed:
            seen.setdefault(m.organisation_id, m.organisation)
    return list(seen.values())


def stats_org_for_user(user: User, pk: int | str) -> Organisation:
    for org in stats_orgs(user):
        if str(org.pk) == str(pk):
            return org
    raise Http404


def stats_org_from_request(request: HttpRequest) -> tuple[Organisation, list[Organisation]]:
    orgs = stats_orgs(cast("User", request.user))  # anonymous: no memberships, 404
    if not orgs:
        raise Http404
    wanted = request.GET.get("organisation") or request.POST.get("organisation")
    for org in orgs:
        if wanted in (None, "", str(org.pk)):
            return org, orgs
    raise Http404


def may_export_personal(user: User, org: Organisation) -> bool:
    return not org.is_network and bool(roles_in(user, org) & PERSONAL_EXPORT_ROLES)


def datasets_of(org: Organisation) -> QuerySet[Dataset]:
    return Dataset.objects.filter(organisation=org).order_by("-created_at")


def jobs_of(org: Organisation) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organisation=org).order_by("-created_at")


def job_for_user(user: User, pk: int | str) -> ImportJob:
    orgs = [o.pk for o in stats_orgs(user)]
    return get_or_404(ImportJob.objects.select_related("organisation", "dataset"),
                      pk=pk, organisation_id__in=orgs)


def export_job_for_user(user: User, pk: int | str) -> ExportJob:
    """An export job, for the person who asked for it only, while they still work with
    statistics for its organisation (personal data may be in it): anyone else gets a 404."""
    orgs = [o.pk for o in stats_orgs(user)]
    return get_or_404(ExportJob.objects.select_related("organisation"), pk=pk,
                      organisation_id__in=orgs, created_by_id=user.pk)


def dataset_for_org(org: Organisation, pk: int | str) -> Dataset:
    return get_or_404(Dataset.objects.all(), organisation=org, pk=pk)


def releases_of(org: Organisation) -> QuerySet[Release]:
    return Release.objects.filter(organisation=org).select_related("dataset", "created_by",
                                                                     "approved_by")


def release_for_user(user: User, pk: int | str) -> Release:
    orgs = [o.pk for o in stats_orgs(user)]
    return get_or_404(Release.objects.select_related("organisation", "dataset", "created_by",
                                                     "approved_by"),
                      pk=pk, organisation_id__in=orgs)


def budget_ledger_of(org: Organisation) -> QuerySet[BudgetEntry]:
    """Every spending of ε on the organisation's datasets, newest first."""
    return (BudgetEntry.objects.filter(budget__dataset__organisation=org)
            .select_related("budget__dataset", "spent_by", "release").order_by("-spent_at", "-pk"))


def budget_of(dataset: Dataset) -> PrivacyBudget:
    budget, _created = PrivacyBudget.objects.get_or_create(dataset=dataset)
    return budget


def budget_spent(budget: PrivacyBudget) -> float:
    return float(sum(e.epsilon for e in budget.entries.all()))


def published_releases() -> QuerySet[Release]:
    """Releases anyone may read, without signing in: published ones only, newest first."""
    return (Release.objects.filter(status=Release.Status.PUBLISHED)
            .select_related("organisation").order_by("-published_at", "-pk"))


def published_release(pk: int | str) -> Release:
    return get_or_404(published_releases(), pk=pk)
