"""Translated labels for what the case screens show from stored codes: the victim context of a
case and the entries of its timeline (audit actions and their coded payloads). Stored values stay
HTCDS codes; a person reading the page sees words in their language, never a code."""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgeway.cases.changes import person_labels
from bridgeway.cases.codes import (
    CaseStatus,
    CloseReason,
    ContactChannel,
    ControlMethod,
    DecisionOrg,
    EventKind,
    Exploitation,
    ForcedLabourIndustry,
    RecruitmentMethod,
    Relationship,
    ServiceOutcome,
    TraffickingStatus,
)
from bridgeway.cases.models import Case, Decision, IndicatorSet
from bridgeway.orgs.codes import Service, country_name
from bridgeway.protection.registry import audit_code_label


def code_label(choices: type[TextChoices], value) -> str:
    """The translated label of a stored code; an unknown code (an older list) as it is."""
    if value in (None, ""):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def code_labels(choices: type[TextChoices], values) -> list[str]:
    return [code_label(choices, v) for v in (values or [])]


# The coded victim-context fields (vic_) in the order the case page shows them.
_CONTEXT_FIELDS = [
    ("trafficking_status", TraffickingStatus),
    ("exploitation_types", Exploitation),
    ("forced_labour_industry", ForcedLabourIndustry),
    ("recruitment_methods", RecruitmentMethod),
    ("control_methods", ControlMethod),
    ("relationship_to_trafficker", Relationship),
    ("recruitment_country", "country"),
    ("exploitation_country", "country"),
]


def field_label(field: str) -> str:
    """The translated name of a field of the case or of its person (a correction of the
    person's details names the person's fields)."""
    from django.core.exceptions import FieldDoesNotExist

    person = person_labels()
    if field in person:
        return str(person[field])
    try:
        return str(capfirst(Case._meta.get_field(field).verbose_name))
    except FieldDoesNotExist:
        return field.replace("_", " ").capitalize()  # a field of a later version


def victim_context(case) -> list[dict]:
    """Every victim-context field of `case` as {"label", "values"} with translated values (an
    empty list when nothing is recorded); plus the places of its trafficking events."""
    rows = []
    for field, choices in _CONTEXT_FIELDS:
        value = getattr(case, field)
        values = value if isinstance(value, list) else ([value] if value else [])
        if choices == "country":
            shown = [country_name(v) for v in values]
        else:
            shown = code_labels(choices, values)
        rows.append({"field": field, "label": field_label(field), "values": shown})
    return rows


def event_rows(case) -> list[dict]:
    """The trafficking events (recruitment, transit, exploitation) with translated kinds and
    country names; the place is the caseworker's own wording."""
    rows = []
    for e in case.events.all().order_by("date_from", "pk"):
        if case.subject_id is not None and e.subject_id == case.subject_id:
            e.subject = case.subject  # loaded with the case: no query per event
        rows.append({"kind": code_label(EventKind, e.kind), "country": country_name(e.country),
                     "place": e.place or "", "date_from": e.date_from, "date_to": e.date_to})
    return rows


# Payload keys: their label and how to read the value. Payloads hold codes and ids only.
_KEYS = {
    "child": (gettext_lazy("Child"), "bool"),
    "reason": (gettext_lazy("Reason"), CloseReason),
    "service": (gettext_lazy("Service"), Service),
    "outcome": (gettext_lazy("Outcome"), ServiceOutcome),
    "set": (gettext_lazy("Indicator set"), "indicator_set"),
    "version": (gettext_lazy("Version"), "plain"),
    "count": (gettext_lazy("Indicators recorded"), "plain"),
    "indicates": (gettext_lazy("Indicators point to trafficking"), "bool"),
    "state": (gettext_lazy("State"), "decision_state"),
    "decision_org": (gettext_lazy("Decided by"), DecisionOrg),
    "fields": (gettext_lazy("Fields changed"), "fields"),
    "users": (gettext_lazy("Caseworkers"), "users"),
    "assignee": (gettext_lazy("Assigned to"), "users"),
    "channel": (gettext_lazy("Channel"), ContactChannel),
    "kind": (gettext_lazy("Kind"), EventKind),
    "country": (gettext_lazy("Country"), "country"),
    "citizenship": (gettext_lazy("Citizenship"), "country"),
    "relationship": (gettext_lazy("Relationship"), Relationship),
}
# Keys whose meaning depends on the action.
_BY_ACTION = {
    ("cases.case.status_changed", "from"): (gettext_lazy("From"), CaseStatus),
    ("cases.case.status_changed", "to"): (gettext_lazy("To"), CaseStatus),
    ("cases.case.transferred", "from"): (gettext_lazy("From"), "organisation"),
    ("cases.case.transferred", "to"): (gettext_lazy("To"), "organisation"),
    ("cases.decision.recorded", "status"): (gettext_lazy("Decision"), TraffickingStatus),
    ("cases.decision.formal_recorded", "status"): (gettext_lazy("Decision"), TraffickingStatus),
}


def _read(kind, value, lookups) -> str:
    if value is None or value == "" or value == []:
        return ""
    if kind == "bool":
        return _("yes") if value else _("no")
    if kind == "plain":
        return str(value)
    if kind == "country":
        return country_name(value)
    if kind == "fields":
        return ", ".join(field_label(f) for f in value)
    if kind == "decision_state":
        return code_label(Decision.State, value)
    if kind in ("users", "organisation", "indicator_set"):
        names = lookups[kind]
        return ", ".join(names.get(v, "—") for v in (value if isinstance(value, list)
                                                     else [value]))
    if isinstance(kind, type) and issubclass(kind, TextChoices):
        return ", ".join(code_labels(kind, value)) if isinstance(value, list) \
            else code_label(kind, value)
    return ""


def _lookups(events) -> dict:
    from django.contrib.auth import get_user_model

    from bridgeway.orgs.models import Organisation

    wanted: dict[str, set] = {"users": set(), "organisation": set(), "indicator_set": set()}
    for e in events:
        for key, value in (e.payload or {}).items():
            kind = _BY_ACTION.get((e.action, key), _KEYS.get(key, (None, None)))[1]
            if kind in wanted:
                wanted[kind].update(value if isinstance(value, list) else [value])
    return {
        "users": dict(get_user_model().objects.filter(pk__in=wanted["users"])
                      .values_list("pk", "full_name")),
        "organisation": dict(Organisation.objects.filter(pk__in=wanted["organisation"])
                             .values_list("pk", "name")),
        "indicator_set": {code: label for code, label in IndicatorSet.objects.filter(
            code__in=wanted["indicator_set"]).values_list("code", "label")},
    }


def timeline_entries(events) -> list[dict]:
    """Audit events as the timeline shows them: the translated action and its details as
    (label, value) pairs. Keys nobody has labelled yet are left out rather than shown raw."""
    events = list(events)
    lookups = _lookups(events)
    entries = []
    for e in events:
        details = []
        for key, value in (e.payload or {}).items():
            label, kind = _BY_ACTION.get((e.action, key), _KEYS.get(key, (None, None)))
            shown = _read(kind, value, lookups) if label else ""
            if shown:
                details.append((str(label), shown))
        entries.append({"at": e.created_at, "who": e.actor.full_name if e.actor else "",
                        "action": e.action,
                        "label": str(audit_code_label(e.action, gettext_lazy("Other change"))),
                        "details": details})
    return entries
