"""Opening a case: intake of a person, first contact and its conversion into a case."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.cases.codes import ContactChannel
from bridgeway.cases.models import Case, Person
from bridgeway.cases.services.common import (
    CHILD_AGE,
    _address_documents_errors,
    _check_case_role,
    _clean_address,
    _clean_documents,
    _reference,
    _validate_coded,
    _validate_person,
    age_on,
    contact_errors,
)
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import roles_in
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record
from bridgeway.protection.blind import clean as clean_text

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


@dataclass
class PersonData:
    first_name: str
    second_name: str = ""
    birth_date: date | None = None
    age: int | None = None
    gender: str = ""
    citizenship: str = ""
    phone: str = ""
    email: str = ""
    address: dict | None = None  # ADDRESS_PARTS
    identity_documents: list | None = None  # [{"kind": ..., "number": ...}]


def _cleaned(person: PersonData) -> PersonData:
    """The person as stored: names and address cleaned of invisible characters (see
    protection.blind.clean), phone and e-mail trimmed. Validation sees what will be stored."""
    return replace(person, first_name=clean_text(person.first_name),
                   second_name=clean_text(person.second_name),
                   phone=clean_text(person.phone), email=clean_text(person.email),
                   address=_clean_address(person.address),
                   identity_documents=_clean_documents(person.identity_documents))


def _validate_intake(*, org: Organisation, person: PersonData, opened_on: date,
                     exploitation_types: list[str] | None) -> None:
    """Validates a cleaned person (see `_cleaned`) and puts the phone in E.164."""
    errors: dict[str, list[str]] = {}
    if not person.first_name:
        errors["first_name"] = [_("Enter at least the first name the person gave.")]
    for field in ("first_name", "second_name"):
        if len(getattr(person, field)) > 100:
            errors[field] = [_("The name is longer than 100 characters.")]
    errors.update(_validate_person(birth_date=person.birth_date, age=person.age,
                                   opened_on=opened_on))
    errors.update(_validate_coded({"gender": person.gender, "citizenship": person.citizenship,
                                   "exploitation_types": exploitation_types}))
    contact, person.phone = contact_errors(org, phone=person.phone, email=person.email)
    errors.update(contact)
    errors.update(_address_documents_errors(person.address, person.identity_documents))
    if errors:
        raise ValidationError(errors)


def _attach_person(*, case: Case, actor: User, person: PersonData) -> None:
    """Registers the person (fresh data key, blind indexes) and fills the case's coded fields."""
    full_name = " ".join(p for p in [person.first_name, person.second_name] if p)
    subject = protection.subject_create(org=case.organisation, actor=actor,
                                        display_name=full_name)
    age = age_on(person.birth_date, case.opened_on) if person.birth_date else person.age
    case.subject = subject
    case.is_child = age is not None and age < CHILD_AGE
    case.age_at_intake = age
    case.gender = person.gender
    case.citizenship = person.citizenship
    address = person.address if person.address and any(person.address.values()) else None
    record = Person(case=case, subject=subject, first_name=person.first_name,
                    second_name=person.second_name or None, birth_date=person.birth_date,
                    phone=person.phone or None, email=person.email or None, address=address,
                    identity_documents=[{"kind": d["kind"], "number": d["number"]}
                                        for d in person.identity_documents or []] or None)
    record.save()
    if person.phone:
        protection.index_set(subject=subject, field="phone", value=person.phone, kind="identifier")
    if person.birth_date:
        protection.index_set(subject=subject, field="birth_date",
                             value=person.birth_date.isoformat(), kind="identifier")


@transaction.atomic
def case_open(*, org: Organisation, actor: User, person: PersonData, opened_on: date | None = None,
              exploitation_types: list[str] | None = None, assignees: list[User] | None = None,
              consent: protection.ConsentData | None = None) -> Case:
    """Intake: registers the person (with a fresh data key) and opens the case; with `consent`,
    records the person's consent too (the consent page's service), all or nothing."""
    _check_case_role(actor, org)
    opened_on = opened_on or timezone.localdate()
    person = _cleaned(person)
    _validate_intake(org=org, person=person, opened_on=opened_on,
                     exploitation_types=exploitation_types)
    case = Case(organisation=org, reference=_reference(), opened_on=opened_on,
                exploitation_types=sorted(set(exploitation_types or [])), updated_by=actor)
    case.save()
    _attach_person(case=case, actor=actor, person=person)
    case.save()
    if consent is not None:
        protection.consents_record(subject=case.subject, actor=actor, data=consent)
    case.assignees.set(assignees if assignees is not None else
                       ([actor] if Role.CASEWORKER in roles_in(actor, org) else []))
    audit_record(action="cases.case.opened", actor=actor, organisation=org, obj=case,
                 payload={"child": case.is_child})
    return case


@transaction.atomic
def first_contact_open(*, org: Organisation, actor: User, channel: str,
                       exploitation_types: list[str] | None = None) -> Case:
    """A quick, anonymous first contact: no name, no data key, nothing personal."""
    _check_case_role(actor, org)
    if channel not in ContactChannel.values:
        raise ValidationError({"contact_channel": [_("Unknown channel.")]})
    errors = _validate_coded({"exploitation_types": exploitation_types})
    if errors:
        raise ValidationError(errors)
    case = Case.objects.create(organisation=org, reference=_reference(), is_first_contact=True,
                               contact_channel=channel, opened_on=timezone.localdate(),
                               exploitation_types=sorted(set(exploitation_types or [])),
                               updated_by=actor)
    case.assignees.set([actor])
    audit_record(action="cases.first_contact.opened", actor=actor, organisation=org, obj=case,
                 payload={"channel": channel})
    return case


@transaction.atomic
def first_contact_convert(*, case: Case, actor: User, person: PersonData) -> Case:
    """The person agreed to a full case: register them on the same case, keeping its history."""
    _check_case_role(actor, case.organisation)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_first_contact or case.subject_id:
        raise ValidationError(_("This case already has a person."))
    person = _cleaned(person)
    try:
        _validate_intake(org=case.organisation, person=person, opened_on=case.opened_on,
                         exploitation_types=case.exploitation_types)
    except ValidationError as exc:
        errors = exc.message_dict
        # The opening date is the first contact's, fixed: a clash with it is the birth date's.
        if errors.pop("opened_on", None):
            errors.setdefault("birth_date", [_("The date of birth is after this first contact "
                                               "was recorded.")])
        raise ValidationError(errors) from None
    _attach_person(case=case, actor=actor, person=person)
    case.is_first_contact = False
    case.version += 1
    case.updated_by = actor
    case.save()
    audit_record(action="cases.first_contact.converted", actor=actor,
                 organisation=case.organisation, obj=case, payload={"child": case.is_child})
    return case
