"""Merging a confirmed duplicate case into the case kept (docs/estimation.md, "Merging")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.cases.codes import CaseStatus, CloseReason
from bridgeway.cases.models import (
    Assessment,
    AssessmentIndicator,
    Case,
    CaseNote,
    CaseTask,
    Decision,
    Perpetrator,
    Person,
    PlanObjective,
    ServiceDelivery,
    TraffickingEvent,
)
from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import roles_in
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record
from bridgeway.protection.fields import EncryptedField
from bridgeway.protection.models import ErasureRequest

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

# Rows of the case carrying fields encrypted under the case's data subject: they move and are
# re-encrypted with the kept person's key, so erasing the kept person shreds them too.
_KEYED_CHILDREN: tuple[type[models.Model], ...] = (
    TraffickingEvent, Perpetrator, Assessment, ServiceDelivery, PlanObjective, CaseNote, CaseTask)
# The kept person's empty fields filled from the duplicate's (never the name or date of birth:
# the kept person's identity stays as recorded).
FILLED_FIELDS = ("phone", "email", "address", "identity_documents")


def _rekey(row: models.Model, subject: object, **changes: object) -> None:
    fields = [f for f in row._meta.concrete_fields if isinstance(f, EncryptedField)]
    for f in fields:
        getattr(row, f.attname)  # decrypted with the old subject's key
    row.subject = subject  # type: ignore[attr-defined]
    for name, value in changes.items():
        setattr(row, name, value)
    row.save(update_fields=[f.name for f in fields] + ["subject", *changes])


@transaction.atomic
def case_merge(*, keep: Case, duplicate: Case, actor: User) -> Case:
    """Moves the duplicate's records to `keep` and closes the duplicate as merged into it."""
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": [_("Choose two different cases to merge.")]})
    if keep.organisation_id != duplicate.organisation_id:
        raise ValidationError({"duplicate": [
            _("Only cases of the same organisation can be merged.")]})
    if Role.SUPERVISOR not in roles_in(actor, keep.organisation):
        raise PermissionDenied(_("Only a supervisor of the organisation can merge cases."))
    locked = {c.pk: c for c in Case.objects.select_for_update(of=("self",)).select_related("subject")
              .filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")}
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    for field, case in (("keep", keep), ("duplicate", duplicate)):
        if case.merged_into_id:
            raise ValidationError({field: [
                _("Case %(ref)s was already merged into another case.") % {"ref": case.reference}]})
        if case.subject_id is None or case.subject.is_erased:
            raise ValidationError({field: [
                _("Case %(ref)s has no person whose records could be merged.")
                % {"ref": case.reference}]})
    from bridgeway.cases.registry import close_blockers, merge_hooks

    blockers = [msg for check in close_blockers() if (msg := check(duplicate))]
    if blockers:
        raise ValidationError({"duplicate": blockers})

    subject = keep.subject
    for model in _KEYED_CHILDREN:
        for row in model.objects.filter(case=duplicate).select_related("subject"):
            _rekey(row, subject, case=keep)
    for ind in AssessmentIndicator.objects.filter(assessment__case=keep,
                                                  subject=duplicate.subject):
        _rekey(ind, subject)
    Decision.objects.filter(case=duplicate).update(case=keep)
    filled = _fill_person(keep, duplicate)
    keep.assignees.add(*duplicate.assignees.all())
    for hook in merge_hooks():
        hook(keep, duplicate)

    duplicate.merged_into = keep
    duplicate.status = CaseStatus.CLOSED
    duplicate.close_reason = CloseReason.MERGED
    duplicate.closed_on = timezone.localdate()
    for case in (duplicate, keep):
        case.version = F("version") + 1
        case.updated_by = actor
    duplicate.save(update_fields=["merged_into", "status", "close_reason", "closed_on",
                                  "version", "updated_by", "updated_at"])
    keep.save(update_fields=["version", "updated_by", "updated_at"])
    # What stays under the duplicate's key (its person record, consents, documents) goes to the
    # DPO's four-eyes erasure queue rather than being shredded at once.
    if not ErasureRequest.objects.filter(subject=duplicate.subject,
                                         status=ErasureRequest.Status.PENDING).exists():
        protection.erasure_request(subject=duplicate.subject, actor=actor,
                                   reason=ErasureRequest.Reason.UNLAWFUL)
    audit_record(action="cases.case.merged", actor=actor, organisation=keep.organisation,
                 obj=keep, payload={"kept": str(keep.pk), "duplicate": str(duplicate.pk),
                                    "filled": filled})
    keep.refresh_from_db()
    return keep


def _fill_person(keep: Case, duplicate: Case) -> list[str]:
    kept = Person.objects.filter(case=keep).select_related("subject").first()
    dup = Person.objects.filter(case=duplicate).select_related("subject").first()
    if kept is None or dup is None:
        return []
    filled = [name for name in FILLED_FIELDS
              if getattr(kept, name) in (None, "", [], {}) and getattr(dup, name) not in
              (None, "", [], {})]
    for name in filled:
        setattr(kept, name, getattr(dup, name))
    if filled:
        kept.save(update_fields=filled)
    if "phone" in filled:
        protection.index_set(subject=keep.subject, field="phone", value=kept.phone,
                             kind="identifier")
    return filled
