"""Checks and small helpers shared by the case writes: the case lock, the reference, ages and the
role check."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.cases.changes import ADDRESS_PARTS
from bridgeway.cases.codes import Exploitation, Gender, Relationship
from bridgeway.cases.models import Case
from bridgeway.cases.queries import case_person
from bridgeway.orgs.codes import Role, is_country
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import roles_in
from bridgeway.protection.blind import clean as clean_text

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


_REF = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


CHILD_AGE = 18


def case_locked(case: Case) -> Case:
    """The case row read again and locked until the caller's transaction ends (organisation and
    subject joined, only the case row locked): for a write in another app that must not race a
    write here, such as a referral sent while the case closes."""
    return Case.objects.select_for_update(of=("self",)).select_related(
        "organisation", "subject").get(pk=case.pk)


def _reference() -> str:
    while True:
        ref = "C-" + "".join(secrets.choice(_REF) for _ in range(7))
        if not Case.objects.filter(reference=ref).exists():
            return ref


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _check_case_role(actor: User, org: Organisation) -> None:
    if not roles_in(actor, org) & {Role.CASEWORKER, Role.SUPERVISOR}:
        raise PermissionDenied(_("Only caseworkers and supervisors of this organisation can do "
                                 "this."))


def _person_errors(case: Case, field: str) -> dict[str, list[str]]:
    """Rows holding personal data are encrypted under the person's data key: an anonymous first
    contact has none until it becomes a full case."""
    if case.subject_id is None:
        return {field: [_("Register the person first: this is personal data.")]}
    return {}


def _birth_bound(case: Case) -> date | None:
    """The earliest day the person can have lived: their date of birth, or, when only an age
    was given at intake, the earliest birth date that age allows."""
    # After erasure nothing can be decrypted (and nothing about the person is left to check).
    readable = case.subject_id is not None and not case.subject.is_erased
    person = case_person(case) if readable else None
    if person is not None and person.birth_date:
        return person.birth_date
    if case.age_at_intake is not None and case.opened_on:
        return _years_before(case.opened_on, case.age_at_intake + 1) + timedelta(days=1)
    return None


def date_errors(field: str, value: date | None, *, born: date | None = None, happened: bool = False,
                not_before: tuple[tuple[date | None, str], ...] = ()) -> dict[str, list[str]]:
    """The one check of a date given to a case service. `happened`: the date is of something
    that has already taken place, so it cannot be in the future (a due date can). `born`: the
    person's date of birth (or the earliest their age allows); nothing about them happens
    before it. `not_before`: (other date, message) pairs this date must not precede, e.g. a
    decision and its assessment. Returns {field: [message]} or {}."""
    if value is None:
        return {}
    if not isinstance(value, date):
        return {field: [_("Enter a valid date.")]}
    if happened and value > timezone.localdate():
        return {field: [_("The date is in the future.")]}
    if born and value < born:
        return {field: [_("The date is before the person was born.")]}
    for other, message in not_before:
        if other and value < other:
            return {field: [message]}
    return {}


def _validate_person(*, birth_date: date | None, age: int | None, opened_on: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if birth_date and birth_date > today:
        errors["birth_date"] = [_("The date of birth is in the future.")]
    if birth_date and birth_date.year < 1900:
        errors["birth_date"] = [_("The date of birth is before 1900.")]
    if age is not None and not 0 <= age <= 120:
        errors["age"] = [_("Enter an age from 0 to 120.")]
    if birth_date and age is not None and "birth_date" not in errors and "age" not in errors:
        if abs(age_on(birth_date, opened_on) - age) > 1:
            errors["age"] = [_("The age (%(age)s) does not match the date of birth, which gives "
                               "%(computed)s.") % {"age": age,
                                                   "computed": age_on(birth_date, opened_on)}]
    errors.update(date_errors("opened_on", opened_on, happened=True,
                              born=None if "birth_date" in errors else birth_date))
    return errors


def _validate_coded(data: dict) -> dict[str, list[str]]:
    """Checks every coded case field present in `data` against its value list."""
    from bridgeway.cases.codes import (
        ControlMethod,
        ForcedLabourIndustry,
        RecruitmentMethod,
    )

    errors: dict[str, list[str]] = {}
    bad = [c for c in data.get("exploitation_types") or [] if c not in Exploitation.values]
    if bad:
        errors["exploitation_types"] = [_("Unknown type(s) of exploitation: %(codes)s.")
                                        % {"codes": ", ".join(map(str, bad))}]
    for field, allowed in (("recruitment_methods", RecruitmentMethod.values),
                           ("control_methods", ControlMethod.values)):
        bad = [c for c in data.get(field) or [] if c not in allowed]
        if bad:
            errors[field] = [_("Unknown code(s): %(codes)s.")
                             % {"codes": ", ".join(map(str, bad))}]
    if data.get("relationship_to_trafficker") and \
            data["relationship_to_trafficker"] not in Relationship.values:
        errors["relationship_to_trafficker"] = [_("Unknown relationship.")]
    for field in ("citizenship", "recruitment_country", "exploitation_country"):
        if data.get(field) and not is_country(data[field]):
            errors[field] = [_("Unknown country code %(code)r.") % {"code": data[field]}]
    if data.get("gender") and data["gender"] not in Gender.values:
        errors["gender"] = [_("Unknown gender code.")]
    if data.get("forced_labour_industry") and \
            data["forced_labour_industry"] not in ForcedLabourIndustry.values:
        errors["forced_labour_industry"] = [_("Unknown industry.")]
    return errors


def _clean_address(address: Any) -> Any:
    """Address parts cleaned like names; anything of another shape is left for validation to
    refuse, naming the field."""
    if isinstance(address, dict) and not set(address) - set(ADDRESS_PARTS) and \
            all(isinstance(v, str | None) for v in address.values()):
        return {k: clean_text(address.get(k) or "") for k in ADDRESS_PARTS}
    return address


def _clean_documents(documents: Any) -> Any:
    if isinstance(documents, list) and all(
            isinstance(d, dict) and isinstance(d.get("number"), str) for d in documents):
        return [{**d, "number": clean_text(d["number"])} for d in documents]
    return documents


def contact_errors(org: Organisation, *, phone: str, email: str) -> tuple[dict[str, list[str]], str]:
    """Checks a person's phone and e-mail. The phone is parsed with the organisation's country
    as the default region (a number with a leading + or 00 keeps its own) and returned in
    E.164, the one form stored and indexed; an impossible number or a malformed address is an
    error naming the field."""
    import phonenumbers
    from django.core.validators import validate_email

    errors: dict[str, list[str]] = {}
    e164 = ""
    if phone:
        region = (getattr(org, "country", "") or "").upper() or None
        try:
            if len(phone) > 40:
                raise phonenumbers.NumberParseException(0, "too long")
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            errors["phone"] = [_("This is not a phone number we can dial. Give it with the "
                                 "country code (e.g. +40 721 234 567), or as dialled in %(country)s.")
                               % {"country": region or "?"}]
        else:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if email:
        try:
            if len(email) > 200:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    return errors, e164


def _address_documents_errors(address: Any, documents: Any) -> dict[str, list[str]]:
    """The shape of an address (ADDRESS_PARTS) and of identity documents ({kind, number})."""
    from bridgeway.cases.codes import IdentityDocumentKind

    errors: dict[str, list[str]] = {}
    if address is not None:
        if not isinstance(address, dict) or set(address) - set(ADDRESS_PARTS) or \
                not all(isinstance(v, str) and len(v) <= 200 for v in address.values()):
            errors["address"] = [_("The address has the parts %(parts)s, each a text of up to "
                                   "200 characters.") % {"parts": ", ".join(ADDRESS_PARTS)}]
        elif address.get("country") and not is_country(address["country"]):
            errors["address"] = [_("Unknown country code %(code)r.") % {"code": address["country"]}]
    if documents is not None:
        ok = isinstance(documents, list) and len(documents) <= 10 and all(
            isinstance(d, dict) and set(d) <= {"kind", "number"}
            and d.get("kind") in IdentityDocumentKind.values
            and isinstance(d.get("number"), str) and 0 < len(d["number"].strip()) <= 60
            for d in documents)
        if not ok:
            errors["identity_documents"] = [
                _("Give each identity document a known type (%(kinds)s) and its number (up to 60 "
                  "characters); at most 10 documents.")
                % {"kinds": ", ".join(IdentityDocumentKind.values)}]
    return errors
