"""The demo survey loads, its answers pass the server's check, and the results show them."""

from django.urls import reverse

from bridgeway.surveys import demo
from bridgeway.surveys.models import Submission
from bridgeway.surveys.texts import full_answers
from tests.conftest import signed_in
from tests.factories import MembershipFactory


def test_the_demo_survey_is_answered_and_its_results_show(cast):
    hidden_admin = MembershipFactory(organisation=cast.hidden, role="org_admin").user
    survey = demo.seed(network=cast.network, coordinator=cast.coordinator,
                       orgs={"lumina": cast.org_a, "harbour": cast.hidden},
                       respondents={"lumina": cast.admin_a, "harbour": hidden_admin})
    assert Submission.objects.filter(survey=survey, status="submitted").count() == 2
    lumina = Submission.objects.get(survey=survey, organisation=cast.org_a)
    answers = full_answers(lumina)  # a calculation is sealed like free text
    assert answers["state_dependent"] == "no" and len(answers["programme"]) == 3
    harbour = Submission.objects.get(survey=survey, organisation=cast.hidden)
    assert "months_runway" not in harbour.answers  # not relevant when fully operational
    page = signed_in(cast.coordinator).get(
        reverse("surveys:results", args=[survey.pk]) + "?split=operational&lang=Română (ro)")
    assert page.status_code == 200
    assert demo.already_seeded(cast.network)
