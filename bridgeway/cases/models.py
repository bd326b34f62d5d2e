"""Case work (HTCDS cas_, prs_, vic_, hte_, spl_, cco_) on the protection core: every personal
value is an encrypted field under the person's data key; what stays in clear are codes and dates
needed for lists, filters and statistics."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgeway.cases.codes import (
    CaseStatus,
    CloseReason,
    DecisionOrg,
    EventKind,
    Gender,
    IndicatorSource,
    Relationship,
    ServiceOutcome,
    TraffickingStatus,
)
from bridgeway.orgs.codes import Service
from bridgeway.protection.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField


class IndicatorSet(models.Model):
    """A versioned list of indicators with its combination rule, imported as data."""

    code = models.CharField(max_length=60)  # adult_labour, child_sexual, or a national code
    version = models.PositiveIntegerField(default=1)
    label = models.CharField(max_length=200)
    for_child = models.BooleanField(default=False)
    for_sexual_exploitation = models.BooleanField(default=False)
    data = models.JSONField()  # {"dimensions": [...]}
    rule = models.JSONField()
    provenance = models.TextField(blank=True)
    uncertain = models.BooleanField(default=False)
    rule_uncertain = models.BooleanField(default=False)
    source = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint("code", "version", name="indicator_set_version")]

    def __str__(self) -> str:
        return f"{self.label} (v{self.version})"

    def indicator(self, indicator_id: str) -> dict | None:
        for dim in self.data["dimensions"]:
            for ind in dim["indicators"]:
                if ind["id"] == indicator_id:
                    return ind
        return None

    def indicator_ids(self) -> set[str]:
        return {i["id"] for d in self.data["dimensions"] for i in d["indicators"]}


class CaseSettings(models.Model):
    organisation = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE,
                                        related_name="+")
    decisions_need_approval = models.BooleanField(
        _("identification decisions need a supervisor's approval"), default=False)

    def __str__(self) -> str:
        return f"settings of {self.organisation_id}"


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    subject = models.ForeignKey("protection.DataSubject", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("case reference"), max_length=20, unique=True)
    is_first_contact = models.BooleanField(
        _("anonymous first contact"), default=False,
        help_text=_("No personal data until it becomes a full case."))
    contact_channel = models.CharField(_("channel"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.ACTIVE)
    close_reason = models.CharField(_("reason"), max_length=20, choices=CloseReason.choices,
                                    blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Set when a supervisor merged this duplicate into another case of the organisation.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_from", verbose_name=_("merged into"))
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                       verbose_name=_("caseworkers"))
    # Coded, non-identifying fields kept in clear for lists, filters and statistics.
    is_child = models.BooleanField(_("child"), default=False)
    age_at_intake = models.PositiveSmallIntegerField(_("age at intake"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=30, choices=Gender.choices, blank=True)
    citizenship = models.CharField(_("citizenship"), max_length=2, blank=True)
    trafficking_status = models.CharField(_("trafficking status"), max_length=40,
                                          choices=TraffickingStatus.choices, blank=True)
    exploitation_types = models.JSONField(_("types of exploitation"), default=list, blank=True)
    forced_labour_industry = models.CharField(_("forced labour industry"), max_length=60,
                                              blank=True)
    recruitment_methods = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    control_methods = models.JSONField(_("methods of control"), default=list, blank=True)
    relationship_to_trafficker = models.CharField(_("relationship to trafficker"), max_length=30,
                                                  choices=Relationship.choices, blank=True)
    recruitment_country = models.CharField(_("country of recruitment"), max_length=2, blank=True)
    exploitation_country = models.CharField(_("country of exploitation"), max_length=2,
                                            blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-opened_on", "-created_at"]
        indexes = [
            # is_child is carried in the index so the pager's count of a status (with or
            # without the child filter) is an index-only scan, not thousands of heap reads.
            models.Index(fields=["organisation", "status", "-opened_on"], include=["is_child"],
                         name="cases_case_org_status_opened"),
            models.Index(fields=["organisation", "is_child", "-opened_on"]),
            models.Index(fields=["organisation", "-opened_on"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)


class Person(models.Model):
    """HTCDS prs_: who the case is about. Everything identifying is encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="person")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    first_name = EncryptedTextField(null=True)
    second_name = EncryptedTextField(null=True)
    birth_date = EncryptedDateField(null=True)
    phone = EncryptedTextField(null=True)
    email = EncryptedTextField(null=True)
    address = EncryptedJSONField(null=True)  # street, city, state, postal code, country
    identity_documents = EncryptedJSONField(null=True)  # [{"kind": ..., "number": ...}]

    def __str__(self) -> str:
        return str(self.pk)


class TraffickingEvent(models.Model):  # hte_
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    place = EncryptedTextField(null=True)
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["date_from"]

    def __str__(self) -> str:
        return self.kind


class Perpetrator(models.Model):  # per_: only what case work needs
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    relationship = models.CharField(_("relationship"), max_length=30,
                                    choices=Relationship.choices, blank=True)
    citizenship = models.CharField(_("citizenship"), max_length=2, blank=True)
    description = EncryptedTextField(null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return str(self.pk)


class Assessment(models.Model):
    """One identification assessment: indicators recorded one by one against a versioned set."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    decision_org = models.CharField(max_length=40, choices=DecisionOrg.choices)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    assessed_on = models.DateField(_("assessed on"))
    child_rules = models.BooleanField(default=False)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    note = EncryptedTextField(null=True)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]

    def __str__(self) -> str:
        return str(self.pk)


class AssessmentIndicator(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="indicators")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    indicator_id = models.CharField(max_length=120)
    source = models.CharField(max_length=20, choices=IndicatorSource.choices)
    note = EncryptedTextField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint("assessment", "indicator_id",
                                               name="assessment_indicator_once")]

    def __str__(self) -> str:
        return self.indicator_id


class Decision(models.Model):
    """An identification decision (vic_TraffickingStatus) with the kind of organisation that made
    it (vic_TraffickingStatusDecisionMakingOrg). A CSO's decision stands beside the state's."""

    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting", _("Awaiting a supervisor's approval")
        IN_FORCE = "in_force", _("In force")
        REJECTED = "rejected", _("Not approved")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    # The organisation's own decisions rest on one of its assessments; a formal identification
    # received from a state body rests on that body's own procedure, so it has none here.
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="decisions")
    status = models.CharField(max_length=40, choices=TraffickingStatus.choices)
    decision_org = models.CharField(max_length=40, choices=DecisionOrg.choices)
    received_from_state = models.BooleanField(
        _("formal identification received from a state body"), default=False)
    decision_body = models.CharField(_("deciding body"), max_length=200, blank=True)
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FORCE)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        # Supervisors' approval queue: the few decisions waiting, not every decision.
        indexes = [models.Index(fields=["created_at"], condition=models.Q(state="awaiting"),
                                name="cases_decision_awaiting"),
                   # The same decisions by case, with their author: a supervisor's count of those
                   # waiting in the organisation's cases probes this small index per case
                   # instead of hashing every waiting decision of every organisation (issue 18).
                   models.Index(fields=["case"], include=["decided_by"],
                                condition=models.Q(state="awaiting"),
                                name="cases_decision_awaiting_case")]

    def __str__(self) -> str:
        return self.status


class ServiceDelivery(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    service = models.CharField(_("service"), max_length=40, choices=Service.choices)
    provider = models.ForeignKey("orgs.Organisation", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("provider"))
    provider_other = models.CharField(_("other provider"), max_length=200, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ServiceOutcome.choices,
                               default=ServiceOutcome.ONGOING)
    note = EncryptedTextField(null=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return self.service


class PlanObjective(models.Model):  # spl_
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="objectives")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    objective = EncryptedTextField(null=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "due_on", "created_at"]

    def __str__(self) -> str:
        return str(self.pk)


class CaseNote(models.Model):  # cco_
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    body = EncryptedTextField(null=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.pk)


class CaseTask(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT,
                                related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    title = EncryptedTextField(null=True)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_on"]
        indexes = [
            # A person's open tasks in the home queue's order: its page is the first rows of
            # this index, not a sort of every task they were ever given. case and subject are
            # carried so the walk is index-only: PostgreSQL underestimates how many of a
            # person's tasks are in cases assigned to them (it multiplies independent
            # selectivities), and only a walk cheaper than a bitmap scan plus a sort keeps it
            # reading the index in order and stopping after the page (issue 18).
            models.Index(fields=["assignee", "due_on", "-created_at"],
                         include=["case", "subject"],
                         condition=models.Q(done_at__isnull=True), name="cases_task_open_cover"),
        ]

    def __str__(self) -> str:
        return str(self.pk)
