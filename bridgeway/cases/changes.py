"""What a person reads of a value and whether two values differ: the display and diff helpers
behind conflict messages and the correction screens (no writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from bridgeway.cases.codes import CaseStatus, CloseReason, Exploitation, Gender, Relationship
from bridgeway.cases.models import Case, Person

if TYPE_CHECKING:
    pass


@dataclass
class Change:
    """One field someone else changed: its translated label and their value, ready to show."""

    field: str
    label: str
    value: str


def _comparable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return sorted(str(v) for v in value if v not in (None, ""))
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def same_value(a: Any, b: Any) -> bool:
    return _comparable(a) == _comparable(b)


_CODE_LISTS = {"exploitation_types": Exploitation, "status": CaseStatus,
               "close_reason": CloseReason, "gender": Gender,
               "relationship_to_trafficker": Relationship}


def shown_value(field: str, value: Any) -> str:
    """A value as a person reads it: labels for codes, names for countries and people."""
    from bridgeway.cases.codes import ControlMethod, ForcedLabourIndustry, RecruitmentMethod
    from bridgeway.orgs.codes import country_name

    lists = {**_CODE_LISTS, "recruitment_methods": RecruitmentMethod,
             "control_methods": ControlMethod, "forced_labour_industry": ForcedLabourIndustry}
    if isinstance(value, (list, tuple)):
        return ", ".join(shown_value(field, v) for v in value) or "—"
    if value in (None, ""):
        return "—"
    if field in lists:
        return str(dict(lists[field].choices).get(value, value))
    if field in ("citizenship", "recruitment_country", "exploitation_country") or \
            field.endswith("_country"):
        return country_name(value)
    if field == "assignees":
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=value).first()
        return user.full_name if user else str(value)
    if isinstance(value, date):
        from django.utils.formats import date_format

        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


ADDRESS_PARTS = ("street", "city", "state", "postal_code", "country")


def person_labels() -> dict[str, str]:
    """Translated labels of the correctable fields, for messages and conflict lists."""
    return {"first_name": _("First name"), "second_name": _("Second name"),
            "birth_date": _("Date of birth"), "age": _("Age at intake"),
            "gender": _("Gender"), "citizenship": _("Citizenship"), "phone": _("Phone"),
            "email": _("E-mail"), "address": _("Address"),
            "identity_documents": _("Identity documents")}


def person_values(case: Case, person: Person) -> dict:
    """The current correctable values (decrypted: the caller shows them to someone allowed)."""
    return {"first_name": person.first_name or "", "second_name": person.second_name or "",
            "birth_date": person.birth_date,
            # The age is only asked for when the date of birth is unknown; otherwise it follows.
            "age": case.age_at_intake if person.birth_date is None else None,
            "gender": case.gender, "citizenship": case.citizenship,
            "phone": person.phone or "", "email": person.email or "",
            "address": {k: (person.address or {}).get(k, "") for k in ADDRESS_PARTS},
            "identity_documents": list(person.identity_documents or [])}


def person_shown(field: str, value: Any) -> str:
    if field == "address":
        from bridgeway.orgs.codes import country_name

        parts = [country_name(v) if k == "country" else v for k, v in (value or {}).items() if v]
        return ", ".join(parts) or "—"
    if field == "identity_documents":
        from bridgeway.cases.codes import IdentityDocumentKind

        kinds = dict(IdentityDocumentKind.choices)
        return "; ".join(f"{kinds.get(d.get('kind'), d.get('kind'))} {d.get('number', '')}"
                         for d in value or []) or "—"
    return shown_value(field, value)


def _person_comparable(field: str, value: Any) -> Any:
    # `value` may come from a client (what it says it read): anything of the wrong shape counts
    # as empty rather than failing.
    if field == "address":
        value = value if isinstance(value, dict) else {}
        return {k: str(value.get(k) or "").strip() for k in ADDRESS_PARTS}
    if field == "identity_documents":
        value = value if isinstance(value, list | tuple) else []
        return [(str(d.get("kind", "")), str(d.get("number", "")).strip()) for d in value
                if isinstance(d, dict)]
    if field == "age":
        return "" if value in (None, "") else str(value)
    return _comparable(value)


def person_same(field: str, a: Any, b: Any) -> bool:
    return _person_comparable(field, a) == _person_comparable(field, b)
