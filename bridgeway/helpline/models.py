"""Helpline contacts, the organisation's helpline settings and the repeat-caller index.

A contact holds nothing personal by default. When it does (a summary, the answers of the public
form, a phone number, handle or e-mail the caller agreed to give) it gets its own data subject,
so its text is encrypted under a data key of its own and is erased with it (retention, erasure
request) without touching anything else."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.helpline.codes import (
    CallerType,
    Channel,
    Direction,
    HeldReason,
    Outcome,
    ReachKind,
    Relation,
    Source,
    Status,
    Urgency,
)
from bridgeway.protection.fields import EncryptedJSONField, EncryptedTextField


class HelplineSettings(models.Model):
    organisation = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE,
                                        related_name="+")
    # The stable public address of the organisation's form: /help/<slug>/.
    slug = models.SlugField(_("address of the public form"), max_length=60, unique=True)
    form_enabled = models.BooleanField(_("public form open"), default=True)
    form_fields = models.JSONField(_("questions the form asks"), default=list, blank=True)
    # {field code: {language code: label}}; a missing translation falls back to ours.
    form_labels = models.JSONField(default=dict, blank=True)
    # {language code: text} shown above the form: what happens next, what is stored.
    form_intro = models.JSONField(default=dict, blank=True)
    form_languages = models.JSONField(_("extra form languages"), default=list, blank=True)
    daily_quota = models.PositiveIntegerField(
        _("submissions a day before holding for moderation"), default=50)
    retention_months = models.PositiveSmallIntegerField(
        _("keep contacts that never became a case for (months)"), default=12)
    last_notified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.slug


class Contact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    reference = models.CharField(max_length=12, unique=True)
    # Only when the contact holds personal text; its data key encrypts that text.
    subject = models.ForeignKey("protection.DataSubject", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OPERATOR)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DONE)
    held_reason = models.CharField(max_length=10, choices=HeldReason.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices,
                                 default=Direction.INCOMING)
    started_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True,
                                                   blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    caller_type = models.CharField(_("who contacted"), max_length=14, blank=True,
                                   choices=CallerType.choices)
    relation = models.CharField(_("relation to the person concerned"), max_length=10,
                                blank=True, choices=Relation.choices)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    referral = models.ForeignKey("referrals.Referral", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    follow_up_due = models.DateField(_("follow up by"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    reach_kind = models.CharField(max_length=8, choices=ReachKind.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # Encrypted with the contact's own data key.
    summary = EncryptedTextField(null=True)
    follow_up = EncryptedTextField(null=True)
    reach = EncryptedTextField(null=True)
    answers = EncryptedJSONField(null=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["organisation", "-started_at"]),
            models.Index(fields=["organisation", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference


class ReachIndex(models.Model):
    """A keyed, per-organisation blind index of the phone number, handle or e-mail a caller
    agreed to give: "this number contacted you 3 times before", never across organisations."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organisation", "digest"])]

    def __str__(self) -> str:
        return str(self.contact_id)


class DayCount(models.Model):
    """Public-form submissions an organisation received on one day: one row per organisation and
    day, incremented atomically as each arrives (the daily quota reads it instead of counting
    contacts, and no lock on the settings row serialises the submissions)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    day = models.DateField()
    received = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "day"],
                                               name="helpline_daycount_org_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.received}"
