"""Reads of referrals, always scoped to the asking user.

Sender side: people who can see the referred case (and the sender's supervisors, who follow the
status after a transfer). Recipient side: caseworkers and supervisors of a receiving CSO, or the
agency points of contact of a receiving agency. Everyone else gets 404."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgeway.cases.queries import case_ids_assigned_to, cases_visible_to, shared_case_data
from bridgeway.core.prepared import Prepared, prepared
from bridgeway.core.queues import COUNT_CAP, SOON, URGENT, QueueItem, count_and_page, url_maker
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import AGENCY_TYPES, Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import active_memberships, orgs_where, roles_in
from bridgeway.protection.models import EncryptedDocument
from bridgeway.protection.queries import erased_subjects
from bridgeway.referrals.codes import (
    ACTIVE_STATUSES,
    Section,
    Status,
    Urgency,
)
from bridgeway.referrals.models import MessageReceipt, Referral, ReferralMessage, ReferralSettings

# The statistics are a read other apps call (the stats dashboard): reached through queries.
from bridgeway.referrals.statistics import referral_statistics as referral_statistics

if TYPE_CHECKING:
    from bridgeway.accounts.models import User
    from bridgeway.cases.models import Case

SENDER = "sender"
RECIPIENT = "recipient"


def receiving_org_ids(user: User) -> set[int]:
    ids = set()
    for m in active_memberships(user):
        agency = m.organisation.org_type in AGENCY_TYPES
        if (agency and m.role == Role.AGENCY_POC) or \
                (not agency and m.role in (Role.CASEWORKER, Role.SUPERVISOR)):
            ids.add(m.organisation_id)
    return ids


def incoming_for(user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(recipient_id__in=receiving_org_ids(user))


def outgoing_for(user: User) -> QuerySet[Referral]:
    supervised = [o.pk for o in orgs_where(user, [Role.SUPERVISOR])]
    return Referral.objects.filter(Q(case__in=cases_visible_to(user).values("pk"))
                                   | Q(sender_id__in=supervised))


def referral_for_user(user: User, pk: UUID | str) -> tuple[Referral, str]:
    """The referral and the side the user is on; 404 for anyone else. Whether the user is on
    the sending side is asked in the same statement as the referral (an EXISTS over the same
    rule as `outgoing_for`), not in a second one."""
    referral = get_or_404(Referral.objects.select_related(
        "case", "subject", "sender", "recipient", "created_by", "answered_by", "recipient_case")
        .annotate(sent_by_user=Exists(outgoing_for(user).filter(pk=OuterRef("pk")))),
        pk=pk)
    if referral.sent_by_user:
        return referral, SENDER
    if referral.recipient_id in receiving_org_ids(user):
        return referral, RECIPIENT
    raise Http404


def shares_now(referral: Referral) -> bool:
    return referral.status in ACTIVE_STATUSES and not referral.subject.is_erased


def shared_sections(referral: Referral) -> dict:
    """The chosen sections, read live from the sender's case; {} once the referral is over."""
    if not shares_now(referral):
        return {}
    case = referral.case
    if case.subject_id == referral.subject_id:
        case.subject = referral.subject  # loaded with the referral: the shared rows decrypt with it
    data = shared_case_data(case, referral.sections)
    if "victim_context" in data:
        _label_codes(data["victim_context"])
    if Section.NEEDS in referral.sections:
        data["needs"]["services_requested"] = list(referral.services)
        data["needs"]["services_requested_labels"] = referral.service_labels()
    if Section.DOCUMENTS in referral.sections:
        data["documents"] = [{"id": d.pk, "content_type": d.content_type, "size": d.size,
                              "uploaded_at": d.uploaded_at}
                             for d in shared_case_documents(referral)]
    return data


def _label_codes(ctx: dict) -> None:
    """Labels for the coded fields, in the active language (the reader's UI language, or the
    language chosen for a package)."""
    from bridgeway.cases import codes

    def label(choices: type[TextChoices], code: str) -> str:
        return str(choices(code).label) if code in choices.values else (code or "")

    ctx["trafficking_status_label"] = label(codes.TraffickingStatus, ctx["trafficking_status"])
    ctx["exploitation_type_labels"] = [label(codes.Exploitation, c)
                                       for c in ctx["exploitation_types"]]
    ctx["recruitment_method_labels"] = [label(codes.RecruitmentMethod, c)
                                        for c in ctx["recruitment_methods"]]
    ctx["control_method_labels"] = [label(codes.ControlMethod, c) for c in ctx["control_methods"]]
    ctx["relationship_label"] = label(codes.Relationship, ctx["relationship_to_trafficker"])
    for event in ctx["events"]:
        event["kind_label"] = label(codes.EventKind, event["kind"])


def shared_case_documents(referral: Referral) -> QuerySet[EncryptedDocument]:
    # Message attachments belong to the thread, not to the documents a referral shares.
    return EncryptedDocument.objects.filter(subject=referral.subject).exclude(
        pk__in=ReferralMessage.objects.filter(attachment__isnull=False).values("attachment_id"))


def shared_document(referral: Referral, document_id: UUID | str) -> EncryptedDocument:
    if not shares_now(referral) or Section.DOCUMENTS not in referral.sections:
        raise Http404
    return get_or_404(shared_case_documents(referral).select_related("subject"), pk=document_id)


def case_page_referrals(user: User, case: Case) -> tuple[list[Referral], Referral | None]:
    """For the case page's referral panel: the referrals sent from this case (newest first) and
    the newest active referral whose linked case this is, if the user is on its receiving side.
    Asked on every case page, and most cases are nobody's linked case: both are read in one
    statement, the linked referral with its relations in a second only when there is one
    the user receives."""
    rows = list(Referral.objects.filter(
        Q(case=case) | Q(recipient_case=case, status__in=ACTIVE_STATUSES))
        .select_related("recipient").order_by("-sent_at"))
    candidate = next((r for r in rows if r.recipient_case_id == case.pk
                      and r.status in ACTIVE_STATUSES), None)
    linked = None
    if candidate is not None and candidate.recipient_id in receiving_org_ids(user):
        linked = Referral.objects.select_related("case", "subject", "sender", "recipient").get(
            pk=candidate.pk)
    return [r for r in rows if r.case_id == case.pk], linked


def is_overdue(referral: Referral) -> bool:
    return referral.status == "pending" and referral.deadline <= timezone.now()


def may_answer(user: User, referral: Referral) -> bool:

    return bool(roles_in(user, referral.recipient) & recipient_roles(referral.recipient))


# --- home queues (registered in referrals/home.py) ---------------------------------------------
# References, organisations, urgency and deadlines only: nothing decrypted, nothing logged.

@prepared
def _incoming_waiting(*, receiving: list[int]) -> QuerySet[Referral]:
    return Referral.objects.filter(recipient_id__in=receiving, status=Status.PENDING).exclude(
        subject_id__in=erased_subjects())


def incoming_waiting(user: User) -> Prepared | None:
    """Referrals to the user's receiving organisations waiting for an answer (None: the user
    receives none)."""
    receiving = sorted(receiving_org_ids(user))
    if not receiving:
        return None
    return _incoming_waiting(receiving=receiving)


def home_incoming(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """Referrals to the user's receiving organisations waiting for an answer, nearest deadline
    first. Revoked, expired or answered ones, and those about an erased person, are gone."""
    qs = incoming_waiting(user)
    if qs is None:
        return 0, []
    count, rows = count_and_page(qs, qs.order_by("deadline", "-sent_at").values(
        "pk", "reference", "deadline", "sent_at", "urgency", "sender__name"), limit)
    now = timezone.now()
    soon = now + timedelta(hours=24)
    urgencies = dict(Urgency.choices)
    url_of = url_maker("referrals:detail")
    return count, [QueueItem(
        label=row["reference"], url=url_of(row["pk"]),
        due=row["deadline"], since=row["sent_at"],
        urgency=URGENT if row["deadline"] <= now or row["urgency"] == Urgency.URGENT
        else SOON if row["deadline"] <= soon else 0,
        detail=_("from %(org)s · %(urgency)s") % {
            "org": row["sender__name"], "urgency": urgencies.get(row["urgency"], "")})
        for row in rows]


def home_unread_messages(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """The user's unread referral messages (unread_messages), grouped by referral, newest
    first."""
    every = unread_messages(user)
    if every is None:
        return 0, []
    # The newest unread messages, as many as the count goes (COUNT_CAP + 1) or a few per line
    # shown, grouped here: one statement, and grouping every unread message by referral in SQL
    # would read them all.
    newest = list(every.order_by("-created_at")[:max(COUNT_CAP + 1, limit * 10)])
    count = len(newest)
    lines: dict = {}
    for row in newest[:limit * 10]:
        line = lines.get(row["referral_id"])
        if line is None:
            if len(lines) == limit:
                continue
            lines[row["referral_id"]] = line = dict(row, n=0)
        line["n"] += 1
    # Per line, the unread messages among the newest read here (all of them unless one thread
    # holds dozens).
    url_of = url_maker("referrals:detail")
    return count, [QueueItem(
        label=line["referral__reference"],
        url=url_of(line["referral_id"]) + "#thread-h",
        since=line["created_at"],
        detail=ngettext("%(n)s unread message", "%(n)s unread messages", line["n"])
        % {"n": line["n"]})
        for line in lines.values()]


def unread_messages(user: User) -> Prepared | None:
    """Messages from the other side of a referral the user is on that they have not read yet
    (None: the user's roles open no referral thread). Threads the user no longer reads (a revoked referral on
    the recipient's side, an erased person) are left out.

    The user's referrals are taken in disjoint branches, each a plain condition PostgreSQL
    answers from an index (one OR across them made it scan every case): the recipient's side;
    the sender's side as a supervisor of the sending organisation; the sender's side as a
    caseworker assigned to the referred case. One count and one page per branch the user's roles
    open: the number of statements depends on the roles, never on the queue's size."""
    receiving = sorted(receiving_org_ids(user))
    supervised = sorted(o.pk for o in orgs_where(user, [Role.SUPERVISOR]))
    worked = sorted(o.pk for o in orgs_where(user, [Role.CASEWORKER]) if o.pk not in supervised)
    if not receiving and not supervised and not worked:
        return None
    return _unread_messages(user_id=user.pk, receiving=receiving, supervised=supervised,
                            worked=worked)


@prepared
def _unread_messages(*, user_id: int, receiving: list[int], supervised: list[int],
                     worked: list[int]) -> QuerySet:
    from bridgeway.referrals.thread import RECIPIENT_READS

    branches = []
    if receiving:
        branches.append(Q(side=SENDER, referral__recipient_id__in=receiving,
                          referral__status__in=RECIPIENT_READS))
    if supervised:
        branches.append(Q(side=RECIPIENT, referral__sender_id__in=supervised))
    if worked:
        assigned = case_ids_assigned_to(user_id)
        branches.append(Q(side=RECIPIENT, referral__case_id__in=assigned,
                          referral__case__organisation_id__in=worked)
                        & ~Q(referral__sender_id__in=supervised))
    unread = ~Exists(MessageReceipt.objects.filter(message=OuterRef("pk"), user_id=user_id))
    parts = [ReferralMessage.objects.filter(branch, unread).exclude(author_id=user_id)
             .exclude(referral__subject_id__in=erased_subjects())
             .order_by().values("referral_id", "referral__reference", "created_at")
             for branch in branches]
    # One statement for all branches (they are disjoint): UNION ALL of plain index reads.
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def settings_for(org: Organisation) -> ReferralSettings:
    return ReferralSettings.objects.filter(organisation=org).first() or \
        ReferralSettings(organisation=org)


def recipient_roles(org: Organisation) -> frozenset[str]:
    """Who answers referrals for an organisation: its agency points of contact if it is an
    agency, its caseworkers and supervisors otherwise."""
    if org.org_type in AGENCY_TYPES:
        return frozenset({Role.AGENCY_POC})
    return frozenset({Role.CASEWORKER, Role.SUPERVISOR})
