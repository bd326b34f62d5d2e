import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.orgs.models import Organisation
from bridgeway.surveys.codes import Scope, SubmissionStatus, SurveyStatus


class Survey(models.Model):
    """A survey a CSO network sends to its member organisations."""

    network = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices,
                              default=SurveyStatus.DRAFT)
    scope = models.CharField(_("who answers"), max_length=20, choices=Scope.choices,
                             default=Scope.ORGANISATION)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    threshold = models.PositiveSmallIntegerField(
        _("smallest group shown"), default=5,
        help_text=_("Cells based on fewer respondents are suppressed in network views and "
                    "exports."))
    current_version = models.ForeignKey("FormVersion", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title


class FormVersion(models.Model):
    """One uploaded XLSForm, converted: the original workbook (downloadable again), the XForm
    pyxform wrote, and the spec the server fills and checks with (see spec.py)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    form_id = models.CharField(max_length=255)
    version_label = models.CharField(max_length=255, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    xlsform = models.BinaryField()
    xform = models.TextField()
    spec = models.JSONField()
    question_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [models.UniqueConstraint("survey", "number", name="survey_version_unique")]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.number}"


class SurveyInvitation(models.Model):
    """A member organisation asked to answer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint("survey", "organisation",
                                               name="survey_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.organisation_id} in {self.survey_id}"


class Submission(models.Model):
    """An organisation's (or one person's, as the survey says) answers. `answers` holds the form's
    answers by question name (repeats as lists), as the server accepted them, except free text:
    texts are sealed in SubmissionText rows with this submission's data key (`kek_id`,
    `wrapped_key`; see surveys/texts.py). `revision` is the optimistic lock: a save names the
    revision it started from."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="submissions")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   help_text="Set when the survey takes one answer per person.")
    owner_key = models.CharField(max_length=40, editable=False)
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.DRAFT)
    answers = models.JSONField(default=dict)
    language = models.CharField(max_length=60, blank=True)
    revision = models.PositiveIntegerField(default=1)
    last_saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                      on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    kek_id = models.CharField(max_length=64, blank=True, editable=False)
    wrapped_key = models.BinaryField(null=True, editable=False)
    counted = models.BooleanField(default=False, editable=False,
                                  help_text="Its answers are written as SubmissionUnit rows.")

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint("survey", "owner_key",
                                               name="survey_submission_one_per_owner")]
        indexes = [models.Index(fields=["survey", "status"], name="survey_sub_status"),
                   # Are all submitted answers of a survey counted? Asked by every results
                   # screen; answered from this small index, not by reading every submission.
                   models.Index(fields=["survey"], name="survey_sub_uncounted",
                                condition=models.Q(status="submitted", counted=False))]

    def __str__(self) -> str:
        return f"submission {self.pk}"


class SubmissionText(models.Model):
    """One free-text answer (a text, calculate or hidden question, or any type not counted in the
    results), sealed with its submission's data key and bound to its place in the answers
    (`staff/1/role`: the second entry of the repeat `staff`). Counting needs no decryption: a row
    is one answer; reading one decrypts it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="texts")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=255)
    place = models.CharField(max_length=1000)
    value = models.BinaryField()

    class Meta:
        ordering = ["submission", "pk"]
        constraints = [models.UniqueConstraint("submission", "place",
                                               name="survey_text_one_per_place")]
        indexes = [models.Index(fields=["survey", "question"], name="survey_text_question")]

    def __str__(self) -> str:
        return f"text {self.pk} of submission {self.submission_id}"


class NumberListField(models.Field):
    """A list of numbers: an array on PostgreSQL (so a statement can `unnest` it), JSON text
    elsewhere (where the counting is done in Python and these lists are not read)."""

    def __init__(self, *args, item: str = "integer", **kwargs) -> None:
        self.item = item
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item"] = self.item
        return name, path, args, kwargs

    def db_type(self, connection) -> str:
        return f"{self.item}[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        return list(value) if connection.vendor == "postgresql" else json.dumps(list(value))

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)


class SurveyCode(models.Model):
    """A number for each (question, counted answer) of a survey — a choice, a month, a time —
    and for each question itself (`value` ""), so submission units are short integer lists."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=255)
    value = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("survey", "question", "value",
                                               name="survey_code_unique")]

    def __str__(self) -> str:
        return f"{self.question}={self.value}"


class SubmissionUnit(models.Model):
    """The counted answers of one submitted submission (`repeat` "") or of one entry of a repeat
    (not inside another repeat): the codes of its choices, months and other clear answers, and
    its numbers with their questions' codes. Written when the answers are submitted (see
    surveys/tally.py); the results screen's counting on PostgreSQL reads only these."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="units")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    repeat = models.CharField(max_length=255, blank=True)
    entry = models.PositiveIntegerField(default=0)
    codes = NumberListField(item="integer")
    number_codes = NumberListField(item="integer")
    numbers = NumberListField(item="double precision")

    class Meta:
        ordering = ["submission", "repeat", "entry"]
        # The unique key is also how the counting finds a submission's own unit (one row, the
        # same plan with or without statistics; see aggregate_pg).
        constraints = [models.UniqueConstraint("submission", "repeat", "entry",
                                               name="survey_unit_one_per_entry")]
        indexes = [models.Index(fields=["survey", "repeat"], name="survey_unit_level")]

    def __str__(self) -> str:
        return f"unit {self.repeat or '-'}:{self.entry} of submission {self.submission_id}"
