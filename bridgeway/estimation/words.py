"""Population estimation's words in core's label registry (core.labels): how each of its audit
events reads in the audit log (its labels live in audit_codes.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_sentences

register_sentences({
    "estimation.candidate_pair.confirmed": _("%(who)s confirmed a possible duplicate as the same person"),
    "estimation.candidate_pair.rejected": _("%(who)s rejected a possible duplicate"),
    "estimation.dedupe_run.finished": _("%(who)s finished a duplicate check"),
    "estimation.dedupe_run.started": _("%(who)s started a duplicate check"),
    "estimation.encodings.computed": _("%(who)s computed encodings"),
    "estimation.encodings.requested": _("%(who)s requested encodings"),
    "estimation.encodings.uploaded": _("%(who)s uploaded encodings"),
    "estimation.estimate.approved": _("%(who)s approved an estimate"),
    "estimation.estimate.finished": _("%(who)s finished an estimate"),
    "estimation.estimate.published": _("%(who)s published an estimate"),
    "estimation.estimate.requested": _("%(who)s requested an estimate"),
    "estimation.linkage_run.finished": _("%(who)s finished a linkage run"),
    "estimation.linkage_run.started": _("%(who)s started a linkage run"),
    "estimation.linkage_secret.reset": _("%(who)s destroyed the linkage secret to start over"),
    "estimation.linkage_settings.updated": _("%(who)s changed the linkage settings"),
    "estimation.participation.updated": _("%(who)s changed the organisation's participation in linkage"),
    "estimation.task.interrupted": _("%(who)s: an estimation task failed because its worker stopped"),
    "estimation.task.resumed": _("%(who)s: an estimation task started again after its worker stopped"),
})
