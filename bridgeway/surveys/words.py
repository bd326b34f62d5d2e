"""Surveys's words in core's label registry (core.labels): how each of its audit
events reads in the audit log (its labels live in audit_codes.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_sentences

register_sentences({
    "surveys.form.uploaded": _("%(who)s uploaded a survey form"),
    "surveys.submission.reopened": _("%(who)s reopened survey answers"),
    "surveys.submission.saved": _("%(who)s saved survey answers as a draft"),
    "surveys.submission.submitted": _("%(who)s submitted survey answers"),
    "surveys.submissions.exported": _("%(who)s exported survey answers"),
    "surveys.survey.closed": _("%(who)s closed a survey"),
    "surveys.survey.created": _("%(who)s created a survey"),
    "surveys.survey.edited": _("%(who)s edited a survey"),
    "surveys.survey.opened": _("%(who)s opened a survey for answers"),
    "surveys.texts.read": _("%(who)s read free-text answers of a survey"),
})
