import pytest
from django.urls import reverse

from bridgeway.helpline import services
from bridgeway.helpline.statistics import figures
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_an_organisation_sees_its_counts(cast, record):
    for _ in range(3):
        record(channel="sms", topics=["shelter"])
    record(channel="phone", outcome="dropped", language="uk")
    data = figures(cast.org_a)
    assert data["total"] == 4 and data["k"] == 0
    assert ("SMS", 3) in data["channel"]
    assert ("Shelter", 3) in data["topic"]
    page = signed_in(cast.supervisor_a).get(reverse("helpline:stats"))
    assert page.status_code == 200
    assert "Contacts by hour of day" in page.content.decode()


def test_the_network_sees_aggregates_with_small_counts_suppressed(cast, record):
    for _ in range(3):
        record(channel="sms")
    services.settings_ensure(cast.org_a)
    page = signed_in(cast.coordinator).get(reverse("helpline:stats")
                                           + f"?organisation={cast.network.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;11" in html
    assert ">3<" not in html


def test_others_get_404(cast, record):
    record()
    url = reverse("helpline:stats") + f"?organisation={cast.org_a.pk}"
    for user in (cast.caseworker_b, cast.agency_poc, cast.outsider, cast.coordinator):
        assert signed_in(user).get(url).status_code == 404
    assert signed_in(cast.caseworker_b).get(
        reverse("helpline:stats") + f"?organisation={cast.network.pk}").status_code == 404
