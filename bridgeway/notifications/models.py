"""In-app notifications. A notification carries a kind (a code), a local link made of ids and
nothing else: no names, no notes. The e-mail that may go with it carries only the link."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("A referral was sent to your organisation")
    REFERRAL_ANSWERED = "referral_answered", _("A referral you sent was answered")
    REFERRAL_ACCEPTED = "referral_accepted", _("A referral you sent was accepted")
    REFERRAL_DECLINED = "referral_declined", _("A referral you sent was declined")
    REFERRAL_COMPLETED = "referral_completed", _("A referral you sent was completed")
    REFERRAL_REMINDER = "referral_reminder", _("A referral is waiting for an answer")
    REFERRAL_ESCALATED = "referral_escalated", _("A referral passed its deadline unanswered")
    REFERRAL_REVOKED = "referral_revoked", _("A referral to your organisation was revoked")
    REFERRAL_MESSAGE = "referral_message", _("New message in a referral's thread")
    TASK_OVERDUE = "task_overdue", _("One of your tasks is overdue")
    DECISION_AWAITING_APPROVAL = "decision_awaiting", _(
        "An identification decision waits for your approval")
    SURVEY_INVITED = "survey_invited", _("Your organisation is asked to answer a survey")
    SURVEY_REMINDER = "survey_reminder", _("A survey's deadline is near and your answer is "
                                           "missing")
    HELPLINE_SUBMISSIONS = "helpline_submissions", _(
        "New public-form submissions wait in the helpline triage")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    # A local path such as /referrals/<uuid>/ — ids only, checked at creation.
    link = models.CharField(max_length=200)
    # The reference of what it is about (a referral's or a case's code, never a name), shown
    # beside the kind so the person knows which one without opening it.
    reference = models.CharField(max_length=30, blank=True)
    # The organisation whose step it was (the recipient that accepted a referral, the sender that
    # revoked one): a name every member of either side already sees on the referral.
    by_organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    # Deduplication: one notification per (user, key) — e.g. one reminder per referral and day.
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [models.UniqueConstraint(
            "user", "key", condition=~models.Q(key=""), name="notification_once_per_key")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"

    @property
    def summary(self) -> str:
        """What happened, to which reference, and the outcome: "Referral R-… was accepted by
        Lumina Centre"."""
        if not self.reference:
            return str(self.get_kind_display())
        by = self.by_organisation.name if self.by_organisation_id and self.by_organisation else ""
        sentence = (_SENTENCES_BY if by else _SENTENCES).get(self.kind)
        if sentence is None:
            return _("%(what)s: %(reference)s") % {"what": self.get_kind_display(),
                                                   "reference": self.reference}
        try:
            return str(sentence) % {"reference": self.reference, "by": by}
        except (KeyError, ValueError, TypeError):  # a translation with a broken placeholder
            return _("%(what)s: %(reference)s") % {"what": self.get_kind_display(),
                                                   "reference": self.reference}


# What each kind says about its reference; with the organisation whose step it was, if known.
_SENTENCES: dict[str, Any] = {
    Kind.REFERRAL_RECEIVED: _("Referral %(reference)s was sent to your organisation"),
    Kind.REFERRAL_ANSWERED: _("Referral %(reference)s was answered"),
    Kind.REFERRAL_ACCEPTED: _("Referral %(reference)s was accepted"),
    Kind.REFERRAL_DECLINED: _("Referral %(reference)s was declined"),
    Kind.REFERRAL_COMPLETED: _("Referral %(reference)s was completed"),
    Kind.REFERRAL_REMINDER: _("Referral %(reference)s waits for your answer"),
    Kind.REFERRAL_ESCALATED: _("Referral %(reference)s passed its deadline unanswered"),
    Kind.REFERRAL_REVOKED: _("Referral %(reference)s was revoked"),
    Kind.REFERRAL_MESSAGE: _("New message on referral %(reference)s"),
    Kind.TASK_OVERDUE: _("A task of case %(reference)s is overdue"),
    Kind.DECISION_AWAITING_APPROVAL: _(
        "An identification decision on case %(reference)s waits for your approval"),
}
_SENTENCES_BY: dict[str, Any] = {
    Kind.REFERRAL_RECEIVED: _("Referral %(reference)s was sent to your organisation by %(by)s"),
    Kind.REFERRAL_ACCEPTED: _("Referral %(reference)s was accepted by %(by)s"),
    Kind.REFERRAL_DECLINED: _("Referral %(reference)s was declined by %(by)s"),
    Kind.REFERRAL_COMPLETED: _("Referral %(reference)s was completed by %(by)s"),
    Kind.REFERRAL_ESCALATED: _("Referral %(reference)s passed its deadline unanswered by %(by)s"),
    Kind.REFERRAL_REVOKED: _("Referral %(reference)s was revoked by %(by)s"),
    Kind.REFERRAL_MESSAGE: _("New message from %(by)s on referral %(reference)s"),
}
