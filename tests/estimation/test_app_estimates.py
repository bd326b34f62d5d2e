"""Estimates as coordinators and researchers meet them: from a linkage run or an uploaded table,
run in the background with a progress bar, the result with its interval, the assumptions and the
comparison of models — or a plain "does not exist" without a number; bad tables refused naming
the line or column with nothing saved; publishing needs a second person; everyone else gets 404."""


import pytest

from bridgeway.estimation import services
from bridgeway.estimation.models import Estimate, TaskStatus
from bridgeway.protection.models import AuditEvent
from tests.conftest import signed_in
from tests.estimation.app_helpers import make_world, overlapping, upload
from tests.shared_data import need

pytestmark = pytest.mark.django_db

UK5 = need("mse", "UKdat_5.csv")
TABLE = "A,B,C,count\n1,0,0,120\n0,1,0,90\n0,0,1,70\n1,1,0,25\n1,0,1,18\n0,1,1,14\n1,1,1,6\n"
APART = "A,B,count\n1,0,40\n0,1,30\n"


@pytest.fixture
def world(cast):
    return make_world(cast)


def new_estimate(client, org, **fields):
    data = {"title": "Two Rivers 2025", "method": "stepwise", "pthresh": "0.02",
            "bootstrap": "50", "list_definitions": "A: shelters; B: police; C: legal aid"}
    data.update(fields)
    return client.post(f"/estimation/organisations/{org.pk}/estimates/", data)


def test_an_estimate_from_an_uploaded_table_shows_its_interval_and_assumptions(world):
    client = signed_in(world.coordinator)
    response = new_estimate(client, world.network, file=upload("table.csv", TABLE))
    assert response.status_code == 302, response.content.decode()[:2000]
    estimate = Estimate.objects.get()
    assert estimate.status == TaskStatus.DONE, estimate.error
    assert estimate.progress == 100
    page = client.get(response["Location"]).content.decode()
    result = estimate.result
    assert result["exists"] and result["ci95"][0] < result["total"] < result["ci95"][1]
    assert f"{round(result['total'])}" in page
    assert f"95% interval {round(result['ci95'][0])} to {round(result['ci95'][1])}" in page
    for words in ("Closed population", "List definitions", "Linkage errors",
                  "A: shelters; B: police; C: legal aid", "How the estimate moves across models",
                  "BCa bootstrap over the whole model selection, 50 replicates",
                  "(profile likelihood)"):
        assert words in page, words
    assert AuditEvent.objects.filter(action="estimation.estimate.finished").exists()


def test_an_estimate_from_the_coordinators_linkage_run(world):
    overlapping(world)
    run = services.run_start(network=world.network, actor=world.coordinator)
    client = signed_in(world.researcher)
    form = client.get(f"/estimation/organisations/{world.network.pk}/estimates/?run={run.pk}")
    assert f'value="{run.pk}" selected' in form.content.decode()
    response = new_estimate(client, world.network, run=str(run.pk))
    assert response.status_code == 302
    estimate = Estimate.objects.get()
    assert estimate.run == run and estimate.status == TaskStatus.DONE
    rows = {r["pattern"]: r["count"] for r in estimate.table["rows"] if r["count"]}
    assert rows == {r["pattern"]: r["count"] for r in run.histories}
    page = client.get(response["Location"]).content.decode()
    assert world.b.name in page  # the list legend


def test_lists_that_never_overlap_give_no_number(world):
    client = signed_in(world.coordinator)
    response = new_estimate(client, world.network, file=upload("apart.csv", APART))
    assert response.status_code == 302
    estimate = Estimate.objects.get()
    assert estimate.result["exists"] is False and estimate.result["total"] is None
    page = client.get(response["Location"]).content.decode()
    assert "The estimate does not exist for this table." in page
    assert "Estimated number of victims" not in page


@pytest.mark.parametrize("content, message", [
    ("A,B\n1,0\n", "count"),
    ("A,B,count\n1,2,5\n0,1,3\n", "line 2"),
    ("A,B,count\n1,0,-4\n0,1,3\n", "line 2"),
    ("A,count\n1,30\n", "two lists"),
    ("A,B,count\n1,0,=1+1\n", "line 2"),
])
def test_a_bad_table_is_refused_naming_where_and_nothing_is_saved(world, content, message):
    client = signed_in(world.coordinator)
    response = new_estimate(client, world.network, file=upload("bad.csv", content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Estimate.objects.exists()


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "Give the estimate a title"),
    ("pthresh", "7", "less than or equal to 0.5"),
    ("bootstrap", "99999", "less than or equal to 5000"),
])
def test_bad_form_input_names_the_field(world, field, value, message):
    client = signed_in(world.coordinator)
    response = new_estimate(client, world.network, file=upload("t.csv", TABLE), **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Estimate.objects.exists()


def test_no_source_or_two_sources_is_refused(world):
    client = signed_in(world.coordinator)
    response = new_estimate(client, world.network)
    assert response.status_code == 400
    assert "Choose a linkage run or upload" in response.content.decode()


def test_publishing_needs_a_second_persons_approval(world):
    client = signed_in(world.coordinator)
    new_estimate(client, world.network, file=upload("table.csv", TABLE))
    estimate = Estimate.objects.get()
    url = f"/estimation/estimates/{estimate.pk}/"
    page = client.get(url).content.decode()
    assert "A second person must approve this estimate: you ran it." in page
    client.post(url + "approve/")
    client.post(url + "publish/")
    estimate.refresh_from_db()
    assert estimate.release == Estimate.Release.DRAFT and estimate.approved_by is None
    signed_in(world.coordinator2).post(url + "approve/")
    estimate.refresh_from_db()
    assert estimate.release == Estimate.Release.APPROVED
    assert estimate.approved_by == world.coordinator2
    client.post(url + "publish/")
    estimate.refresh_from_db()
    assert estimate.release == Estimate.Release.PUBLISHED
    actions = list(AuditEvent.objects.filter(action__startswith="estimation.estimate.")
                   .values_list("action", flat=True))
    assert "estimation.estimate.approved" in actions and "estimation.estimate.published" in actions


def test_a_researcher_of_another_organisation_works_on_its_own_estimates(world):
    from tests.conftest import _member

    researcher = _member(world.cast.org_b, "researcher")
    client = signed_in(researcher)
    response = new_estimate(client, world.cast.org_b, file=upload("uk.csv", UK5.read_bytes()),
                            bootstrap="0")
    assert response.status_code == 302
    estimate = Estimate.objects.get()
    assert estimate.status == TaskStatus.DONE and estimate.result["exists"]
    # The network's people do not see it, and the researcher does not see the network's.
    assert signed_in(world.coordinator).get(response["Location"]).status_code == 404
    assert client.get(f"/estimation/organisations/{world.network.pk}/estimates/") \
        .status_code == 404


def test_who_sees_an_estimate(world):
    client = signed_in(world.coordinator)
    new_estimate(client, world.network, file=upload("table.csv", TABLE))
    url = f"/estimation/estimates/{Estimate.objects.get().pk}/"
    for user in (world.coordinator, world.coordinator2, world.researcher):
        assert signed_in(user).get(url).status_code == 200, user
    for user in (world.outsider, world.other_coordinator, world.caseworker_a, world.sup_a,
                 world.cast.admin_a, world.cast.platform_admin):
        assert signed_in(user).get(url).status_code == 404, user
        assert signed_in(user).post(url + "approve/").status_code == 404, user
