from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgeway.core.queues import SOON, URGENT, QueueItem, capped_count, count_and_page
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import OrgType, Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import orgs_where
from bridgeway.protection import blind
from bridgeway.protection.models import (
    AccessLogEntry,
    AuditEvent,
    Consent,
    ConsentPurpose,
    DataSubject,
    ErasureRequest,
    SubjectIndex,
)
from bridgeway.protection.registry import KeyHolder, key_holders, subject_visibility_rules

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


def consents_by_purpose(subject: DataSubject, on: date | None = None) -> list[dict]:
    """A person's consents, one line per purpose: the consent in force for it now if there is
    one (as `consent_check` finds it), else the newest, with its state; every record of the
    purpose in `history`, newest first."""
    on = on or timezone.localdate()
    kinds = dict(OrgType.choices)
    lines: dict[str, dict] = {}
    for consent in Consent.objects.filter(subject=subject).select_related("recorded_by") \
            .order_by("-given_on", "-recorded_at"):
        line = lines.setdefault(consent.purpose, {"purpose": consent.purpose,
                                                  "label": consent.get_purpose_display(),
                                                  "shown": None, "state": "", "history": []})
        recipient = str(kinds.get(consent.recipient_type, consent.recipient_type))
        line["history"].append((consent, recipient))
        state = _consent_state(consent, on)
        if line["shown"] is None or (line["state"] != "given" and state == "given"):
            line["shown"], line["state"], line["recipient"] = consent, state, recipient
    order = list(ConsentPurpose.values)
    return sorted(lines.values(), key=lambda line: order.index(line["purpose"])
                  if line["purpose"] in order else len(order))


def _consent_state(consent: Consent, on: date) -> str:
    if consent.withdrawn_at is not None:
        return "withdrawn"
    if consent.expires_on is not None and consent.expires_on < on:
        return "expired"
    if consent.given_on > on:
        return "not_yet"
    return "given"


def audit_events_for_org(org: Organisation, *, action: str = "", actor_id: int | None = None,
                         since: date | None = None, until: date | None = None,
                         objects: list[tuple[str, str]] | None = None
                         ) -> QuerySet[AuditEvent]:
    """An organisation's events, newest first. The caller has checked the reader's role.
    `objects`: only events about these (model label, id) pairs (a reference's objects)."""
    qs = AuditEvent.objects.filter(organisation=org).select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if objects is not None:
        about = Q(pk__in=[])
        for model_label, pk in objects:
            about |= Q(object_type=model_label, object_id=pk)
        qs = qs.filter(about)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(since, time.min), tz))
    if until:
        qs = qs.filter(created_at__lte=timezone.make_aware(datetime.combine(until, time.max), tz))
    return qs.order_by("-seq")


# --- personal data -----------------------------------------------------------------------


CASE_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
SUBJECT_ROLES = CASE_ROLES | {Role.DPO}


def subjects_visible_to(user: User, roles: Iterable[str] = SUBJECT_ROLES) -> QuerySet[DataSubject]:
    """The persons the user may open while acting in one of `roles`: every person of an
    organisation where they are supervisor or data protection officer (the officer sees
    metadata); where they are only a caseworker, the persons the registered rules let them see
    (cases: a person of a case only if the case is theirs; see registry.py). One query, however
    many rules: each rule is a condition on the person row."""
    roles = frozenset(roles)
    whole = {o.pk for o in orgs_where(user, roles & {Role.SUPERVISOR, Role.DPO})}
    worked = {o.pk for o in orgs_where(user, roles & {Role.CASEWORKER})} - whole
    if not whole and not worked:
        return DataSubject.objects.none()
    visible = Q(organisation_id__in=whole)
    if worked:
        narrowed = Q(organisation_id__in=worked)
        for rule in subject_visibility_rules():
            narrowed &= rule(user)
        visible |= narrowed
    return DataSubject.objects.filter(visible)


def subject_for_user(user: User, pk: UUID | str, roles: Iterable[str] = SUBJECT_ROLES) -> DataSubject:
    """The person if the user may open it in one of `roles` (see `subjects_visible_to`);
    otherwise 404, the same for a person who does not exist and one who is not theirs."""
    return get_or_404(subjects_visible_to(user, roles).select_related("organisation"), pk=pk)


def sees_names(user: User, org: Organisation) -> bool:
    """Case roles see names; a data protection officer sees metadata only."""
    from bridgeway.orgs.queries import roles_in

    return bool(roles_in(user, org) & CASE_ROLES)


def sees_name_of(user: User, subject: DataSubject) -> bool:
    """Whether the user sees this person's name: a supervisor of its organisation, or a
    caseworker who may open it as a caseworker (a data protection officer who is also a
    caseworker there sees the names of their own cases' persons only)."""
    from bridgeway.orgs.queries import roles_in

    roles = roles_in(user, subject.organisation)
    if Role.SUPERVISOR in roles:
        return True
    if Role.CASEWORKER not in roles:
        return False
    return subjects_visible_to(user, [Role.CASEWORKER]).filter(pk=subject.pk).exists()


def access_log_for_org(org: Organisation, *, user_id: int | str | None = None, flagged: bool = False,
                       subject_id: UUID | None = None, subject_ids: list[UUID] | None = None,
                       screen: str = "", since: datetime | None = None,
                       until: datetime | None = None) -> QuerySet[AccessLogEntry]:
    qs = AccessLogEntry.objects.filter(organisation=org).select_related("user", "subject")
    if user_id:
        qs = qs.filter(user_id=user_id)
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    if subject_ids is not None:
        qs = qs.filter(subject_id__in=subject_ids)
    if screen:
        qs = qs.filter(screen=screen)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lte=until)
    if flagged:
        qs = qs.exclude(flags=[])
    return qs.order_by("-at")


def erasure_requests_for_org(org: Organisation, *, pending_only: bool = True) -> QuerySet[ErasureRequest]:
    qs = ErasureRequest.objects.filter(organisation=org).select_related("subject")
    if pending_only:
        qs = qs.filter(status=ErasureRequest.Status.PENDING)
    return qs


def erased_subjects() -> QuerySet:
    """The erased persons' ids, to leave out with `.exclude(subject_id__in=erased_subjects())`:
    read from a small partial index, so a list need not join every person to check."""
    return DataSubject.objects.filter(erased_at__isnull=False).values("pk")


# --- home queues (registered in protection/home.py) --------------------------------------------
# For the data protection officer: references, reasons, people's names of staff and dates only.


FLAGGED_ACCESS_DAYS = 31
SUBJECT_REQUEST_DAYS = 30  # GDPR art. 12(3): one month to act on a person's request


def erasure_requests_waiting(user: User) -> QuerySet[ErasureRequest] | None:
    """Pending erasure requests of the organisations where the user is the data protection
    officer (None: the user is nowhere)."""
    orgs = [o.pk for o in orgs_where(user, [Role.DPO])]
    if not orgs:
        return None
    return ErasureRequest.objects.filter(
        organisation_id__in=orgs, status=ErasureRequest.Status.PENDING).exclude(
        subject_id__in=erased_subjects())


def home_erasure_requests(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """Pending erasure requests of the organisations where the user is the data protection
    officer: a person's own request first (it has a legal deadline), then the oldest."""
    qs = erasure_requests_waiting(user)
    if qs is None:
        return 0, []
    own_request = ErasureRequest.Reason.SUBJECT_REQUEST
    count, rows = count_and_page(qs, qs.annotate(
        first=Case(When(reason=own_request, then=Value(0)), default=Value(1),
                   output_field=IntegerField()))
        .order_by("first", "requested_at")
        .values("pk", "organisation_id", "subject__reference", "reason", "requested_at"), limit)
    reasons = dict(ErasureRequest.Reason.choices)
    now = timezone.now()
    items = []
    for row in rows:
        due = row["requested_at"] + timedelta(days=SUBJECT_REQUEST_DAYS) \
            if row["reason"] == own_request else None
        items.append(QueueItem(
            label=_("Erasure of %(ref)s") % {"ref": row["subject__reference"]},
            url=f"{reverse('protection:retention')}?organisation={row['organisation_id']}",
            due=due, since=row["requested_at"],
            urgency=URGENT if due and due - now <= timedelta(days=7)
            else SOON if due else 0,
            detail=str(reasons.get(row["reason"], row["reason"]))))
    return count, items


ACCESS_REVIEWED = "protection.access.reviewed"


def access_reviewed_at(org_ids: Iterable[int]) -> dict[int, datetime]:
    """When each organisation's data protection officer last marked unusual access as reviewed."""
    return dict(AuditEvent.objects.filter(organisation_id__in=list(org_ids), action=ACCESS_REVIEWED)
                .values("organisation_id").annotate(last=Max("created_at"))
                .values_list("organisation_id", "last"))


def flagged_access_waiting(user: User) -> QuerySet[AccessLogEntry] | None:
    """Unusual reads of personal data (another organisation's people, many people in a short
    time) since the officer last marked them reviewed, at most the last month (None: the user is
    nobody's data protection officer). One statement (when each organisation last reviewed)."""
    orgs = [o.pk for o in orgs_where(user, [Role.DPO])]
    if not orgs:
        return None
    oldest = timezone.now() - timedelta(days=FLAGGED_ACCESS_DAYS)
    reviewed = access_reviewed_at(orgs)
    unseen = Q()
    for org_id in orgs:
        unseen |= Q(organisation_id=org_id, at__gt=max(oldest, reviewed.get(org_id, oldest)))
    return AccessLogEntry.objects.filter(unseen).exclude(flags=[])


def home_flagged_access(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """Unusual reads of personal data (flagged_access_waiting), grouped by the person who read,
    the latest first."""
    qs = flagged_access_waiting(user)
    if qs is None:
        return 0, []
    count = capped_count(qs)
    if not count or not limit:
        return count, []
    from django.contrib.auth import get_user_model

    # Grouped on the log's own columns (read index-only, protection_log_flagged), the name
    # looked up for the groups shown only, not joined to every flagged read.
    name = Subquery(get_user_model().objects.filter(pk=OuterRef("user_id")).order_by()
                    .values("full_name"))
    rows = (qs.values("organisation_id", "user_id").annotate(n=Count("pk"), last=Max("at"))
            .annotate(user_name=name).order_by("-last")[:limit])
    base = reverse("protection:access_log")
    return count, [QueueItem(
        label=_("Unusual access by %(name)s") % {"name": row["user_name"] or "—"},
        url=f"{base}?organisation={row['organisation_id']}&user={row['user_id']}&flagged=on",
        since=row["last"], urgency=SOON,
        detail=ngettext("%(n)s flagged read", "%(n)s flagged reads", row["n"]) % {"n": row["n"]})
        for row in rows]


def name_digests(org: Organisation, query: str, *, fuzzy: bool = True,
                 field: str = "display_name") -> tuple[str, list[str]]:
    """The blind-index kind and the digests a name search looks for: one per word of the query
    (by sound when fuzzy). Keyed HMACs, so they can be kept for a later page without the name."""
    kind = "phonetic" if fuzzy else "token"
    words = blind.tokens(query)
    return kind, sorted({blind.digest(org.pk, field, kind, blind.phonetic(w) if fuzzy else w)
                         for w in words})


def subject_ids_by_digests(org: Organisation, *, kind: str, digests: Iterable[str],
                           field: str = "display_name") -> QuerySet[SubjectIndex, Any]:
    """The ids of the organisation's subjects that have every one of `digests`, as a subquery of
    the blind index (one nested subquery per word), so the database intersects them and no list
    of ids travels through Python. Erasure deletes a subject's index entries, so an erased
    person never matches."""
    ids = SubjectIndex.objects.none().values("subject_id")
    for n, wanted in enumerate(digests):
        entries = SubjectIndex.objects.filter(organisation=org, field=field, kind=kind,
                                              digest=wanted)
        ids = (entries if n == 0 else entries.filter(subject_id__in=ids)).values("subject_id")
    return ids


def subjects_by_digests(org: Organisation, *, kind: str, digests: Iterable[str],
                        field: str = "display_name") -> QuerySet[DataSubject]:
    """The organisation's subjects that have every one of `digests`."""
    if not digests:
        return DataSubject.objects.none()
    return DataSubject.objects.filter(organisation=org, erased_at__isnull=True, pk__in=(
        subject_ids_by_digests(org, kind=kind, digests=digests, field=field)))


def subjects_by_name(org: Organisation, query: str, *, fuzzy: bool = True,
                     field: str = "display_name") -> QuerySet[DataSubject]:
    """The organisation's subjects whose name matches: every word of the query must match a word
    of the name (exactly, or by sound when fuzzy)."""
    kind, digests = name_digests(org, query, fuzzy=fuzzy, field=field)
    return subjects_by_digests(org, kind=kind, digests=digests, field=field)


def subjects_by_identifier(org: Organisation, field: str, value: str) -> QuerySet[DataSubject]:
    wanted = blind.digest(org.pk, field, "exact", blind.digits(value))
    return DataSubject.objects.filter(
        organisation=org, erased_at__isnull=True,
        pk__in=SubjectIndex.objects.filter(organisation=org, field=field, kind="exact",
                                           digest=wanted).values("subject_id"))


def possible_duplicates(org: Organisation, display_name: str) -> QuerySet[DataSubject]:
    """Subjects of the organisation whose name sounds the same: a warning at intake."""
    return subjects_by_name(org, display_name, fuzzy=True)


def wrapped_key_holders() -> list[KeyHolder]:
    """The persons' data keys first, then every other model that keeps a wrapped data key of
    its own (protection.registry.register_key_holder)."""
    return [KeyHolder(DataSubject, lambda subject: str(subject.pk)),
            *key_holders()]


def key_usage(organisation: Organisation | None = None) -> list[dict]:
    """How many data keys each key-encryption key wraps: persons' and every other holder's
    (`wrapped_key_holders`), so that a key is never removed while anything
    still needs it. With `organisation`, only its own records."""
    # One statement whatever the number of holders: their counts joined with UNION ALL. The
    # names come from the models' own metadata, the organisation as a parameter.
    selects, params = [], []
    for holder in wrapped_key_holders():
        meta = holder.model._meta
        table = connection.ops.quote_name(meta.db_table)
        where = "wrapped_key IS NOT NULL"
        if organisation is not None:
            column = meta.get_field(holder.organisation_field).column
            where += f" AND {connection.ops.quote_name(column)} = %s"
            params.append(organisation.pk)
        selects.append(f"SELECT kek_id, COUNT(*) FROM {table} WHERE {where} "  # noqa: S608
                       "GROUP BY kek_id")  # (names are the models' own, quoted)
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for kek_id, n in cursor.fetchall():
            counts[kek_id] = counts.get(kek_id, 0) + n
    return [{"kek_id": kek_id, "subjects": n, "loaded": kek_id in settings.BRIDGEWAY_KEKS}
            for kek_id, n in sorted(counts.items())]
