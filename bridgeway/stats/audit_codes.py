"""The audit codes statistics writes, each with the label people read (one line per code).

A new `audit_record(action="stats.thing.done", ...)` needs its line here: the tests fail on a code
used but not registered. See docs/architecture.md ("Audit codes")."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "stats.dataset.imported": _("Dataset imported"),
    "stats.dataset.deleted": _("Dataset deleted"),
    "stats.live.refreshed": _("Statistics from case work refreshed"),
    "stats.export.created": _("Statistics exported"),
    "stats.export.personal": _("Export with personal data"),
    "stats.export.queued": _("Large export handed to the background worker"),
    "stats.export.downloaded": _("Prepared export downloaded"),
    "stats.export.interrupted": _("Export interrupted (its worker stopped)"),
    "stats.export.resumed": _("Export resumed after an interruption"),
    "stats.budget.set": _("Privacy budget set"),
    "stats.release.created": _("Release prepared"),
    "stats.release.approved": _("Release approved"),
    "stats.release.published": _("Release published"),
    "stats.import.interrupted": _("Import interrupted (its worker stopped)"),
    "stats.import.resumed": _("Import resumed after an interruption"),
})
