"""Editing a case with optimistic locking: context fields, status, assignment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.cases.changes import Change, _comparable, shown_value
from bridgeway.cases.codes import CaseStatus, CloseReason
from bridgeway.cases.models import Case
from bridgeway.cases.services.common import _check_case_role, _validate_coded
from bridgeway.core.shortcuts import apply_changes
from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import roles_in
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


@transaction.atomic
def case_set_status(*, case: Case, actor: User, status: str, reason: str = "",
                    version: int | None = None, seen: dict | None = None) -> Case:
    """Changes the status. Screens and the API pass the `version` the person loaded (and the
    status they `seen`): a stale one raises EditConflict and nothing is written."""
    _check_case_role(actor, case.organisation)
    if status not in CaseStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    closing = status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)
    if case.merged_into_id:
        raise ValidationError({"status": [_("This case was merged into another case; work on "
                                            "that one.")]})
    if reason == CloseReason.MERGED:
        raise ValidationError({"close_reason": [
            _("A case is closed as merged only by merging it with its duplicate.")]})
    if closing and reason not in CloseReason.values:
        raise ValidationError({"close_reason": [_("Give the reason for closing.")]})
    # "Closed (referred)" says the person went on to another organisation; the reason must say
    # the same, and a plain "Closed" must not claim a referral.
    if status == CaseStatus.CLOSED_REFERRED and reason != CloseReason.REFERRED:
        raise ValidationError({"close_reason": [
            _("A case closed as referred needs the reason “%(reason)s”.")
            % {"reason": CloseReason.REFERRED.label}]})
    if status == CaseStatus.CLOSED and reason == CloseReason.REFERRED:
        raise ValidationError({"close_reason": [
            _("The person was referred: choose the status “%(status)s”.")
            % {"status": CaseStatus.CLOSED_REFERRED.label}]})
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, version, seen, ("status", "close_reason"))
    if closing:
        # Checked under the case's lock: a referral sent meanwhile waits for it, then blocks.
        from bridgeway.cases.registry import close_blockers

        blockers = [msg for check in close_blockers() if (msg := check(case))]
        if blockers:
            raise ValidationError({"status": blockers})
    old = case.status
    case.status = status
    case.close_reason = reason if closing else ""
    case.closed_on = timezone.localdate() if closing else None
    case.version = F("version") + 1
    case.updated_by = actor
    case.save(update_fields=["status", "close_reason", "closed_on", "version", "updated_by",
                             "updated_at"])
    case.refresh_from_db()
    if case.subject_id:
        # The retention period counts from closure; reopening stops the clock.
        protection.retention_anchor_set(subject=case.subject, actor=actor,
                                        anchor=case.closed_on if closing else None)
    audit_record(action="cases.case.status_changed", actor=actor, organisation=case.organisation,
                 obj=case, payload={"from": old, "to": status, "reason": reason or None})
    return case


CONTEXT_FIELDS = ("gender", "citizenship", "exploitation_types", "forced_labour_industry",
                  "recruitment_methods", "control_methods", "relationship_to_trafficker",
                  "recruitment_country", "exploitation_country")


CONTEXT_LIST_FIELDS = ("exploitation_types", "recruitment_methods", "control_methods")


def _context_shape_errors(data: dict) -> dict[str, list[str]]:
    """What the edit form can send and nothing else: known fields only, a list of codes where
    the form has checkboxes, one code (or "" for none) where it has a choice."""
    errors: dict[str, list[str]] = {}
    for key in data:
        if key not in CONTEXT_FIELDS:
            errors[str(key)] = [_("Unknown field: only the victim context can be changed "
                                  "here.")]
    for field in CONTEXT_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field in CONTEXT_LIST_FIELDS:
            if not isinstance(value, list | tuple):
                errors[field] = [_("This must be a list of codes.")]
            elif not all(isinstance(v, str) for v in value):
                errors[field] = [_("Each entry of this list must be a code (text).")]
        elif not isinstance(value, str):
            errors[field] = [_("This must be one code, or empty for none.")]
    return errors


class EditConflict(ValidationError):
    """Someone saved the case after this person opened it. `changes` says, field by field, what
    they changed (as far as the editor told us what they had seen); `version` is the current
    version, which a deliberate second save carries."""

    def __init__(self, changes: list[Change], version: int) -> None:
        self.changes = changes
        self.changed = [c.field for c in changes]
        self.version = version
        super().__init__(_("Someone else saved this case while you were editing it. Your edits "
                           "were not saved. Their changes: %(fields)s. Check them; saving again "
                           "applies your values over theirs.")
                         % {"fields": ", ".join(c.label for c in changes)
                            or _("other parts of the case (such as its status, assignment or "
                                 "identification)")})


def _changes(current: dict, seen: dict, labels: dict) -> list[Change]:
    """The fields whose current value differs from what the editor saw."""
    return [Change(field=f, label=str(labels[f]), value=shown_value(f, current[f]))
            for f in labels if f in seen and f in current
            and _comparable(current[f]) != _comparable(seen[f])]


def _case_label(field: str) -> str:
    return str(Case._meta.get_field(field).verbose_name).capitalize()


def _check_version(current: Case, version: int | None, seen: dict | None, fields: Iterable[str]) -> None:
    """Raises EditConflict when the case moved on since the editor loaded `version`."""
    if version is None or current.version == version:
        return
    values = {f: (list(current.assignees.values_list("pk", flat=True))
                  if f == "assignees" else getattr(current, f)) for f in fields}
    labels = {f: _case_label(f) for f in fields}
    raise EditConflict(_changes(values, seen or {}, labels), current.version)


@transaction.atomic
def case_update(*, case: Case, actor: User, version: int, data: dict, seen: dict) -> Case:
    """Updates the coded context. `version` is what the editor loaded and `seen` the values they
    saw; if the case moved on, nothing is written and EditConflict names the changed fields."""
    _check_case_role(actor, case.organisation)
    current = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(current, version, seen, CONTEXT_FIELDS)
    errors = _context_shape_errors(data) or _validate_coded(data)
    if errors:
        raise ValidationError(errors)
    data = {f: sorted(set(v)) if f in CONTEXT_LIST_FIELDS else v for f, v in data.items()}
    changed = apply_changes(current, data, CONTEXT_FIELDS)
    if changed:
        current.version = version + 1
        current.updated_by = actor
        current.save()
        audit_record(action="cases.case.updated", actor=actor, organisation=case.organisation,
                     obj=current, payload={"fields": sorted(changed)})
    return current


@transaction.atomic
def case_assign(*, case: Case, actor: User, users: list, version: int | None = None,
                seen: dict | None = None) -> None:
    """Replaces the case's caseworkers; a stale `version` raises EditConflict (as above)."""
    if Role.SUPERVISOR not in roles_in(actor, case.organisation):
        raise PermissionDenied(_("Only a supervisor can assign cases."))
    current = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(current, version, seen, ("assignees",))
    for user in users:
        if Role.CASEWORKER not in roles_in(user, case.organisation) and \
                Role.SUPERVISOR not in roles_in(user, case.organisation):
            raise ValidationError({"assignees": [_("%(name)s is not a caseworker here.")
                                                 % {"name": user.full_name}]})
    case.assignees.set(users)
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
    audit_record(action="cases.case.assigned", actor=actor, organisation=case.organisation,
                 obj=case, payload={"users": [u.pk for u in users]})
