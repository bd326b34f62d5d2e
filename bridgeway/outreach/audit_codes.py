"""The audit codes outreach writes, each with the label people read (one line per code)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "outreach.activity.recorded": _("Outreach activity recorded"),
    "outreach.activity.edited": _("Outreach activity edited"),
    "outreach.access.recorded": _("Facility access request recorded"),
    "outreach.access.edited": _("Facility access request edited"),
    "outreach.access.incident_reported": _("Facility access refusal reported as a civic-space "
                                           "incident"),
    "outreach.training.recorded": _("Training for a state institution recorded"),
    "outreach.training.edited": _("Training for a state institution edited"),
    "outreach.training.incident_reported": _("Obstructed training reported as a civic-space "
                                             "incident"),
    "outreach.facility.added": _("Facility added to the register"),
    "outreach.facility.edited": _("Facility in the register edited"),
    "outreach.facility.deactivated": _("Facility in the register deactivated"),
    "outreach.facility.reactivated": _("Facility in the register reactivated"),
})
