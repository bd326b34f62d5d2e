"""The audit codes estimation writes, each with the label people read (one line per code)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "estimation.linkage_settings.updated": _("Linkage settings changed"),
    "estimation.linkage_secret.reset": _("Linkage secret destroyed to start over"),
    "estimation.participation.updated": _("Participation in linkage changed"),
    "estimation.encodings.requested": _("Encodings requested"),
    "estimation.encodings.computed": _("Encodings computed"),
    "estimation.encodings.uploaded": _("Encodings uploaded"),
    "estimation.linkage_run.started": _("Linkage run started"),
    "estimation.linkage_run.finished": _("Linkage run finished"),
    "estimation.estimate.requested": _("Estimate requested"),
    "estimation.estimate.finished": _("Estimate finished"),
    "estimation.estimate.approved": _("Estimate approved"),
    "estimation.estimate.published": _("Estimate published"),
    "estimation.dedupe_run.started": _("Duplicate check started"),
    "estimation.dedupe_run.finished": _("Duplicate check finished"),
    "estimation.candidate_pair.confirmed": _("Possible duplicate confirmed as the same person"),
    "estimation.candidate_pair.rejected": _("Possible duplicate rejected"),
    "estimation.task.resumed": _("Estimation task started again after its worker stopped"),
    "estimation.task.interrupted": _("Estimation task failed: its worker stopped"),
})
