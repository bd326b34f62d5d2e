"""Correcting the person after intake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bridgeway.cases.changes import Change, _person_comparable, person_labels, person_shown, person_values
from bridgeway.cases.models import Case, Person
from bridgeway.cases.queries import case_person
from bridgeway.cases.services.common import (
    CHILD_AGE,
    _address_documents_errors,
    _check_case_role,
    _clean_address,
    _clean_documents,
    _validate_coded,
    _validate_person,
    age_on,
    contact_errors,
)
from bridgeway.cases.services.editing import EditConflict
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record
from bridgeway.protection.blind import clean as clean_text
from bridgeway.protection.models import DataSubject

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


PERSON_FIELDS = ("first_name", "second_name", "birth_date", "age", "gender", "citizenship",
                 "phone", "email", "address", "identity_documents")


def _validate_person_update(case: Case, data: dict,
                            before: dict | None = None) -> dict[str, list[str]]:
    """Validates the wanted values (cleaned) and puts the phone in E.164. A phone or e-mail
    recorded before these checks and left as it was is not held against another correction."""
    errors: dict[str, list[str]] = {}
    if "first_name" in data and not str(data["first_name"] or "").strip():
        errors["first_name"] = [_("Enter at least the first name the person gave.")]
    for field in ("first_name", "second_name"):
        if len(str(data.get(field) or "")) > 100:
            errors[field] = [_("The name is longer than 100 characters.")]
    for field in ("birth_date", "age"):
        value = data.get(field)
        if field == "birth_date" and value is not None and not isinstance(value, date):
            errors[field] = [_("Enter a valid date.")]
        if field == "age" and value is not None and (isinstance(value, bool)
                                                      or not isinstance(value, int)):
            errors[field] = [_("Enter a whole number.")]
    if not errors:
        person_errors = _validate_person(birth_date=data.get("birth_date"), age=data.get("age"),
                                         opened_on=case.opened_on)
        if "opened_on" in person_errors and "birth_date" not in person_errors:
            # The case's opening date is not being edited: it is the birth date that is wrong.
            person_errors["birth_date"] = [_("The date of birth is after the case opened.")]
        person_errors.pop("opened_on", None)
        errors.update(person_errors)
    errors.update(_validate_coded({"gender": data.get("gender"),
                                   "citizenship": data.get("citizenship")}))
    kept = {f for f in ("phone", "email") if before is not None and data.get(f) == before[f]}
    contact, e164 = contact_errors(case.organisation,
                                   phone="" if "phone" in kept else data.get("phone") or "",
                                   email="" if "email" in kept else data.get("email") or "")
    if "phone" not in kept:
        data["phone"] = e164
    errors.update(contact)
    errors.update(_address_documents_errors(data.get("address"), data.get("identity_documents")))
    return errors


def person_renormalise(*, subject: DataSubject) -> dict[str, tuple[str | None, str]]:
    """Brings a person's stored values recorded before today's rules to their normal form
    (names and address cleaned, a phone that parses put in E.164; one that does not is kept as
    it was, for a person to correct) and returns the blind-indexed values (see
    protection.registry.register_reindex). No audit event of its own: the rebuild records one."""
    person = Person.objects.filter(subject=subject).select_related("case__organisation").first()
    if person is None:
        return {}
    person.subject = subject
    was = person_values(person.case, person)
    person.first_name = clean_text(person.first_name or "") or person.first_name
    person.second_name = clean_text(person.second_name or "") or None
    person.email = clean_text(person.email or "") or None
    if person.phone:
        errors, e164 = contact_errors(person.case.organisation, phone=clean_text(person.phone),
                                      email="")
        person.phone = e164 if not errors else person.phone
    if person.address:
        person.address = _clean_address(person.address)
    if person.identity_documents:
        person.identity_documents = _clean_documents(person.identity_documents)
    if person_values(person.case, person) != was:
        person.save()
    return {"phone": (person.phone, "identifier"),
            "birth_date": (person.birth_date.isoformat() if person.birth_date else None,
                           "identifier")}


@dataclass
class PersonCorrection:
    case: Case
    fields: list[str]
    child_changed: bool


@transaction.atomic
def _recorded_before_birth(case: Case, born: date) -> dict[str, list[str]]:
    """A new date of birth must not come after what the case already records as having happened
    to the person (events, services, assessments, decisions): the same rule as when they were
    recorded."""
    from django.db.models import Min
    from django.utils.formats import date_format

    earliest = [d for d in (
        case.events.aggregate(d=Min("date_from"))["d"],
        case.services.aggregate(d=Min("started_on"))["d"],
        case.assessments.aggregate(d=Min("assessed_on"))["d"],
        case.decisions.aggregate(d=Min("decided_on"))["d"]) if d is not None]
    if earliest and min(earliest) < born:
        return {"birth_date": [_("This case records things that happened to the person before "
                                 "this date of birth (the earliest on %(date)s). Correct those "
                                 "first, or check the date.")
                               % {"date": date_format(min(earliest), "SHORT_DATE_FORMAT")}]}
    return {}


@transaction.atomic
def person_update(*, case: Case, actor: User, version: int, data: dict,
                  seen: dict | None = None) -> PersonCorrection:
    """Corrects the person after intake. `data` holds the fields to change (see PERSON_FIELDS;
    address a dict of ADDRESS_PARTS, identity_documents a list of {kind, number}). A new name
    rebuilds the name's blind index, a new phone or date of birth theirs; a new date of birth or
    age recomputes whether this is a child's case. Stale `version`: EditConflict, nothing
    written. The audit event names the fields, never their values."""
    _check_case_role(actor, case.organisation)
    current = Case.objects.select_for_update().get(pk=case.pk)
    person = case_person(current)
    if person is None or current.subject is None or current.subject.is_erased:
        raise ValidationError({"first_name": [_("This case has no registered person.")]})
    person.subject = current.subject
    before = person_values(current, person)
    if current.version != version:
        labels = person_labels()
        changes = [Change(field=f, label=str(labels[f]), value=person_shown(f, before[f]))
                   for f in PERSON_FIELDS if f in (seen or {})
                   and _person_comparable(f, before[f]) != _person_comparable(f, seen[f])]
        raise EditConflict(changes, current.version)
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({"data": [_("These fields cannot be corrected here: %(fields)s.")
                                        % {"fields": ", ".join(sorted(unknown))}]})
    wanted = {**before, **data}
    if "birth_date" in data and "age" not in data:
        wanted["age"] = None  # the age follows from the new date of birth
    if before["birth_date"] is not None and wanted["birth_date"] is None \
            and wanted["age"] is None:
        # A date of birth removed (uncertain, say) without an age: the age it gave at intake
        # stays, so a child's case does not silently become an adult's.
        wanted["age"] = current.age_at_intake
    for field in ("first_name", "second_name", "phone", "email", "gender", "citizenship"):
        wanted[field] = clean_text(str(wanted[field] or ""))
    if wanted["address"] is None:
        wanted["address"] = {}
    if wanted["identity_documents"] is None:
        wanted["identity_documents"] = []
    wanted["address"] = _clean_address(wanted["address"])
    wanted["identity_documents"] = _clean_documents(wanted["identity_documents"])
    errors = _validate_person_update(current, wanted, before)
    if not errors and wanted["birth_date"] and wanted["birth_date"] != before["birth_date"]:
        errors.update(_recorded_before_birth(current, wanted["birth_date"]))
    if errors:
        raise ValidationError(errors)
    if wanted["birth_date"]:
        wanted["age"] = age_on(wanted["birth_date"], current.opened_on)
    changed = [f for f in PERSON_FIELDS if f != "age"
               and _person_comparable(f, before[f]) != _person_comparable(f, wanted[f])]
    if wanted["age"] != current.age_at_intake:
        changed.append("age")
    was_child = current.is_child
    if not changed:
        return PersonCorrection(case=current, fields=[], child_changed=False)
    subject = current.subject
    person.first_name = wanted["first_name"]
    person.second_name = wanted["second_name"] or None
    person.birth_date = wanted["birth_date"]
    person.phone = wanted["phone"] or None
    person.email = wanted["email"] or None
    person.address = wanted["address"] if any(wanted["address"].values()) else None
    person.identity_documents = [{"kind": d["kind"], "number": d["number"]}
                                 for d in wanted["identity_documents"]] or None
    person.save()
    if {"first_name", "second_name"} & set(changed):
        full_name = " ".join(p for p in [wanted["first_name"], wanted["second_name"]] if p)
        subject.display_name = full_name
        subject.save(update_fields=["display_name"])
        protection.index_set(subject=subject, field="display_name", value=full_name, kind="name")
    if "phone" in changed:
        protection.index_set(subject=subject, field="phone", value=wanted["phone"] or None,
                             kind="identifier")
    if "birth_date" in changed:
        protection.index_set(subject=subject, field="birth_date",
                             value=wanted["birth_date"].isoformat() if wanted["birth_date"]
                             else None, kind="identifier")
    current.age_at_intake = wanted["age"]
    current.is_child = wanted["age"] is not None and wanted["age"] < CHILD_AGE
    current.gender = wanted["gender"]
    current.citizenship = wanted["citizenship"]
    current.version = version + 1
    current.updated_by = actor
    current.save()
    audit_record(action="cases.person.corrected", actor=actor, organisation=current.organisation,
                 obj=current, payload={"fields": changed, "child": current.is_child})
    return PersonCorrection(case=current, fields=changed,
                            child_changed=was_child != current.is_child)
