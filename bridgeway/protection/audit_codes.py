"""The audit codes protection writes, each with the label people read (one line per code).

A new `audit_record(action="protection.thing.done", ...)` needs its line here: the tests fail on a code
used but not registered. See docs/architecture.md ("Audit codes")."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "protection.access.reviewed": _("Unusual access marked as reviewed"),
    "protection.blind_index.rebuilt": _("Search indexes rebuilt"),
    "protection.subject.created": _("Person registered"),
    "protection.subject.moved": _("Person moved to another organisation"),
    "protection.subject.exported": _("Person's data exported (subject access)"),
    "protection.subject.erased": _("Person's data erased"),
    "protection.subject.legal_hold_set": _("Legal hold set"),
    "protection.subject.retention_anchor_set": _("Retention start date set"),
    "protection.consent.recorded": _("Consent recorded"),
    "protection.consent.withdrawn": _("Consent withdrawn"),
    "protection.document.uploaded": _("Document uploaded"),
    "protection.erasure.requested": _("Erasure requested"),
    "protection.erasure.approved": _("Erasure approved"),
    "protection.erasure.rejected": _("Erasure rejected"),
    "protection.retention_policy.set": _("Retention policy set"),
    "protection.keys.organisation_key_set": _("Organisation's encryption key set"),
    "protection.keys.rewrapped": _("Data keys re-wrapped"),
    "protection.audit_log.exported": _("Audit log exported"),
    "protection.access_log.exported": _("Access log exported"),
})
