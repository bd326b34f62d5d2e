"""The audit codes referrals writes, each with the label people read (one line per code).

A new `audit_record(action="referrals.thing.done", ...)` needs its line here: the tests fail on a code
used but not registered. See docs/architecture.md ("Audit codes")."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "referrals.referral.sent": _("Referral sent"),
    "referrals.referral.consent_overridden": _("Referral sent without consent (override)"),
    "referrals.referral.accepted": _("Referral accepted"),
    "referrals.referral.declined": _("Referral declined"),
    "referrals.referral.completed": _("Referral completed"),
    "referrals.referral.revoked": _("Referral revoked"),
    "referrals.referral.expired": _("Referral expired"),
    "referrals.referral.transferred": _("Referral moved with its case"),
    "referrals.message.posted": _("Referral message posted"),
    "referrals.package.handed_over": _("Referral package handed over"),
    "referrals.settings.changed": _("Referral settings changed"),
})
