"""The audit codes organisations writes, each with the label people read (one line per code).

A new `audit_record(action="orgs.thing.done", ...)` needs its line here: the tests fail on a code
used but not registered. See docs/architecture.md ("Audit codes")."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "orgs.organisation.created": _("Organisation added"),
    "orgs.organisation.updated": _("Organisation profile edited"),
    "orgs.organisation.services_set": _("Organisation's services set"),
    "orgs.membership.created": _("Member added"),
    "orgs.membership.role_changed": _("Member's role changed"),
    "orgs.membership.deactivated": _("Member deactivated"),
    "orgs.membership.reactivated": _("Member reactivated"),
    "orgs.invitation.created": _("Invitation sent"),
    "orgs.invitation.accepted": _("Invitation accepted"),
    "orgs.invitation.revoked": _("Invitation revoked"),
    "orgs.contact.added": _("Point of contact added"),
    "orgs.contact.updated": _("Point of contact edited"),
    "orgs.contact.removed": _("Point of contact removed"),
    "orgs.network_membership.created": _("Organisation joined the network"),
    "orgs.network_membership.removed": _("Organisation left the network"),
    "orgs.mechanism.created": _("Task force created"),
    "orgs.mechanism.updated": _("Task force edited"),
    "orgs.mechanism.member_added": _("Task force member added"),
    "orgs.mechanism.member_removed": _("Task force member removed"),
    "orgs.mechanism.meeting_recorded": _("Task force meeting recorded"),
})
