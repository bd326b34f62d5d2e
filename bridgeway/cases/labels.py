"""What the case screens show from stored codes, in words: the victim context of a case, its
trafficking events and the entries of its timeline (audit actions and their coded payloads).
Stored values stay HTCDS codes; every word comes from core's one label registry
(bridgeway.core.labels), where cases/words.py registers the case's code sets, payload keys and
field names. A person reading the page sees words in their language, never a code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from bridgeway.core.labels import describe_objects, details, label, labels, payload_objects
from bridgeway.protection.registry import audit_code_label

# The coded victim-context fields (vic_) in the order the case page shows them, with their code
# set in the registry.
_CONTEXT_FIELDS = [
    ("trafficking_status", "cases.trafficking_status"),
    ("exploitation_types", "cases.exploitation"),
    ("forced_labour_industry", "cases.forced_labour_industry"),
    ("recruitment_methods", "cases.recruitment_method"),
    ("control_methods", "cases.control_method"),
    ("relationship_to_trafficker", "cases.relationship"),
    ("recruitment_country", "country"),
    ("exploitation_country", "country"),
]


def victim_context(case) -> list[dict]:
    """Every victim-context field of `case` as {"label", "values"} with translated values (an
    empty list when nothing is recorded)."""
    rows = []
    for field, kind in _CONTEXT_FIELDS:
        value = getattr(case, field)
        values = value if isinstance(value, list) else ([value] if value else [])
        rows.append({"field": field, "label": label(field, "cases.field"),
                     "values": labels(values, kind)})
    return rows


def event_rows(case) -> list[dict]:
    """The trafficking events (recruitment, transit, exploitation) with translated kinds and
    country names; the place is the caseworker's own wording."""
    rows = []
    for e in case.events.all().order_by("date_from", "pk"):
        if case.subject_id is not None and e.subject_id == case.subject_id:
            e.subject = case.subject  # loaded with the case: no query per event
        rows.append({"kind": label(e.kind, "cases.event_kind"),
                     "country": label(e.country, "country"),
                     "place": e.place or "", "date_from": e.date_from, "date_to": e.date_to})
    return rows


def timeline_entries(events) -> list[dict]:
    """Audit events as the timeline shows them: the translated action and its details as
    (label, value) pairs, read as the audit log reads them (the objects a page names looked up
    at once). Keys nobody has labelled are left out rather than shown raw."""
    events = list(events)
    objects = describe_objects(pair for e in events
                               for pair in payload_objects(e.action, e.payload))
    return [{"at": e.created_at, "who": e.actor.full_name if e.actor else "",
             "action": e.action,
             "label": str(audit_code_label(e.action, gettext_lazy("Other change"))),
             "details": details(e.action, e.payload, objects)}
            for e in events]
