"""The helpline's words in core's label registry (core.labels): how each of its audit
events reads in the audit log (its labels live in audit_codes.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_sentences

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
