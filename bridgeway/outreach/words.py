"""Outreach's words in core's label registry (core.labels): how each of its audit
events reads in the audit log (its labels live in audit_codes.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_codes, register_details, register_sentences
from bridgeway.outreach import forms
from bridgeway.outreach.codes import Outcome, TrainingStatus

register_sentences({
    "outreach.access.edited": _("%(who)s edited a facility access request"),
    "outreach.access.incident_reported":
        _("%(who)s reported a refused facility access as a civic-space incident"),
    "outreach.access.recorded": _("%(who)s recorded a facility access request"),
    "outreach.activity.edited": _("%(who)s edited an outreach activity"),
    "outreach.facility.edited": _("%(who)s edited a facility in the register"),
    "outreach.facility.deactivated": _("%(who)s deactivated a facility in the register"),
    "outreach.facility.reactivated": _("%(who)s reactivated a facility in the register"),
    "outreach.activity.recorded": _("%(who)s recorded an outreach activity"),
    "outreach.facility.added": _("%(who)s added a facility to the register"),
    "outreach.training.edited": _("%(who)s edited a training for a state institution"),
    "outreach.training.incident_reported":
        _("%(who)s reported an obstructed training as a civic-space incident"),
    "outreach.training.recorded": _("%(who)s recorded a training for a state institution"),
})


def _field_names() -> dict[str, object]:
    """The outreach forms' own labels for the fields an edit names in its audit payload."""
    from django.utils.text import capfirst

    from bridgeway.outreach import models

    names: dict[str, object] = {}
    for model in (models.Activity, models.AccessRequest, models.Training):
        for column in model._meta.fields:
            names.setdefault(column.name, capfirst(column.verbose_name))
    for form in (forms.ActivityForm, forms.AccessForm, forms.TrainingForm, forms.FacilityEditForm):
        for name, field in form.base_fields.items():
            if field.label:
                names[name] = field.label
    return names


register_codes("outreach.field", _field_names())
register_codes("outreach.outcome", Outcome)
register_codes("outreach.training_status", TrainingStatus)
for _action in ("outreach.activity.recorded", "outreach.activity.edited",
                "outreach.access.recorded", "outreach.access.edited",
                "outreach.training.recorded", "outreach.training.edited",
                "outreach.facility.edited"):
    register_details({"fields": (_("Fields changed"), "outreach.field"),
                      "outcome": (_("Outcome"), "outreach.outcome"),
                      "status": (_("Status"), "outreach.training_status")}, action=_action)
