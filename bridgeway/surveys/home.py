"""Surveys' queues on the home page (see bridgeway/core/queues.py)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.queues import register_queue
from bridgeway.surveys import queries


def register() -> None:
    register_queue("surveys.to_answer", _("Surveys waiting for your organisation's answer"),
                   queries.home_surveys_to_answer, order=55, menu="surveys", more="surveys:list",
                   count=queries.surveys_to_answer)
    register_queue("surveys.to_review", _("Survey answers to review"),
                   queries.home_submissions_to_review, order=56, menu="surveys",
                   actionable=False, more="surveys:list", count=queries.submissions_to_review)
