"""Reads, scoped to the asking user (404 for what they may not see).

Who sees what:
- a network's coordinators and administrators ("coordinators") see the network's surveys, every
  submission, free-text answers and the aggregates;
- people of an invited member organisation (any role) see the survey once it is open or closed,
  and their own organisation's answers (or only their own, when the survey takes one answer per
  person);
- everyone else gets a 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from bridgeway.core.prepared import Prepared, prepared
from bridgeway.core.queues import NORMAL, SOON, URGENT, QueueItem, count_and_page, url_maker
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import active_memberships
from bridgeway.surveys.codes import Scope, SubmissionStatus, SurveyStatus
from bridgeway.surveys.models import FormVersion, Submission, Survey, SurveyInvitation

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

COORDINATOR_ROLES = {Role.ORG_ADMIN, Role.NETWORK_COORDINATOR}


def coordinated_networks(user: User) -> list[Organisation]:
    """The CSO networks where the user is a coordinator or administrator."""
    seen: dict[int, Organisation] = {}
    for m in active_memberships(user):
        if m.role in COORDINATOR_ROLES and m.organisation.is_network:
            seen.setdefault(m.organisation_id, m.organisation)
    return list(seen.values())


def own_org_ids(user: User) -> set[int]:
    return {m.organisation_id for m in active_memberships(user)}


def surveys_visible_to(user: User) -> QuerySet[Survey]:
    if not getattr(user, "is_authenticated", False):
        return Survey.objects.none()
    managed = [n.pk for n in coordinated_networks(user)]
    invited = SurveyInvitation.objects.filter(organisation_id__in=own_org_ids(user)).values(
        "survey_id")
    return Survey.objects.filter(
        Q(network_id__in=managed)
        | Q(pk__in=invited, status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])
    ).select_related("network", "current_version")


def survey_for_user(user: User, pk: int | str) -> Survey:
    return get_or_404(surveys_visible_to(user), pk=pk)


def may_coordinate(user: User, survey: Survey) -> bool:
    return any(m.organisation_id == survey.network_id and m.role in COORDINATOR_ROLES
               for m in active_memberships(user))


def survey_to_coordinate(user: User, pk: int | str) -> Survey:
    """The survey for its coordinators; a 404 for anyone else (members included)."""
    survey = survey_for_user(user, pk)
    if not may_coordinate(user, survey):
        from django.http import Http404
        raise Http404
    return survey


def respondent_orgs(user: User, survey: Survey) -> list[Organisation]:
    """The user's organisations invited to answer this survey."""
    invited = set(SurveyInvitation.objects.filter(survey=survey).values_list("organisation_id",
                                                                              flat=True))
    seen: dict[int, Organisation] = {}
    for m in active_memberships(user):
        if m.organisation_id in invited:
            seen.setdefault(m.organisation_id, m.organisation)
    return list(seen.values())


def owner_key(survey: Survey, organisation: Organisation, user: User) -> str:
    if survey.scope == Scope.PERSON:
        return f"person:{organisation.pk}:{user.pk}"
    return f"org:{organisation.pk}"


def own_submission(user: User, survey: Survey, organisation: Organisation) -> Submission | None:
    return (Submission.objects.filter(survey=survey,
                                      owner_key=owner_key(survey, organisation, user))
            .select_related("version").first())


def submissions_for_coordinator(survey: Survey) -> QuerySet[Submission]:
    return Submission.objects.filter(survey=survey).select_related("organisation", "version")


def submission_for_user(user: User, survey: Survey, pk: int | str) -> Submission:
    """Coordinators see every submission; respondents their own organisation's (or their own)."""
    qs = Submission.objects.filter(survey=survey).select_related("organisation", "version")
    if not may_coordinate(user, survey):
        if survey.scope == Scope.PERSON:
            qs = qs.filter(respondent=user, organisation_id__in=own_org_ids(user))
        else:
            qs = qs.filter(organisation_id__in=own_org_ids(user))
    return get_or_404(qs, pk=pk)


def versions_of(survey: Survey) -> QuerySet[FormVersion]:
    return FormVersion.objects.filter(survey=survey).defer("xlsform", "xform").order_by("number")


def version_of(survey: Survey, pk: int | str) -> FormVersion:
    return get_or_404(FormVersion.objects.filter(survey=survey), pk=pk)


def invited_orgs(survey: Survey) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=SurveyInvitation.objects.filter(survey=survey).values("organisation_id"))


def network_member_orgs(network: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(network_memberships__network=network, is_active=True)


def answered_org_ids(survey: Survey) -> set[int]:
    return set(Submission.objects.filter(survey=survey, status=SubmissionStatus.SUBMITTED)
               .values_list("organisation_id", flat=True))


# --- home queues ------------------------------------------------------------------------------

def _unanswered(own: list[int]) -> QuerySet[SurveyInvitation]:
    """Invitations of the organisations `own` to open surveys they have not submitted yet (the
    condition of both prepared builders below)."""
    answered = Submission.objects.filter(survey_id=OuterRef("survey_id"),
                                         organisation_id=OuterRef("organisation_id"),
                                         status=SubmissionStatus.SUBMITTED)
    return (SurveyInvitation.objects
            .filter(organisation_id__in=own, survey__status=SurveyStatus.OPEN)
            .exclude(Exists(answered)))


@prepared
def _invitations_to_answer(*, own: list[int]) -> QuerySet[SurveyInvitation]:
    return _unanswered(own)


@prepared
def _surveys_to_answer(*, own: list[int]) -> QuerySet:
    return _unanswered(own).values("survey_id").distinct()


def invitations_to_answer(user: User) -> Prepared | None:
    """Invitations of the user's organisations to open surveys they have not submitted yet
    (None: the user belongs nowhere). A prepared query (core.prepared)."""
    own = sorted(own_org_ids(user))
    if not own:
        return None
    return _invitations_to_answer(own=own)


def surveys_to_answer(user: User) -> Prepared | None:
    """The surveys of invitations_to_answer, each once."""
    own = sorted(own_org_ids(user))
    if not own:
        return None
    return _surveys_to_answer(own=own)


def home_surveys_to_answer(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """Open surveys the user's organisations are invited to and have not submitted yet; nearest
    deadline first (surveys without a deadline last), then newest."""
    own = sorted(own_org_ids(user))
    if not own:
        return 0, []
    now = timezone.now()
    count_qs = _surveys_to_answer(own=own)
    page_qs = _invitations_to_answer(own=own).order_by(
        "survey__deadline", "-survey__created_at").values(
        "survey_id", "survey__title", "survey__deadline", "survey__created_at",
        "organisation__name")

    url_of = url_maker("surveys:detail")
    def item(row: dict) -> QueueItem:
        deadline = row["survey__deadline"]
        urgency = NORMAL
        if deadline is not None:
            if deadline < now:
                urgency = URGENT
            elif deadline < now + timedelta(days=3):
                urgency = SOON
        return QueueItem(label=row["survey__title"], url=url_of(row["survey_id"]),
                         urgency=urgency, due=deadline, since=row["survey__created_at"],
                         detail=row["organisation__name"])

    count, rows = count_and_page(count_qs, page_qs, limit)
    return count, [item(r) for r in rows]


@prepared
def _submissions_to_review(*, managed: list[int], since: datetime) -> QuerySet[Submission]:
    return Submission.objects.filter(survey__network_id__in=managed,
                                     status=SubmissionStatus.SUBMITTED, submitted_at__gte=since)


def submissions_to_review(user: User) -> Prepared | None:
    """Submissions that arrived in the last 14 days on the surveys the user coordinates (None:
    the user coordinates none). A prepared query (core.prepared)."""
    managed = sorted(n.pk for n in coordinated_networks(user))
    if not managed:
        return None
    return _submissions_to_review(managed=managed, since=timezone.now() - timedelta(days=14))


def home_submissions_to_review(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """submissions_to_review, newest first (a list to look through, not counted on Home)."""
    qs = submissions_to_review(user)
    if qs is None:
        return 0, []
    page_qs = qs.order_by("-submitted_at").values("pk", "survey_id", "survey__title",
                                                  "organisation__name", "submitted_at")
    count, rows = count_and_page(qs, page_qs, limit)
    url_of = url_maker("surveys:submission")
    return count, [QueueItem(label=r["survey__title"],
                             url=url_of(r["survey_id"], r["pk"]),
                             since=r["submitted_at"], detail=r["organisation__name"])
                   for r in rows]


def surveys_menu(user: User) -> bool:
    rows = surveys_menu_rows(user)
    return rows if isinstance(rows, bool) else rows.exists()


@prepared
def _invited(*, own: list[int]) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(organisation_id__in=own)


def surveys_menu_rows(user: User) -> bool | Prepared:
    """surveys_menu as the menu asks it: the answer when the memberships give it, else the rows
    whose existence gives it (asked with the menu's counts in one statement)."""
    if coordinated_networks(user):
        return True
    own = own_org_ids(user)
    if not own:
        return False
    return _invited(own=sorted(own))


