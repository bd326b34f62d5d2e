"""Writes for personal-data protection: subjects and their keys, blind indexes, consent,
documents, retention and erasure, key rotation. Each writes its audit event; none puts personal
data into the audit payload."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.orgs.codes import OrgType
from bridgeway.orgs.models import Organisation
from bridgeway.protection import blind, crypto, documents
from bridgeway.protection.audit import audit_record
from bridgeway.protection.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    DataSubject,
    EncryptedDocument,
    ErasureRequest,
    OrganisationKey,
    RetentionPolicy,
    SubjectIndex,
)
from bridgeway.protection.queries import wrapped_key_holders
from bridgeway.protection.registry import erasure_hooks, reindex_hooks, retention_rules

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# An organisation's own KEK id (or None: the platform's active one), kept in each server process
# for a short while: every new subject and sealed record asks for it, and it changes only when an
# operator runs keys_assign_org. A change in this process is seen at once (signals in apps.py);
# other processes see it within KEK_ID_SECONDS, and keys_rotate --org waits that long after the
# assignment before it re-wraps, so no subject is left behind under the old key.
KEK_ID_SECONDS = 30.0
_own_kek_ids: dict[int, tuple[float, str | None]] = {}


def kek_id_for(org: Organisation) -> str:
    now = time.monotonic()
    kept = _own_kek_ids.get(org.pk)
    if kept is not None and kept[0] > now:
        own = kept[1]
    else:
        own = OrganisationKey.objects.filter(organisation=org).values_list(
            "kek_id", flat=True).first()
        if len(_own_kek_ids) > 10_000:
            _own_kek_ids.clear()
        _own_kek_ids[org.pk] = (now + KEK_ID_SECONDS, own)
    return own or settings.BRIDGEWAY_KEK_ACTIVE


def forget_kek_ids(**_kwargs: object) -> None:
    _own_kek_ids.clear()


def _new_reference(*, check: bool = True) -> str:
    """7 characters of 32 (35 bits). `check=False` draws without asking the database, for a
    caller that retries its whole transaction when the unique constraint refuses a repeat."""
    while True:
        ref = "P-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(7))
        if not check or not DataSubject.objects.filter(reference=ref).exists():
            return ref


# --- subjects ----------------------------------------------------------------------------

def subject_create(*, org: Organisation, actor: User, display_name: str,
                   retention_anchor: date | None = None, audit: bool = True,
                   index_name: bool = True, caller_retries: bool = False) -> DataSubject:
    """Registers a person with a fresh data key. Modules (cases, helpline) call this at intake.
    `audit=False` only where the caller's own event records the same act in the same
    transaction (the helpline's received contact). `index_name=False` where the display name
    is no name but the caller's own reference (a helpline contact's), found by that reference:
    no blind-index entries to search it by name. `caller_retries=True` where the caller runs
    in its own transaction and makes it again on IntegrityError (the helpline's public form):
    the subject's reference is then drawn without asking the database first.

    The writes share the caller's transaction without a savepoint of their own (one when
    called outside any): if one fails, the caller's whole transaction is rolled back, never
    continued with half a subject. Bad input is refused before anything is written."""
    display_name = blind.clean(display_name)
    if not display_name:
        raise ValidationError({"display_name": [_("Enter the name the person gave.")]})
    if len(display_name) > 200:
        raise ValidationError({"display_name": [_("The name is longer than 200 characters.")]})
    with transaction.atomic(savepoint=False):
        key_id = kek_id_for(org)
        subject = DataSubject(organisation=org, created_by=actor, kek_id=key_id,
                              reference=_new_reference(check=not caller_retries))
        data_key = crypto.new_data_key()
        subject.wrapped_key = crypto.wrap_data_key(data_key, key_id=key_id,
                                                   subject_id=str(subject.pk))
        subject._data_key = data_key
        subject.display_name = display_name
        subject.retention_anchor = retention_anchor
        subject.save(force_insert=True)
        # A new subject has no index entries yet: nothing to replace (index_set deletes first).
        if index_name:
            SubjectIndex.objects.bulk_create([
                SubjectIndex(subject=subject, organisation_id=org.pk, field="display_name",
                             kind=k, digest=d)
                for k, d in blind.name_entries(org.pk, "display_name", display_name)
            ])
        if audit:
            audit_record(action="protection.subject.created", actor=actor, organisation=org,
                         obj=subject)
    return subject


def index_set(*, subject: DataSubject, field: str, value: str | None, kind: str) -> None:
    """Replaces the blind-index entries of one field of a subject."""
    SubjectIndex.objects.filter(subject=subject, field=field).delete()
    if not value:
        return
    make = blind.name_entries if kind == "name" else blind.identifier_entries
    SubjectIndex.objects.bulk_create([
        SubjectIndex(subject=subject, organisation_id=subject.organisation_id, field=field,
                     kind=k, digest=d)
        for k, d in make(subject.organisation_id, field, value)
    ])


@transaction.atomic
def subject_reindex(*, subject: DataSubject) -> bool:
    """Rebuilds a subject's blind indexes from its stored values after the normal form changed
    (e.g. invisible characters now removed): the name is cleaned and stored again, the modules
    clean their own values (see registry.register_reindex) and every indexed field is recomputed.
    An erased subject has nothing left to index. True when the subject was reindexed."""
    subject = DataSubject.objects.select_for_update().get(pk=subject.pk)
    if subject.is_erased:
        return False
    name = blind.clean(subject.display_name or "")
    if name and name != subject.display_name:
        subject.display_name = name
        subject.save(update_fields=["display_name"])
    values: dict[str, tuple[str | None, str]] = {"display_name": (name or None, "name")}
    for hook in reindex_hooks():
        values.update(hook(subject))
    for field, (value, kind) in values.items():
        index_set(subject=subject, field=field, value=value, kind=kind)
    return True


def blind_indexes_rebuild(*, batch: int = 500) -> int:
    """Reindexes every subject that is not erased, one transaction per subject (a long run can be
    stopped and started again), then records one audit event with the count. Returns it."""
    done = 0
    last = None
    while True:
        page = DataSubject.objects.filter(erased_at__isnull=True).order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        ids = list(page.values_list("pk", flat=True)[:batch])
        if not ids:
            break
        for pk in ids:
            done += subject_reindex(subject=DataSubject(pk=pk))
        last = ids[-1]
    with transaction.atomic():
        audit_record(action="protection.blind_index.rebuilt", payload={"subjects": done})
    return done


# --- consent -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ConsentCheck:
    allowed: bool
    reason: str
    consent: Consent | None = None


@transaction.atomic
def consent_record(*, subject: DataSubject, actor: User, purpose: str, method: str, given_on: date,
                   recipient_type: str = "", expires_on: date | None = None,
                   witness_or_guardian: str = "", note: str = "") -> Consent:
    errors: dict[str, list[str]] = {}
    if subject.is_erased:
        raise ValidationError(_("This person's data was erased."))
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Unknown purpose.")]
    if method not in ConsentMethod.values:
        errors["method"] = [_("Unknown way of giving consent.")]
    if given_on is None:
        errors["given_on"] = [_("Enter the date consent was given.")]
    elif given_on > timezone.localdate():
        errors["given_on"] = [_("The date consent was given cannot be in the future.")]
    if expires_on and given_on and expires_on <= given_on:
        errors["expires_on"] = [_("The end of validity must come after the date it was given.")]
    if recipient_type:
        if purpose != ConsentPurpose.REFERRAL:
            errors["recipient_type"] = [_("A kind of recipient applies only to referral "
                                          "consent.")]
        elif recipient_type not in OrgType.values:
            errors["recipient_type"] = [_("Unknown kind of organisation.")]
    if method in (ConsentMethod.ORAL_WITNESSED, ConsentMethod.GUARDIAN) and \
            not witness_or_guardian.strip():
        errors["witness_or_guardian"] = [_("Name the witness or the guardian.")]
    if errors:
        raise ValidationError(errors)
    consent = Consent(subject=subject, purpose=purpose, method=method, given_on=given_on,
                      recipient_type=recipient_type, expires_on=expires_on, recorded_by=actor)
    consent.witness_or_guardian = witness_or_guardian.strip() or None
    consent.note = note.strip() or None
    consent.save()
    audit_record(action="protection.consent.recorded", actor=actor,
                 organisation=subject.organisation, obj=consent,
                 payload={"purpose": purpose, "method": method,
                          "recipient_type": recipient_type or None})
    return consent


@dataclass(frozen=True)
class ConsentData:
    """Consent recorded inline, where it is asked (intake, the referral form): one way of
    giving it, for one or more purposes."""

    purposes: tuple[str, ...]
    method: str
    given_on: date | None
    recipient_type: str = ""  # for the referral purpose only
    witness_or_guardian: str = ""


@transaction.atomic
def consents_record(*, subject: DataSubject, actor: User, data: ConsentData) -> list[Consent]:
    """Records `data` through `consent_record` (the consent page's service), one consent per
    purpose: all or none."""
    if not data.purposes:
        raise ValidationError({"purposes": [_("Tick what the person consents to.")]})
    return [consent_record(subject=subject, actor=actor, purpose=purpose, method=data.method,
                           given_on=data.given_on,  # type: ignore[arg-type]
                           recipient_type=data.recipient_type
                           if purpose == ConsentPurpose.REFERRAL else "",
                           witness_or_guardian=data.witness_or_guardian)
            for purpose in dict.fromkeys(data.purposes)]


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: User) -> Consent:
    consent = Consent.objects.select_for_update().select_related("subject").get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(action="protection.consent.withdrawn", actor=actor,
                 organisation=consent.subject.organisation, obj=consent,
                 payload={"purpose": consent.purpose})
    return consent


def consent_check(*, subject: DataSubject, purpose: str, recipient_type: str = "",
                  on: date | None = None) -> ConsentCheck:
    """Is there consent for this purpose now? The reason says why not, in words a caseworker can
    act on."""
    on = on or timezone.localdate()
    if subject.is_erased:
        return ConsentCheck(False, _("This person's data was erased."))
    candidates = list(Consent.objects.filter(subject=subject, purpose=purpose)
                      .order_by("-given_on", "-recorded_at"))
    if purpose == ConsentPurpose.REFERRAL and recipient_type:
        candidates = [c for c in candidates if c.recipient_type in ("", recipient_type)]
    label = ConsentPurpose(purpose).label if purpose in ConsentPurpose.values else purpose
    if not candidates:
        return ConsentCheck(False, _("No consent is recorded for: %(purpose)s.")
                            % {"purpose": label})
    for consent in candidates:
        if consent.withdrawn_at is None and consent.given_on <= on and \
                (consent.expires_on is None or consent.expires_on >= on):
            return ConsentCheck(True, _("Consent given on %(date)s.")
                                % {"date": consent.given_on.isoformat()}, consent)
    latest = candidates[0]
    if latest.withdrawn_at is not None:
        return ConsentCheck(False, _("Consent for %(purpose)s was withdrawn on %(date)s.") % {
            "purpose": label, "date": timezone.localdate(latest.withdrawn_at).isoformat()},
            latest)
    return ConsentCheck(False, _("Consent for %(purpose)s expired on %(date)s.") % {
        "purpose": label, "date": latest.expires_on.isoformat() if latest.expires_on else "?"},
        latest)


def require_consent(*, subject: DataSubject, purpose: str, recipient_type: str = "") -> Consent:
    """For modules that depend on consent: raises PermissionDenied with the reason when absent."""
    check = consent_check(subject=subject, purpose=purpose, recipient_type=recipient_type)
    if not check.allowed:
        raise PermissionDenied(check.reason)
    assert check.consent is not None
    return check.consent


# --- documents ---------------------------------------------------------------------------

def _document_aad(document_id: object) -> bytes:
    return f"bridgeway.document|{document_id}".encode()


@transaction.atomic
def document_upload(*, subject: DataSubject, actor: User, uploaded: UploadedFile) -> EncryptedDocument:
    if subject.is_erased:
        raise ValidationError(_("This person's data was erased."))
    limit = settings.BRIDGEWAY_DOCUMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError({"file": [_("The file is %(size)s MB; the limit is %(limit)s MB.")
                                        % {"size": round(uploaded.size / 1048576, 1),
                                           "limit": round(limit / 1048576, 1)}]})
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": [_("The file is larger than the limit.")]})
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    content_type = documents.sniff(data[:8192], data)
    if content_type is None:
        allowed = ", ".join(documents.ALLOWED_TYPES.values())
        raise ValidationError({"file": [_("This kind of file is not accepted. Allowed: "
                                          "%(types)s.") % {"types": allowed}]})
    doc = EncryptedDocument(subject=subject, content_type=content_type, size=len(data),
                            storage_name=f"documents/{secrets.token_hex(16)}.bin",
                            uploaded_by=actor)
    doc.filename = (uploaded.name or "document")[-200:]
    sealed = documents.encrypt(subject.data_key(), data, _document_aad(doc.pk))
    default_storage.save(doc.storage_name, ContentFile(sealed))
    try:
        doc.save()
    except Exception:
        default_storage.delete(doc.storage_name)
        raise
    audit_record(action="protection.document.uploaded", actor=actor,
                 organisation=subject.organisation, obj=doc,
                 payload={"content_type": content_type, "size": len(data)})
    return doc


def document_chunks(doc: EncryptedDocument) -> Iterator[bytes]:
    """Decrypted content, segment by segment; the first segment is checked before returning."""
    subject = doc.subject
    handle = default_storage.open(doc.storage_name, "rb")
    stream = documents.decrypt_stream(subject.data_key(), handle, _document_aad(doc.pk))
    try:
        first = next(stream)
    except Exception:
        handle.close()
        raise

    def gen() -> Iterator[bytes]:
        try:
            yield first
            yield from stream
        finally:
            handle.close()

    return gen()


# --- retention and erasure ---------------------------------------------------------------

@transaction.atomic
def retention_policy_set(*, org: Organisation, actor: User, years: int) -> RetentionPolicy:
    if not isinstance(years, int) or not 1 <= years <= 100:
        raise ValidationError({"years_after_closure": [_("Enter a number of years from 1 to "
                                                         "100.")]})
    policy, _created = RetentionPolicy.objects.get_or_create(organisation=org)
    old = policy.years_after_closure
    policy.years_after_closure = years
    policy.save()
    audit_record(action="protection.retention_policy.set", actor=actor, organisation=org,
                 obj=policy, payload={"from": old, "to": years})
    return policy


def retention_years(org: Organisation) -> int:
    policy = RetentionPolicy.objects.filter(organisation=org).first()
    return policy.years_after_closure if policy else 5


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def retention_scan(*, today: date | None = None) -> int:
    """Opens an erasure request for every subject past its organisation's retention period.
    Nothing is erased until a data protection officer approves."""
    today = today or timezone.localdate()
    created = 0
    pending = ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING).values("subject")
    candidates = (DataSubject.objects.filter(erased_at__isnull=True, legal_hold=False,
                                             retention_anchor__isnull=False)
                  .exclude(pk__in=pending).select_related("organisation"))
    years_by_org: dict[int, int] = {}
    for subject in candidates.iterator():
        org_id = subject.organisation_id
        if org_id not in years_by_org:
            years_by_org[org_id] = retention_years(subject.organisation)
        due = next((d for rule in retention_rules() if (d := rule(subject)) is not None),
                   None) or _add_years(subject.retention_anchor, years_by_org[org_id])
        if due <= today:
            req = ErasureRequest.objects.create(subject=subject, organisation_id=org_id,
                                                reason=ErasureRequest.Reason.RETENTION,
                                                due_since=due)
            audit_record(action="protection.erasure.requested", organisation=subject.organisation,
                         obj=req, payload={"reason": "retention"})
            created += 1
    return created


@transaction.atomic
def erasure_request(*, subject: DataSubject, actor: User, reason: str) -> ErasureRequest:
    if reason not in ErasureRequest.Reason.values:
        raise ValidationError({"reason": [_("Unknown reason.")]})
    if subject.is_erased:
        raise ValidationError(_("This person's data was already erased."))
    if ErasureRequest.objects.filter(subject=subject, status=ErasureRequest.Status.PENDING).exists():
        raise ValidationError(_("An erasure request is already waiting for approval."))
    req = ErasureRequest.objects.create(subject=subject, organisation=subject.organisation,
                                        reason=reason, requested_by=actor)
    audit_record(action="protection.erasure.requested", actor=actor,
                 organisation=subject.organisation, obj=req, payload={"reason": reason})
    return req


@transaction.atomic
def erasure_decide(*, request: ErasureRequest, actor: User, approve: bool) -> ErasureRequest:
    request = ErasureRequest.objects.select_for_update().select_related("subject").get(
        pk=request.pk)
    if request.status != ErasureRequest.Status.PENDING:
        raise ValidationError(_("This request was already decided."))
    if approve and request.subject.legal_hold:
        raise ValidationError(_("This person's data is under a legal hold; lift it first."))
    request.status = ErasureRequest.Status.APPROVED if approve else ErasureRequest.Status.REJECTED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(action="protection.erasure.approved" if approve else "protection.erasure.rejected",
                 actor=actor, organisation=request.organisation, obj=request)
    if approve:
        subject_erase(subject=request.subject, actor=actor)
    return request


@transaction.atomic
def subject_erase(*, subject: DataSubject, actor: User) -> None:
    """Crypto-shredding: the data key is destroyed, so every ciphertext about the person becomes
    noise; ciphertext columns and files are also removed and blind-index entries deleted.
    Non-personal statistical fields in other modules stay."""
    subject = DataSubject.objects.select_for_update().get(pk=subject.pk)
    if subject.is_erased:
        return
    files = list(EncryptedDocument.objects.filter(subject=subject)
                 .values_list("storage_name", flat=True))
    for hook in erasure_hooks():
        hook(subject)
    EncryptedDocument.objects.filter(subject=subject).update(filename=None)
    Consent.objects.filter(subject=subject).update(witness_or_guardian=None, note=None)
    SubjectIndex.objects.filter(subject=subject).delete()
    DataSubject.objects.filter(pk=subject.pk).update(wrapped_key=None, display_name=None,
                                                     erased_at=timezone.now())
    audit_record(action="protection.subject.erased", actor=actor,
                 organisation=subject.organisation, obj=subject,
                 payload={"documents": len(files)})

    def delete_files() -> None:
        for name in files:
            default_storage.delete(name)

    transaction.on_commit(delete_files)


@transaction.atomic
def legal_hold_set(*, subject: DataSubject, actor: User, hold: bool) -> None:
    DataSubject.objects.filter(pk=subject.pk).update(legal_hold=hold)
    audit_record(action="protection.subject.legal_hold_set", actor=actor,
                 organisation=subject.organisation, obj=subject, payload={"hold": hold})


@transaction.atomic
def retention_anchor_set(*, subject: DataSubject, actor: User, anchor: date | None) -> None:
    DataSubject.objects.filter(pk=subject.pk).update(retention_anchor=anchor)
    audit_record(action="protection.subject.retention_anchor_set", actor=actor,
                 organisation=subject.organisation, obj=subject,
                 payload={"anchor": anchor.isoformat() if anchor else None})


# --- keys --------------------------------------------------------------------------------

def rotate_batch(*, to_key_id: str, organisation_id: int | None = None, batch: int = 500) -> int:
    """Re-wraps up to `batch` data keys under `to_key_id`; returns how many (0: none left). Each
    batch commits on its own, so an interrupted rotation resumes where it stopped. Persons' data
    keys go first, then those of every other holder (incident documents, field records, survey
    answers, linkage secrets, sealed files), one holder per batch. Ciphertexts are untouched.

    Without `organisation_id`, organisations that have their own key are left alone (their
    keys move with `--org`)."""
    crypto.kek(to_key_id)  # fail before touching anything if the new key is not loaded
    for holder in wrapped_key_holders():
        owner = f"{holder.organisation_field}_id"
        with transaction.atomic():
            qs = holder.model._default_manager.select_for_update().filter(
                wrapped_key__isnull=False).exclude(kek_id=to_key_id)
            if organisation_id is not None:
                qs = qs.filter(**{owner: organisation_id})
            else:
                qs = qs.exclude(**{f"{owner}__in": OrganisationKey.objects.values(
                    "organisation_id")})
            rows = list(qs.order_by("pk")[:batch])
            if not rows:
                continue
            for row in rows:
                name = holder.subject_id(row)
                data_key = crypto.unwrap_data_key(bytes(row.wrapped_key), key_id=row.kek_id,
                                                  subject_id=name)
                row.wrapped_key = crypto.wrap_data_key(data_key, key_id=to_key_id,
                                                       subject_id=name)
                row.kek_id = to_key_id
            holder.model._default_manager.bulk_update(rows, ["wrapped_key", "kek_id"])
            org = Organisation.objects.get(pk=organisation_id) if organisation_id else None
            audit_record(action="protection.keys.rewrapped", organisation=org,
                         payload={"to": to_key_id, "count": len(rows),
                                  "records": holder.model._meta.label_lower})
        return len(rows)
    return 0


@transaction.atomic
def organisation_key_assign(*, org: Organisation, kek_id: str) -> OrganisationKey:
    """Operator action (management command): new subjects of `org` get data keys wrapped with
    the organisation's own KEK; run keys_rotate --org to move the existing ones."""
    crypto.kek(kek_id)
    ok, _created = OrganisationKey.objects.update_or_create(organisation=org,
                                                            defaults={"kek_id": kek_id})
    audit_record(action="protection.keys.organisation_key_set", organisation=org, obj=ok,
                 payload={"kek_id": kek_id})
    return ok


@transaction.atomic
def subject_move(*, subject: DataSubject, to_org: Organisation, actor: User,
                 index_values: dict) -> DataSubject:
    """Moves a subject to another organisation (transfer of a case). The data key itself does not
    change, so no ciphertext is touched; it is re-wrapped if the new organisation uses another KEK.
    Blind indexes are keyed per organisation, so each indexed field is recomputed from
    `index_values` ({field: (plain value, "name" | "identifier")}); an indexed field the caller
    cannot supply stops the move rather than leave the person unfindable."""
    subject = DataSubject.objects.select_for_update().get(pk=subject.pk)
    if subject.is_erased:
        raise ValidationError(_("This person's data was erased."))
    indexed = set(SubjectIndex.objects.filter(subject=subject).values_list("field", flat=True))
    missing = indexed - set(index_values)
    if missing:
        raise ValidationError(_("The person has search entries that cannot be rebuilt for the "
                                "new organisation (%(fields)s); nothing was moved.")
                              % {"fields": ", ".join(sorted(missing))})
    from_org_id = subject.organisation_id
    data_key = subject.data_key()  # fails clearly (KeyUnavailable) if the old KEK is not loaded
    key_id = kek_id_for(to_org)
    if key_id != subject.kek_id:
        subject.wrapped_key = crypto.wrap_data_key(data_key, key_id=key_id,
                                                   subject_id=str(subject.pk))
        subject.kek_id = key_id
    subject.organisation = to_org
    subject.save(update_fields=["organisation", "wrapped_key", "kek_id"])
    for field, (value, kind) in index_values.items():
        index_set(subject=subject, field=field, value=value, kind=kind)
    audit_record(action="protection.subject.moved", actor=actor, organisation=to_org,
                 obj=subject, payload={"from": from_org_id, "to": to_org.pk, "kek_id": key_id})
    return subject


@transaction.atomic
def access_flags_review(*, org: Organisation, actor: User) -> None:
    """The data protection officer has looked at the unusual access recorded so far: it leaves
    their home queue (the entries stay in the access log). The audit event is the marker."""
    from bridgeway.orgs.codes import Role
    from bridgeway.orgs.queries import roles_in

    if Role.DPO not in roles_in(actor, org):
        raise PermissionDenied(_("Only the data protection officer reviews unusual access."))
    audit_record(action="protection.access.reviewed", actor=actor, organisation=org)


@transaction.atomic
def log_exported(*, org: Organisation, actor: User, log: str) -> None:
    """The audit log or the access log left as a CSV file: who took it is itself recorded."""
    from bridgeway.orgs.codes import AUDIT_READER_ROLES, Role
    from bridgeway.orgs.queries import roles_in

    readers = {Role.DPO} if log == "access" else AUDIT_READER_ROLES
    if not roles_in(actor, org) & readers:
        raise PermissionDenied(_("You may not export this log."))
    audit_record(action="protection.access_log.exported" if log == "access"
                 else "protection.audit_log.exported", actor=actor, organisation=org)
