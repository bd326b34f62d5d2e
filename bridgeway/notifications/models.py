"""In-app notifications. A notification carries a kind (a code), a local link made of ids and
nothing else: no names, no notes. The e-mail that may go with it carries only the link."""

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
        """What happened, and to which reference: "A referral you sent was accepted: R-…"."""
        what = self.get_kind_display()
        if not self.reference:
            return str(what)
        return _("%(what)s: %(reference)s") % {"what": what, "reference": self.reference}
