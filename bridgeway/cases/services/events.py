"""The trafficking story: events and perpetrators."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bridgeway.cases.codes import Relationship
from bridgeway.cases.models import Case, Perpetrator, TraffickingEvent
from bridgeway.cases.services.common import _birth_bound, _check_case_role, _person_errors, date_errors
from bridgeway.orgs.codes import is_country
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


@transaction.atomic
def event_add(*, case: Case, actor: User, kind: str, country: str = "", place: str = "",
              date_from: date | None = None, date_to: date | None = None) -> TraffickingEvent:
    """A trafficking event (HTCDS hte_): recruitment, transit or exploitation."""
    from bridgeway.cases.codes import EventKind
    from bridgeway.cases.models import TraffickingEvent

    _check_case_role(actor, case.organisation)
    errors: dict[str, list[str]] = {}
    if kind not in EventKind.values:
        errors["kind"] = [_("Unknown kind of event.")]
    if country and not is_country(country):
        errors["country"] = [_("Unknown country code %(code)r.") % {"code": country}]
    born = _birth_bound(case)
    errors.update(date_errors("date_from", date_from, happened=True, born=born))
    errors.update(date_errors("date_to", date_to, happened=True, born=born, not_before=(
        (date_from, _("The end date is before the start date.")),)))
    if case.subject_id is None:
        errors["kind"] = [_("Register the person first: events are personal data.")]
    if errors:
        raise ValidationError(errors)
    event = TraffickingEvent(case=case, subject=case.subject, kind=kind, country=country,
                             date_from=date_from, date_to=date_to)
    event.place = place.strip() or None
    event.save()
    audit_record(action="cases.event.added", actor=actor, organisation=case.organisation,
                 obj=event, payload={"kind": kind, "country": country or None})
    return event


@transaction.atomic
def perpetrator_add(*, case: Case, actor: User, relationship: str = "", citizenship: str = "",
                    description: str = "") -> Perpetrator:
    """A perpetrator (HTCDS per_), only as far as case work needs: the relationship to the
    person, a citizenship code and a short description (encrypted under the person's key)."""
    _check_case_role(actor, case.organisation)
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if relationship and relationship not in Relationship.values:
        errors["relationship"] = [_("Unknown relationship.")]
    if citizenship and not is_country(citizenship):
        errors["citizenship"] = [_("Unknown country code %(code)r.") % {"code": citizenship}]
    if len(description) > 2000:
        errors["description"] = [_("The description is longer than 2,000 characters.")]
    if not (relationship or citizenship or description) and not errors:
        errors["relationship"] = [_("Give the relationship, the citizenship or a description.")]
    errors.update(_person_errors(case, "description"))
    if errors:
        raise ValidationError(errors)
    row = Perpetrator(case=case, subject=case.subject, relationship=relationship,
                      citizenship=citizenship)
    row.description = description or None
    row.save()
    audit_record(action="cases.perpetrator.added", actor=actor, organisation=case.organisation,
                 obj=row, payload={"relationship": relationship or None,
                                   "citizenship": citizenship or None})
    return row
