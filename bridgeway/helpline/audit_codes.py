from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "helpline.contact.recorded": _("Helpline contact recorded"),
    "helpline.contact.updated": _("Helpline contact updated"),
    "helpline.contact.received": _("Public form submission received"),
    "helpline.contact.released": _("Held submission let into triage"),
    "helpline.contact.discarded": _("Held submission discarded"),
    "helpline.contact.linked": _("Helpline contact linked to the case"),
    "helpline.follow_up.done": _("Helpline follow-up done"),
    "helpline.settings.set": _("Helpline settings changed"),
    "helpline.import.done": _("Call log imported"),
})
