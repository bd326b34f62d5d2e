import pytest

from bridgeway.surveys import services
from bridgeway.surveys.codes import SurveyStatus
from tests.surveys.forms import member_form


@pytest.fixture
def survey(cast):
    s = services.survey_create(network=cast.network, actor=cast.coordinator,
                               title="Member survey 2026", xlsform=member_form(),
                               filename="member.xlsx")
    services.survey_set_status(survey=s, actor=cast.coordinator, status=SurveyStatus.OPEN)
    return s
