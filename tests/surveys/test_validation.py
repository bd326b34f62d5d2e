"""The server is the authority: a forged or careless submission is refused with the question
named and nothing is saved; answers to questions that are not relevant are dropped."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bridgeway.surveys import services
from bridgeway.surveys.codes import SubmissionStatus, SurveyStatus
from bridgeway.surveys.models import Submission
from bridgeway.surveys.texts import full_answers
from tests.surveys.forms import good_answers


def submit(cast, survey, answers, actor=None, org=None, **kw):
    return services.submission_save(survey=survey, actor=actor or cast.caseworker_a,
                                    organisation=org or cast.org_a, answers=answers,
                                    submit=True, **kw)


def refused(cast, survey, answers) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        submit(cast, survey, answers)
    assert not Submission.objects.filter(survey=survey, status="submitted").exists()
    return exc.value.message_dict


def test_a_valid_submission_is_stored_typed_with_calculations(cast, survey):
    sub, _check = submit(cast, survey, good_answers())
    assert sub.status == SubmissionStatus.SUBMITTED
    assert sub.answers["share"] == 40 and sub.answers["budget"] == 120000.5
    answers = full_answers(sub)  # free text and calculations are sealed
    assert answers["staff"] == [{"role": "lawyer", "hours": 40}]
    assert answers["staff_count"] == "1" and "staff_count" not in sub.answers


def test_an_answer_to_a_question_that_is_not_relevant_is_dropped(cast, survey):
    sub, _check = submit(cast, survey, good_answers(funded="no", share="150"))
    assert "share" not in sub.answers


def test_a_value_breaking_a_constraint_is_refused_naming_the_question(cast, survey):
    errors = refused(cast, survey, good_answers(share="150"))
    assert errors["share"] == ["“Share of state funding (%)”: Enter a percentage between 0 "
                               "and 100"]


def test_the_constraint_message_comes_in_the_chosen_language(cast, survey):
    with pytest.raises(ValidationError) as exc:
        submit(cast, survey, good_answers(share="150"), language="Ukrainian (uk)")
    assert "Введіть відсоток від 0 до 100" in exc.value.message_dict["share"][0]


def test_an_unknown_choice_is_refused(cast, survey):
    errors = refused(cast, survey, good_answers(restrictions=["registration", "bribes"]))
    assert "“bribes” is not one of the choices" in errors["restrictions"][0]


def test_a_choice_filtered_out_is_refused(cast, survey):
    errors = refused(cast, survey, good_answers(region_country="md", city="kyiv"))
    assert "“kyiv” is not one of the choices" in errors["city"][0]


def test_a_missing_required_answer_is_refused(cast, survey):
    answers = good_answers()
    del answers["org_name"]
    errors = refused(cast, survey, answers)
    assert errors["org_name"] == ["“Organisation name”: an answer is required."]


def test_questions_inside_a_repeat_are_checked_per_entry(cast, survey):
    errors = refused(cast, survey, good_answers(staff=[{"role": "lawyer", "hours": "40"},
                                                       {"role": "", "hours": "70"}]))
    assert "staff-1-hours" in errors and "At most 60 hours" in errors["staff-1-hours"][0]


def test_types_are_checked(cast, survey):
    errors = refused(cast, survey, good_answers(share="forty", founded="1 May 2004"))
    assert "whole number" in errors["share"][0] and "YYYY-MM-DD" in errors["founded"][0]


def test_a_draft_keeps_what_was_typed_and_can_be_resumed(cast, survey):
    draft, check = services.submission_save(survey=survey, actor=cast.caseworker_a,
                                            organisation=cast.org_a,
                                            answers={"share": "150", "funded": "yes"})
    assert draft.status == SubmissionStatus.DRAFT and draft.answers["share"] == "150"
    assert "share" in check.errors


def test_two_people_saving_one_draft_the_second_is_told_and_nothing_is_lost(cast, survey):
    first, _ = services.submission_save(survey=survey, actor=cast.caseworker_a,
                                        organisation=cast.org_a, answers={"org_name": "A"})
    start = first.revision
    services.submission_save(survey=survey, actor=cast.supervisor_a, organisation=cast.org_a,
                             answers={"org_name": "B"}, revision=start)
    with pytest.raises(services.EditConflict):
        services.submission_save(survey=survey, actor=cast.caseworker_a,
                                 organisation=cast.org_a, answers={"org_name": "C"},
                                 revision=start)
    assert full_answers(Submission.objects.get(survey=survey))["org_name"] == "B"


def test_not_invited_or_closed_surveys_refuse_answers(cast, survey):
    with pytest.raises(PermissionDenied):
        submit(cast, survey, good_answers(), actor=cast.caseworker_b, org=cast.org_b)
    services.survey_set_status(survey=survey, actor=cast.coordinator,
                               status=SurveyStatus.CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        submit(cast, survey, good_answers())
    assert not Submission.objects.exists()


def test_a_submitted_answer_is_reopened_by_the_coordinator_only(cast, survey):
    sub, _ = submit(cast, survey, good_answers())
    with pytest.raises(ValidationError, match="submitted"):
        submit(cast, survey, good_answers())
    with pytest.raises(PermissionDenied):
        services.submission_reopen(submission=sub, actor=cast.caseworker_a)
    services.submission_reopen(submission=sub, actor=cast.coordinator)
    sub2, _ = submit(cast, survey, good_answers(share="41"))
    assert sub2.pk == sub.pk and sub2.answers["share"] == 41


def test_repeat_count_sets_the_number_of_entries(cast):
    from bridgeway.surveys.engine import Engine
    from bridgeway.surveys.xlsbuild import build_xlsform
    from bridgeway.surveys.xlsform import convert_xlsform
    spec = convert_xlsform(build_xlsform([
        {"type": "integer", "name": "n", "label": "How many?"},
        {"type": "begin_repeat", "name": "site", "label": "Site", "repeat_count": "${n}"},
        {"type": "text", "name": "town", "label": "Town", "required": "yes"},
        {"type": "end_repeat"}])).spec
    check = Engine(spec).check({"n": "3", "site": [{"town": "a"}]}, final=True)
    assert set(check.errors) == {"site-1-town", "site-2-town"}
    check = Engine(spec).check({"n": "1", "site": [{"town": "a"}, {"town": "b"}]}, final=True)
    assert check.ok and check.answers["site"] == [{"town": "a"}]


def test_one_answer_per_person_keeps_colleagues_apart(cast):
    from bridgeway.surveys.codes import Scope
    from tests.surveys.forms import member_form

    survey = services.survey_create(network=cast.network, actor=cast.coordinator,
                                    title="Staff survey", xlsform=member_form(),
                                    scope=Scope.PERSON)
    services.survey_set_status(survey=survey, actor=cast.coordinator, status=SurveyStatus.OPEN)
    first, _ = submit(cast, survey, good_answers(), actor=cast.caseworker_a)
    second, _ = submit(cast, survey, good_answers(share="10"), actor=cast.supervisor_a)
    assert first.pk != second.pk and first.respondent == cast.caseworker_a
