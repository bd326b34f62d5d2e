"""The civic-space monitor's words in core's label registry (core.labels): restriction families,
actors, statuses, ratings, and how the audit log names an incident (its title, linked)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.codes import (
    SEEDED_LABELS,
    Actor,
    Answer,
    Civicus,
    ConsultationKind,
    ConsultationStage,
    Family,
    Feedback,
    Method,
    Severity,
    Status,
    Trend,
    Visibility,
)
from bridgeway.civicspace.models import Incident, RestrictionType
from bridgeway.core.labels import (
    register_codes,
    register_details,
    register_objects,
    register_sentences,
)

for kind, choices in {
    "civicspace.family": Family, "civicspace.actor": Actor, "civicspace.status": Status,
    "civicspace.visibility": Visibility, "civicspace.civicus": Civicus,
    "civicspace.trend": Trend, "civicspace.consultation_kind": ConsultationKind,
    "civicspace.consultation_stage": ConsultationStage, "civicspace.answer": Answer,
    "civicspace.method": Method, "civicspace.feedback": Feedback,
}.items():
    register_codes(kind, choices)
register_codes("civicspace.severity", lambda code: dict(
    (str(value), label) for value, label in Severity.choices).get(str(code)))


def _restriction_type(code: str) -> str | None:
    if code in SEEDED_LABELS:
        return str(SEEDED_LABELS[code])
    own = RestrictionType.objects.filter(code=code).values_list("own_label", flat=True).first()
    return own or None


register_codes("civicspace.restriction_type", _restriction_type)


def _incidents(ids: list[str]) -> dict[str, tuple[str, str]]:
    import uuid

    good = []
    for value in ids:
        try:
            good.append(uuid.UUID(value))
        except ValueError:
            continue
    return {str(pk): (str(_("incident “%(title)s”") % {"title": title}),
                      reverse("civicspace:detail", args=[pk]))
            for pk, title in Incident.objects.filter(pk__in=good).values_list("pk", "title")}


register_objects("civicspace.incident", _incidents)

register_details({
    "family": (_("Kind of restriction"), "civicspace.family"),
    "visibility": (_("Visibility"), "civicspace.visibility"),
    "stage": (_("Stage"), "civicspace.consultation_stage"),
    "feedback": (_("Feedback"), "civicspace.feedback"),
    "rating": (_("Rating"), "civicspace.civicus"),
    "incident": (_("Incident"), "civicspace.incident"),
})

register_sentences({
    "civicspace.incident.reported": _("%(who)s reported %(subject)s"),
    "civicspace.incident.review_started": _("%(who)s started reviewing %(subject)s"),
    "civicspace.incident.verified": _("%(who)s verified %(subject)s"),
    "civicspace.incident.published": _("%(who)s published %(subject)s"),
    "civicspace.incident.rejected": _("%(who)s rejected %(subject)s"),
})

# An incident's history: what each version did, and the names of what it changed.
register_codes("civicspace.version_action", {
    "reported": _("Reported"), "edited": _("Edited"), "review_started": _("Review started"),
    "verified": _("Verified"), "published": _("Published"), "rejected": _("Rejected"),
})
register_codes("civicspace.field", {
    "title": _("Title"), "started_on": _("Start date"), "ended_on": _("End date"),
    "country": _("Country"), "region": _("Region"), "actors": _("Actors"),
    "types": _("Restriction types"), "description": _("Description"), "severity": _("Severity"),
    "visibility": _("Visibility"), "status": _("Status"),
    "affected": _("Affected organisations"), "sources": _("Sources"),
    # consultations and country assessments
    "kind": _("Kind"), "stage": _("Stage"), "opened_on": _("Opened on"),
    "closes_on": _("Closes on"), "url": _("Link"), "rating": _("Rating"), "trend": _("Trend"),
    "summary": _("Summary"), "year": _("Year"), "period_start": _("Period start"),
    "period_end": _("Period end"), "justification": _("Justification"),
})

register_sentences({
    "civicspace.assessment.edited": _("%(who)s edited a country assessment"),
    "civicspace.assessment.recorded": _("%(who)s recorded a country assessment"),
    "civicspace.consultation.added": _("%(who)s added a consultation"),
    "civicspace.consultation.edited": _("%(who)s edited a consultation"),
    "civicspace.document.uploaded": _("%(who)s uploaded a document to %(subject)s"),
    "civicspace.incident.edited": _("%(who)s edited %(subject)s"),
    "civicspace.participation.recorded": _("%(who)s recorded participation in a consultation"),
    "civicspace.type.added": _("%(who)s added a restriction type"),
    "civicspace.type.deactivated": _("%(who)s deactivated a restriction type"),
})
