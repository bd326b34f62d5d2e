"""Outreach's words in core's label registry (core.labels): how each of its audit
events reads in the audit log (its labels live in audit_codes.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_sentences

register_sentences({
    "outreach.access.edited": _("%(who)s edited a facility access request"),
    "outreach.access.incident_reported":
        _("%(who)s reported a refused facility access as a civic-space incident"),
    "outreach.access.recorded": _("%(who)s recorded a facility access request"),
    "outreach.activity.edited": _("%(who)s edited an outreach activity"),
    "outreach.activity.recorded": _("%(who)s recorded an outreach activity"),
    "outreach.facility.added": _("%(who)s added a facility to the register"),
    "outreach.training.edited": _("%(who)s edited a training for a state institution"),
    "outreach.training.incident_reported":
        _("%(who)s reported an obstructed training as a civic-space incident"),
    "outreach.training.recorded": _("%(who)s recorded a training for a state institution"),
})
