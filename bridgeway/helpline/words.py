"""The helpline's words in core's label registry (core.labels): how each of its audit
events reads in the audit log (its labels live in audit_codes.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_codes, register_details, register_sentences
from bridgeway.helpline.codes import Channel, Outcome, Status

register_sentences({
    "helpline.contact.discarded": _("%(who)s discarded a held submission"),
    "helpline.contact.linked": _("%(who)s linked a helpline contact to %(subject)s"),
    "helpline.contact.received": _("%(who)s received a public form submission"),
    "helpline.contact.recorded": _("%(who)s recorded a helpline contact"),
    "helpline.contact.released": _("%(who)s let a held submission into triage"),
    "helpline.contact.updated": _("%(who)s edited a helpline contact"),
    "helpline.follow_up.done": _("%(who)s marked a helpline follow-up as done"),
    "helpline.import.done": _("%(who)s imported a call log"),
    "helpline.settings.set": _("%(who)s changed the helpline settings"),
})

register_codes("helpline.channel", Channel)
register_codes("helpline.outcome", Outcome)
register_codes("helpline.status", Status)
_DETAILS = {"channel": (_("Channel"), "helpline.channel"),
            "outcome": (_("Outcome"), "helpline.outcome"),
            "status": (_("Status"), "helpline.status")}
for _action in ("helpline.contact.recorded", "helpline.contact.received",
                "helpline.contact.updated", "helpline.contact.released",
                "helpline.contact.discarded", "helpline.follow_up.done"):
    register_details(_DETAILS, action=_action)
