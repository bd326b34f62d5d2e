import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.protection import crypto
from bridgeway.protection.fields import EncryptedTextField


class AuditEvent(models.Model):
    """One append-only entry of the audit log, chained to the one before it by a keyed hash.

    The payload holds ids and codes, never personal data (see ``protection.audit``).
    """

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("actor"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["organisation", "-seq"]),
                   # The audit log's pages, read newest first a window at a time (logs.py).
                   models.Index(fields=["organisation", "-created_at"], name="audit_org_time"),
                   # What happened to one case, referral or incident (the logs' subject
                   # filter, an incident's history) without reading the whole log.
                   models.Index(fields=["object_type", "object_id"], name="audit_object")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):  # type: ignore[override]
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise RuntimeError("Audit events are append-only.")


class AuditHead(models.Model):
    """The single row that holds the newest link of the chain.

    Writers lock it, so appends are serialised and a truncated tail is detectable.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


# --- personal data -----------------------------------------------------------------------


class DataSubject(models.Model):
    """A person whose personal data an organisation holds. Their data key, wrapped by a KEK,
    encrypts every personal field and document about them; destroying it erases them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    reference = models.CharField(_("reference"), max_length=20, unique=True,
                                 help_text=_("A code that identifies the person without naming "
                                             "them."))
    kek_id = models.CharField(max_length=40)
    wrapped_key = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    # When the retention clock starts (e.g. the case closed); set by the module that owns it.
    retention_anchor = models.DateField(null=True, blank=True)
    legal_hold = models.BooleanField(_("legal hold"), default=False,
                                     help_text=_("Keeps the data past its retention date "
                                                 "(e.g. court proceedings)."))
    erased_at = models.DateTimeField(null=True, blank=True)
    # Encrypted with the subject's own key.
    display_name = EncryptedTextField(null=True, subject_field="self_subject")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"]),
                   # The few erased persons, for lists that leave them out (home queues): a
                   # tiny index read instead of a join on every person.
                   models.Index(fields=["id"], condition=models.Q(erased_at__isnull=False),
                                name="protection_subject_erased")]

    def __str__(self) -> str:
        return self.reference

    @property
    def self_subject(self) -> "DataSubject":
        return self

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def data_key(self) -> bytes:
        cached = getattr(self, "_data_key", None)
        if cached is not None:
            return cached
        if self.is_erased or self.wrapped_key is None:
            raise crypto.SubjectErased(f"Subject {self.reference} was erased; nothing remains "
                                       "to decrypt.")
        key = crypto.unwrap_data_key(bytes(self.wrapped_key), key_id=self.kek_id,
                                     subject_id=str(self.pk))
        self._data_key = key
        return key


class OrganisationKey(models.Model):
    """An organisation's own KEK ("bring your own key"): its subjects' data keys are wrapped with
    it, so a host without that key cannot read them."""

    organisation = models.OneToOneField("orgs.Organisation", on_delete=models.PROTECT,
                                        related_name="+")
    kek_id = models.CharField(max_length=40)
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.kek_id}"


class SubjectIndex(models.Model):
    """Blind index entries: keyed HMACs of normalised values, for search without plaintext."""

    subject = models.ForeignKey(DataSubject, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    field = models.CharField(max_length=40)
    kind = models.CharField(max_length=10)  # exact, token, phonetic
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organisation", "field", "kind", "digest"])]

    def __str__(self) -> str:
        return f"{self.field}/{self.kind}"


class ConsentPurpose(models.TextChoices):
    CASE_MANAGEMENT = "case_management", _("Case management")
    REFERRAL = "referral", _("Referral to another organisation")
    STATISTICS = "statistics", _("Statistics")
    RESEARCH = "research", _("Research")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written, signed")
    ORAL_WITNESSED = "oral_witnessed", _("Oral, with a witness")
    GUARDIAN = "guardian", _("By a guardian (child)")


class Consent(models.Model):
    """HTCDS con_Consent, per purpose (and for referrals, per kind of recipient)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    recipient_type = models.CharField(_("kind of recipient organisation"), max_length=40,
                                      blank=True)
    method = models.CharField(_("how it was given"), max_length=20, choices=ConsentMethod.choices)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    # Names of witness or guardian and the person's own words are personal: encrypted.
    witness_or_guardian = EncryptedTextField(null=True)
    note = EncryptedTextField(null=True)

    class Meta:
        ordering = ["-given_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.subject_id}"


class AccessLogEntry(models.Model):
    """A person saw personal data of a subject: who, when, which subject, through which screen."""

    # Every read inserts rows here, so the table has only the indexes its queries use: the
    # organisation's log by time (DPO screens), a person's reads by time with the subject
    # carried along (the burst check is an index-only scan), a subject's history (export).
    # The single-column indexes on user and organisation would duplicate the composites.
    at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+", help_text="the subject's organisation",
                                     db_index=False)
    screen = models.CharField(max_length=120)
    via = models.CharField(max_length=10)  # ui, api, export, download
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["organisation", "-at"]),
                   models.Index(fields=["user", "-at"], include=["subject"],
                                name="protection_log_user_at"),
                   # The flagged reads only (few: its upkeep is one entry per unusual read):
                   # the officer's home queue and its count read it index-only (issue 18).
                   models.Index(fields=["organisation", "-at"], include=["user", "id"],
                                condition=~models.Q(flags=[]), name="protection_log_flagged")]

    def __str__(self) -> str:
        return f"{self.user_id}->{self.subject_id}@{self.at:%Y-%m-%d %H:%M}"


class RetentionPolicy(models.Model):
    organisation = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE,
                                        related_name="+")
    years_after_closure = models.PositiveSmallIntegerField(
        _("keep for (years after closure)"), default=5)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.years_after_closure}y"


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Erased")
        REJECTED = "rejected", _("Kept")

    class Reason(models.TextChoices):
        RETENTION = "retention", _("Retention period over")
        SUBJECT_REQUEST = "subject_request", _("The person asked to be erased")
        UNLAWFUL = "unlawful", _("Data should never have been collected")

    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="erasures")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_since = models.DateField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [models.UniqueConstraint(
            "subject", condition=models.Q(status="pending"), name="one_pending_erasure")]
        # The officer's home queue in its order (a person's own request first, then the
        # oldest), so its first page is read from the index, not sorted (issue 18). The
        # expression is the queue's own (protection.queries.home_erasure_requests).
        indexes = [models.Index(
            "organisation", models.Case(models.When(reason="subject_request", then=models.Value(0)),
                                        default=models.Value(1)),
            "requested_at", condition=models.Q(status="pending"), name="erasure_pending_queue")]

    def __str__(self) -> str:
        return f"{self.subject_id}:{self.status}"


class EncryptedDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="documents")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=80, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = EncryptedTextField(null=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return str(self.pk)
