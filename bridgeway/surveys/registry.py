"""What apps above surveys hook into: listeners told when a member submits a survey (funding
turns mapped answers into indicator values), and a read of the questions and submitted answers
they may need. Surveys never imports those apps; they register here from their AppConfig.ready.

A listener receives a `SubmittedAnswers`: ids, the submission's time and the top-level answers
by question name (answers inside repeats are left out). It runs inside the submission's
transaction, so the figures it writes stand or fall with the submission."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridgeway.surveys.codes import SubmissionStatus
from bridgeway.surveys.models import Submission, Survey

NUMERIC_TYPES = frozenset({"integer", "decimal", "range"})


@dataclass(frozen=True)
class SubmittedAnswers:
    survey_id: int
    network_id: int
    organisation_id: int
    submitted_at: datetime
    answers: dict[str, Any]


@dataclass(frozen=True)
class Question:
    survey_id: int
    survey_title: str
    name: str
    type: str
    label: str

    @property
    def key(self) -> str:
        """How other apps name the question: "<survey id>:<question name>"."""
        return f"{self.survey_id}:{self.name}"

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


Listener = Callable[[SubmittedAnswers], None]
_listeners: dict[str, Listener] = {}


def register_submission_listener(name: str) -> Callable[[Listener], Listener]:
    """Decorator: `fn(answers: SubmittedAnswers)` is called each time a submission is submitted.
    Registering the same name again replaces the listener (module reloads in tests)."""
    def deco(fn: Listener) -> Listener:
        _listeners[name] = fn
        return fn
    return deco


def notify_submitted(submission: Submission) -> None:
    """Called by surveys' submission service, in its transaction, once the answers are stored."""
    if not _listeners:
        return
    event = _event(submission, submission.survey.network_id)
    for fn in list(_listeners.values()):
        fn(event)


def _event(submission: Submission, network_id: int) -> SubmittedAnswers:
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    return SubmittedAnswers(
        survey_id=submission.survey_id, network_id=network_id,
        organisation_id=submission.organisation_id,
        submitted_at=submission.submitted_at or submission.updated_at,
        answers={k: v for k, v in answers.items() if not isinstance(v, list | dict)})


def submitted_answers(survey_id: int) -> Iterator[SubmittedAnswers]:
    """Every submitted answer set of a survey (for a listener that starts late: a question
    mapped after members answered)."""
    survey = Survey.objects.filter(pk=survey_id).only("network_id").first()
    if survey is None:
        return
    for sub in Submission.objects.filter(survey_id=survey_id, status=SubmissionStatus.SUBMITTED
                                         ).order_by("pk"):
        yield _event(sub, survey.network_id)


def questions_of(network_id: int) -> list[Question]:
    """The top-level questions of the network's surveys (their current form), surveys newest
    first, questions in form order."""
    out: list[Question] = []
    for survey in (Survey.objects.filter(network_id=network_id, current_version__isnull=False)
                   .select_related("current_version").order_by("-created_at", "-pk")):
        version = survey.current_version
        if version is None:
            continue
        default = version.spec.get("default_language", "")

        def walk(nodes: list[dict[str, Any]], survey: Survey = survey,
                 default: str = default) -> None:
            for node in nodes:
                if node.get("kind") == "group":
                    walk(node.get("children", []))
                elif node.get("kind") == "question":
                    labels = node.get("label") or {}
                    label = labels.get(default) or next(iter(labels.values()), node["name"])
                    out.append(Question(survey.pk, survey.title, node["name"],
                                        node.get("type", ""), str(label)))
        walk(version.spec.get("children", []))
    return out
