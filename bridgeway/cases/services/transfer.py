"""Linked cases opened from a referral and transfer of ownership to another organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.cases.models import Case
from bridgeway.cases.queries import case_person
from bridgeway.cases.services.common import _reference
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import roles_in
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


@transaction.atomic
def case_open_linked(*, org: Organisation, actor: User, pseudonym: str,
                     exploitation_types: list[str] | None = None) -> Case:
    """The recipient's own case for an accepted referral. Its person is registered under a
    pseudonym (the referral's reference), never a copy of the name: what the sender shared is read
    live through the referral. The referral service has checked the actor's right to accept."""
    subject = protection.subject_create(org=org, actor=actor, display_name=pseudonym)
    case = Case(organisation=org, reference=_reference(), opened_on=timezone.localdate(),
                subject=subject, exploitation_types=sorted(set(exploitation_types or [])),
                updated_by=actor)
    case.save()
    case.assignees.set([actor] if Role.CASEWORKER in roles_in(actor, org) else [])
    audit_record(action="cases.case.opened_linked", actor=actor, organisation=org, obj=case)
    return case


@transaction.atomic
def case_transfer(*, case: Case, to_org: Organisation, actor: User) -> Case:
    """Moves a case and its person to another organisation. The person's data key is re-wrapped
    for the new organisation's KEK and the blind indexes are recomputed with its keys."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.subject_id is None:
        raise ValidationError(_("A case without a registered person cannot be transferred."))
    person = case_person(case)
    values: dict[str, tuple[str | None, str]] = {
        "display_name": (case.subject.display_name, "name")}
    if person is not None:
        values["phone"] = (person.phone, "identifier")
        values["birth_date"] = (person.birth_date.isoformat() if person.birth_date else None,
                                "identifier")
    from_org = case.organisation
    protection.subject_move(subject=case.subject, to_org=to_org, actor=actor, index_values=values)
    case.organisation = to_org
    case.version = F("version") + 1
    case.updated_by = actor
    case.save(update_fields=["organisation", "version", "updated_by", "updated_at"])
    case.assignees.clear()  # the new organisation's supervisor assigns its own staff
    case.refresh_from_db()
    for org in (from_org, to_org):
        audit_record(action="cases.case.transferred", actor=actor, organisation=org, obj=case,
                     payload={"from": from_org.pk, "to": to_org.pk})
    return case
