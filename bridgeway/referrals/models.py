"""Referrals between organisations (NRM inside a country, TRM across borders).

A referral never copies personal data: the recipient reads the chosen sections live from the
sender's case, through the referral, while it is pending or accepted. Free text written about the
person (reasons, override justification) is encrypted under the person's data key."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.protection.fields import EncryptedTextField
from bridgeway.referrals.codes import DeclineReason, Kind, ReferralReason, Section, Status, Urgency


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    sender = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("from"))
    # Either an organisation on the platform, or one that is not (then the off-platform fields
    # are set and the sender hands it an encrypted package): exactly one, by a check constraint.
    recipient = models.ForeignKey("orgs.Organisation", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("to"))
    offplatform_name = models.CharField(_("organisation not on the platform"), max_length=200,
                                        blank=True)
    offplatform_country = models.CharField(_("its country"), max_length=2, blank=True)
    offplatform_type = models.CharField(_("its type"), max_length=40, blank=True)
    # Contact details may name a person (a social worker's phone): encrypted.
    offplatform_contact = EncryptedTextField(null=True)
    package_language = models.CharField(_("package language"), max_length=10, blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    sections = models.JSONField(_("shared sections"), default=list)
    services = models.JSONField(_("services requested"), default=list)
    reason = models.CharField(_("reason"), max_length=40, choices=ReferralReason.choices)
    reason_text = EncryptedTextField(null=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    deadline = models.DateTimeField(_("answer due by"))
    consent = models.ForeignKey("protection.Consent", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    override_reason = EncryptedTextField(null=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=30, blank=True,
                                      choices=DeclineReason.choices)
    decline_text = EncryptedTextField(null=True)
    recipient_case = models.ForeignKey("cases.Case", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("ownership transferred"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["recipient", "status", "-sent_at"]),
                   models.Index(fields=["sender", "status", "-sent_at"]),
                   models.Index(fields=["status", "deadline"]),
                   # An organisation's referrals waiting for its answer in the home queue's
                   # order (nearest deadline, then newest): the page is the index's first rows
                   # even when hundreds share a deadline (issue 18).
                   models.Index(fields=["recipient", "deadline", "-sent_at"],
                                condition=models.Q(status="pending"),
                                name="referrals_pending_deadline2")]
        constraints = [models.CheckConstraint(
            condition=(models.Q(recipient__isnull=False, offplatform_name="")
                       | models.Q(recipient__isnull=True) & ~models.Q(offplatform_name="")),
            name="referral_one_recipient")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_offplatform(self) -> bool:
        return self.recipient_id is None

    @property
    def recipient_name(self) -> str:
        if self.recipient_id is None:
            return _("%(name)s (not on Bridgeway)") % {"name": self.offplatform_name}
        return self.recipient.name

    @property
    def is_active(self) -> bool:
        return self.status in (Status.PENDING, Status.ACCEPTED)

    def section_labels(self) -> list[str]:
        return [str(Section(s).label) for s in self.sections if s in Section.values]

    def service_labels(self) -> list[str]:
        from bridgeway.orgs.codes import Service

        return [str(Service(s).label) for s in self.services if s in Service.values]


class ReferralSettings(models.Model):
    """How long an organisation gives recipients to answer its referrals, by urgency."""

    organisation = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE,
                                        related_name="+")
    urgent_hours = models.PositiveSmallIntegerField(_("urgent: hours to answer"), default=4)
    normal_working_days = models.PositiveSmallIntegerField(
        _("normal: working days to answer"), default=3)
    low_working_days = models.PositiveSmallIntegerField(_("low: working days to answer"),
                                                        default=10)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"referral settings of {self.organisation_id}"


class ReferralMessage(models.Model):
    """One message of a referral's confidential thread between its two sides. The body is
    encrypted under the person's data key, so erasing the person shreds the thread too."""

    MAX_BODY = 10_000

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    author_org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                   related_name="+")
    side = models.CharField(max_length=10, choices=[("sender", _("sender")),
                                                    ("recipient", _("recipient"))])
    body = EncryptedTextField(null=True)
    attachment = models.ForeignKey("protection.EncryptedDocument", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # Unread messages, newest first, of one side of the threads (the home queue): a
            # contact point with thousands of referrals reads the newest rows of this index and
            # stops at a page instead of sorting every message of every thread.
            models.Index(fields=["side", "-created_at"], name="referral_message_side_new"),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class MessageReceipt(models.Model):
    message = models.ForeignKey(ReferralMessage, on_delete=models.CASCADE,
                                related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["read_at"]
        constraints = [models.UniqueConstraint("message", "user", name="receipt_once_per_user")]

    def __str__(self) -> str:
        return f"{self.message_id} read by {self.user_id}"
