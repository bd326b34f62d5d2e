"""The audit codes the funding app writes, each with the label people read (one line per code).
See docs/architecture.md ("Audit codes")."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "funding.funder.added": _("Funder added to the register"),
    "funding.record.added": _("Funding record added"),
    "funding.record.edited": _("Funding record edited"),
    "funding.record.deleted": _("Funding record deleted"),
    "funding.resilience.recorded": _("Resilience figures recorded"),
    "funding.finance_people.changed": _("Finance people changed"),
    "funding.profile.edited": _("Organisation's org-id changed"),
    "funding.rates.imported": _("Currency rates imported"),
    "funding.threshold.set": _("Network funding threshold set"),
    "funding.mapping.set": _("Survey question mapped to a funding indicator"),
    "funding.survey_values.applied": _("Survey answers applied to funding indicators"),
    "funding.ledger.imported": _("Funding ledger imported"),
    "funding.grants.imported": _("360Giving grants imported"),
    "funding.grants.exported": _("Funding records exported"),
})
