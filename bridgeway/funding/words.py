"""Funding's words in core's label registry (core.labels): how each of its audit
events reads in the audit log (its labels live in audit_codes.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_sentences

register_sentences({
    "funding.finance_people.changed": _("%(who)s changed who handles finance"),
    "funding.funder.added": _("%(who)s added a funder to the register"),
    "funding.grants.exported": _("%(who)s exported the funding records"),
    "funding.grants.imported": _("%(who)s imported 360Giving grants"),
    "funding.ledger.imported": _("%(who)s imported a funding ledger"),
    "funding.mapping.set": _("%(who)s mapped a survey question to a funding indicator"),
    "funding.profile.edited": _("%(who)s changed the organisation's org-id"),
    "funding.rates.imported": _("%(who)s imported currency rates"),
    "funding.record.added": _("%(who)s added a funding record"),
    "funding.record.deleted": _("%(who)s deleted a funding record"),
    "funding.record.edited": _("%(who)s edited a funding record"),
    "funding.resilience.recorded": _("%(who)s recorded resilience figures"),
    "funding.survey_values.applied": _("%(who)s applied survey answers to funding indicators"),
    "funding.threshold.set": _("%(who)s set the network's funding threshold"),
})
