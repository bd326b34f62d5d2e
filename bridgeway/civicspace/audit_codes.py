"""The audit codes civic space writes, each with the label people read (one line per code).

A new `audit_record(action="civicspace.thing.done", ...)` needs its line here: the tests fail on a code
used but not registered. See docs/architecture.md ("Audit codes")."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "civicspace.incident.reported": _("Incident reported"),
    "civicspace.incident.edited": _("Incident edited"),
    "civicspace.incident.review_started": _("Incident review started"),
    "civicspace.incident.verified": _("Incident verified"),
    "civicspace.incident.published": _("Incident published"),
    "civicspace.incident.rejected": _("Incident rejected"),
    "civicspace.type.added": _("Restriction type added"),
    "civicspace.type.deactivated": _("Restriction type deactivated"),
    "civicspace.assessment.recorded": _("Country assessment recorded"),
    "civicspace.assessment.edited": _("Country assessment edited"),
    "civicspace.consultation.added": _("Consultation added"),
    "civicspace.consultation.edited": _("Consultation edited"),
    "civicspace.participation.recorded": _("Participation in a consultation recorded"),
    "civicspace.document.uploaded": _("Incident document uploaded"),
})
