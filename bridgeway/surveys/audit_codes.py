"""The audit codes surveys write, each with the label people read (one line per code)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "surveys.survey.created": _("Survey created"),
    "surveys.survey.edited": _("Survey edited"),
    "surveys.survey.opened": _("Survey opened for answers"),
    "surveys.survey.closed": _("Survey closed"),
    "surveys.form.uploaded": _("Survey form uploaded"),
    "surveys.submission.saved": _("Survey answers saved as a draft"),
    "surveys.submission.submitted": _("Survey answers submitted"),
    "surveys.submission.reopened": _("Survey answers reopened"),
    "surveys.submissions.exported": _("Survey answers exported"),
    "surveys.texts.read": _("Free-text survey answers read"),
})
