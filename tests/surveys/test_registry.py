"""The submission listeners other apps register (funding reads mapped answers): told once per
submission, with the top-level answers only, never for a draft; a listener that fails takes the
submission with it (nothing half-written)."""

import pytest
from django.core.exceptions import ValidationError

from bridgeway.surveys import registry, services
from bridgeway.surveys.codes import SubmissionStatus
from bridgeway.surveys.models import Submission

pytestmark = pytest.mark.django_db

ANSWERS = {"org_name": "Org A", "funded": "yes", "share": "38",
           "staff": [{"role": "lawyer", "hours": "20"}]}


@pytest.fixture
def heard(monkeypatch):
    got: list[registry.SubmittedAnswers] = []
    monkeypatch.setattr(registry, "_listeners", {})
    registry.register_submission_listener("test")(got.append)
    return got


def test_listeners_hear_submissions_not_drafts(cast, survey, heard):
    services.submission_save(survey=survey, actor=cast.admin_a, organisation=cast.org_a,
                             answers=ANSWERS)
    assert heard == []
    services.submission_save(survey=survey, actor=cast.admin_a, organisation=cast.org_a,
                             answers=ANSWERS, submit=True)
    [event] = heard
    assert (event.survey_id, event.network_id, event.organisation_id) == (
        survey.pk, cast.network.pk, cast.org_a.pk)
    assert event.answers["share"] == 38 or event.answers["share"] == "38"
    assert "staff" not in event.answers  # repeats are left out
    assert [e.organisation_id for e in registry.submitted_answers(survey.pk)] == [cast.org_a.pk]


def test_a_failing_listener_leaves_the_answers_unsubmitted(cast, survey, monkeypatch):
    monkeypatch.setattr(registry, "_listeners", {})

    @registry.register_submission_listener("refuses")
    def _refuse(event):
        raise ValidationError("no")

    with pytest.raises(ValidationError):
        services.submission_save(survey=survey, actor=cast.admin_a, organisation=cast.org_a,
                                 answers=ANSWERS, submit=True)
    assert not Submission.objects.filter(status=SubmissionStatus.SUBMITTED).exists()


def test_questions_of_a_network_name_their_type(cast, survey):
    questions = {q.key: q for q in registry.questions_of(cast.network.pk)}
    assert questions[f"{survey.pk}:share"].numeric
    assert questions[f"{survey.pk}:budget"].numeric  # inside a group
    assert not questions[f"{survey.pk}:org_name"].numeric
    assert f"{survey.pk}:hours" not in questions  # inside a repeat
    assert registry.questions_of(cast.org_b.pk) == []
