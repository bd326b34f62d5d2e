"""Stored code sets of surveys, with their translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("survey", "Draft")
    OPEN = "open", pgettext_lazy("survey", "Open")
    CLOSED = "closed", pgettext_lazy("survey", "Closed")


class Scope(models.TextChoices):
    ORGANISATION = "organisation", _("One answer per organisation")
    PERSON = "person", _("One answer per person")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("submission", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("submission", "Submitted")


class Split(models.TextChoices):
    COUNTRY = "_country", _("Respondent organisation's country")
    ORG_TYPE = "_org_type", _("Respondent organisation's type")
