"""From the member survey: a coordinator maps a survey question answered with a number to an
indicator (screen and API); when a member submits the survey, its answer fills the network view
with the source "Survey answers"; a ledger figure wins over a survey answer and the screen says
so. Another network's coordinator and a member get 404; a text question or an unknown indicator
is refused with the field named."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bridgeway.funding import services
from bridgeway.funding.codes import Indicator
from bridgeway.funding.models import ResilienceYear, SurveyIndicatorMapping, SurveyIndicatorValue
from bridgeway.funding.network import member_values
from bridgeway.surveys import services as survey_services
from bridgeway.surveys.codes import SurveyStatus
from tests.conftest import api, signed_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.forms import member_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast):
    s = survey_services.survey_create(network=cast.network, actor=cast.coordinator,
                                      title="Member survey", xlsform=member_form(),
                                      filename="member.xlsx")
    survey_services.survey_set_status(survey=s, actor=cast.coordinator, status=SurveyStatus.OPEN)
    return s


def _submit(cast, survey, share="38"):
    survey_services.submission_save(
        survey=survey, actor=cast.admin_a, organisation=cast.org_a, submit=True,
        answers={"org_name": "Org A", "funded": "yes", "share": share})


def _year():
    return services.survey_year(timezone.now())


def _network_page(cast, year):
    return signed_in(cast.coordinator).get(
        reverse("funding:network", args=[cast.network.pk]) + f"?year={year}")


def test_coordinator_maps_on_screen_member_submits_view_shows_the_survey_figure(cast, survey):
    c = signed_in(cast.coordinator)
    url = reverse("funding:network", args=[cast.network.pk])
    page = c.get(url).content.decode()
    assert "Member survey — Share of state funding (%)" in page
    assert "Organisation name" not in page  # a text question cannot be mapped
    r = c.post(url, {"mapping_form": "1", "mapping-question": f"{survey.pk}:share",
                     "mapping-indicator": "state_share"})
    assert r.status_code == 302
    services.threshold_set(actor=cast.coordinator, network=cast.network,
                           indicator="state_share", value=Decimal("0.5"))

    _submit(cast, survey, share="38")

    year = _year()
    _m, values, _r, _nc = member_values(cast.network, year)
    assert values[cast.org_a.pk][Indicator.STATE_SHARE] == (0.38, "survey")  # 38 % -> 0.38
    page = _network_page(cast, year).content.decode()
    row = page[page.index("Members beyond the network"):page.index("Set a threshold")]
    assert "Org A" in row and "38.0 %" in row and "Survey answers" in row
    assert "Member survey — Share of state funding (%) → Share of state funding" in page


def test_a_draft_feeds_nothing_and_a_resubmission_replaces_the_value(cast, survey):
    services.mapping_set(actor=cast.coordinator, network=cast.network,
                         question=f"{survey.pk}:share", indicator="state_share")
    survey_services.submission_save(survey=survey, actor=cast.admin_a, organisation=cast.org_a,
                                    answers={"org_name": "Org A", "funded": "yes", "share": "70"})
    assert not SurveyIndicatorValue.objects.exists()
    _submit(cast, survey, share="20")
    sub = survey.submissions.get()
    survey_services.submission_reopen(submission=sub, actor=cast.coordinator)
    _submit(cast, survey, share="25")
    assert [v.value for v in SurveyIndicatorValue.objects.all()] == [Decimal("0.25")]


def test_answers_submitted_before_the_mapping_count_at_once(cast, survey):
    _submit(cast, survey, share="60")
    services.mapping_set(actor=cast.coordinator, network=cast.network,
                         question=f"{survey.pk}:share", indicator="state_share")
    _m, values, _r, _nc = member_values(cast.network, _year())
    assert values[cast.org_a.pk][Indicator.STATE_SHARE] == (0.6, "survey")


def test_the_ledger_wins_and_the_screen_says_so(cast, survey):
    year = _year()
    services.mapping_set(actor=cast.coordinator, network=cast.network,
                         question=f"{survey.pk}:share", indicator="runway_months")
    ResilienceYear.objects.create(organisation=cast.org_a, year=year, currency="EUR",
                                  expenditure=Decimal("1200"), reserves=Decimal("200"))
    _submit(cast, survey, share="9")
    _m, values, _r, _nc = member_values(cast.network, year)
    assert values[cast.org_a.pk][Indicator.RUNWAY] == (2.0, "ledger")
    page = _network_page(cast, year).content.decode()
    assert "the figure from its ledger is used and the survey answer is set aside" in page
    assert f"In {year}, 1 survey answer was set aside for a ledger figure." in page
    api_view = api(cast.coordinator).get(f"/api/v1/networks/{cast.network.pk}/funding/?year={year}")
    assert api_view.json()["survey_set_aside"] == 1


def test_api_maps_a_question_and_lists_the_mappings(cast, survey):
    url = f"/api/v1/networks/{cast.network.pk}/funding/mappings/"
    r = api(cast.coordinator).post(url, {"question": f"{survey.pk}:budget",
                                         "indicator": "runway_months"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["question"] == f"{survey.pk}:budget"
    assert [m["indicator"] for m in api(cast.coordinator).get(url).json()] == ["runway_months"]


@pytest.mark.parametrize("who", ["admin_a", "caseworker_b", "outsider", "other_coordinator"])
def test_only_the_networks_coordinators_may_map(cast, survey, who):
    if who == "other_coordinator":
        other = OrganisationFactory(name="Other network", org_type="CSONetwork")
        user = MembershipFactory(organisation=other, role="network_coordinator").user
    else:
        user = getattr(cast, who)
    url = f"/api/v1/networks/{cast.network.pk}/funding/mappings/"
    assert api(user).get(url).status_code == 404
    assert api(user).post(url, {"question": f"{survey.pk}:share", "indicator": "state_share"},
                          format="json").status_code == 404
    r = signed_in(user).post(reverse("funding:network", args=[cast.network.pk]),
                             {"mapping_form": "1", "mapping-question": f"{survey.pk}:share",
                              "mapping-indicator": "state_share"})
    assert r.status_code == 404
    assert not SurveyIndicatorMapping.objects.exists()


def test_a_question_not_answered_with_a_number_is_refused_naming_the_field(cast, survey):
    url = f"/api/v1/networks/{cast.network.pk}/funding/mappings/"
    r = api(cast.coordinator).post(url, {"question": f"{survey.pk}:org_name",
                                         "indicator": "state_share"}, format="json")
    assert r.status_code == 400
    assert "is not answered with a number" in r.json()["question"][0]
    r = api(cast.coordinator).post(url, {"question": f"{survey.pk}:nowhere",
                                         "indicator": "state_share"}, format="json")
    assert "No survey of this network has the question" in r.json()["question"][0]
    r = api(cast.coordinator).post(url, {"question": f"{survey.pk}:share",
                                         "indicator": "happiness"}, format="json")
    assert r.status_code == 400 and "indicator" in r.json()
    # on screen: only number questions are offered; another one is refused under the field
    r = signed_in(cast.coordinator).post(
        reverse("funding:network", args=[cast.network.pk]),
        {"mapping_form": "1", "mapping-question": f"{survey.pk}:org_name",
         "mapping-indicator": "state_share"})
    assert r.status_code == 400
    assert r.context["mapping_form"].errors["question"]
    assert not SurveyIndicatorMapping.objects.exists()


def test_another_networks_survey_cannot_be_mapped(cast, survey):
    other = OrganisationFactory(name="Other network", org_type="CSONetwork")
    other_coordinator = MembershipFactory(organisation=other, role="network_coordinator").user
    url = f"/api/v1/networks/{other.pk}/funding/mappings/"
    r = api(other_coordinator).post(url, {"question": f"{survey.pk}:share",
                                          "indicator": "state_share"}, format="json")
    assert r.status_code == 400
    assert "No survey of this network" in r.json()["question"][0]
