"""Cases' part in subject-access exports, erasure and who sees a person (see
protection/registry.py)."""

from bridgeway.cases import models as m
from bridgeway.cases.models import Case, CaseNote, Person, ServiceDelivery
from bridgeway.cases.queries import cases_visible_to
from bridgeway.protection.registry import (
    register_erasure,
    register_export,
    register_reindex,
    register_subject_visibility,
)


@register_reindex
def _reindex(subject) -> dict:
    from bridgeway.cases.services import person_renormalise

    return person_renormalise(subject=subject)


@register_subject_visibility
def _persons_of_visible_cases(user):
    """A person held by a case is the caseworker's to see only if one of its cases is
    (`cases_visible_to`: the cases assigned to them); a person of no case is left to the other
    rules. Correlated EXISTS on the case's subject index: no per-row queries, no duplicates."""
    from django.db.models import Exists, OuterRef

    held = Case.objects.filter(subject_id=OuterRef("pk"))
    return ~Exists(held) | Exists(held.filter(pk__in=cases_visible_to(user).values("pk")))


@register_export
def _export(subject) -> list[dict]:
    sections = []
    for person in Person.objects.filter(subject=subject).select_related("case"):
        sections.append({"title": f"Case {person.case.reference}", "rows": [{
            "First name": person.first_name or "", "Second name": person.second_name or "",
            "Date of birth": person.birth_date.isoformat() if person.birth_date else "",
            "Phone": person.phone or "", "E-mail": person.email or "",
            "Status": person.case.get_status_display(),
            "Opened": person.case.opened_on.isoformat(),
        }]})
    cases = Case.objects.filter(subject=subject)
    sections.append({"title": "Case notes", "rows": [
        {"Case": n.case.reference, "Written": n.created_at.isoformat(), "Note": n.body or ""}
        for n in CaseNote.objects.filter(case__in=cases).select_related("case")]})
    sections.append({"title": "Services", "rows": [
        {"Case": s.case.reference, "Service": s.get_service_display(),
         "From": s.started_on.isoformat(), "To": s.ended_on.isoformat() if s.ended_on else "",
         "Outcome": s.get_outcome_display()}
        for s in ServiceDelivery.objects.filter(case__in=cases).select_related("case")]})
    return sections


@register_erasure
def _erase(subject) -> None:
    m.Person.objects.filter(subject=subject).update(
        first_name=None, second_name=None, birth_date=None, phone=None, email=None,
        address=None, identity_documents=None)
    m.CaseNote.objects.filter(subject=subject).update(body=None)
    m.TraffickingEvent.objects.filter(subject=subject).update(place=None)
    m.Perpetrator.objects.filter(subject=subject).update(description=None)
    m.Assessment.objects.filter(subject=subject).update(note=None)
    m.AssessmentIndicator.objects.filter(subject=subject).update(note=None)
    m.ServiceDelivery.objects.filter(subject=subject).update(note=None)
    m.PlanObjective.objects.filter(subject=subject).update(objective=None)
    m.CaseTask.objects.filter(subject=subject).update(title=None)
