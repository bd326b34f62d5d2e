"""Dashboards (item 3) and safe release (items 4 and 5): k-anonymity checked independently,
OpenDP accuracy, a query over budget refused, four-eyes approval, and who may do what."""

import random

import pytest

from bridgeway.protection.models import AuditEvent
from bridgeway.stats import release as method
from bridgeway.stats.models import BudgetEntry, Dataset, Release, StatRecord


def _dataset(org, rows, label="d"):
    ds = Dataset.objects.create(organisation=org, kind="ctdc", label=label, rows=len(rows))
    StatRecord.objects.bulk_create([StatRecord(organisation=org, dataset=ds, **r) for r in rows])
    return ds


def _rows(n, seed=1):
    rnd = random.Random(seed)
    return [{"year_of_registration": rnd.choice(range(2015, 2025)),
             "gender": rnd.choice(["Female", "Male"]),
             "age_band": rnd.choice(["9-17", "18-20", "21-23", "24-26", "30-38", "48+"]),
             "citizenship": rnd.choice(["MD", "RO", "UA", "NG", "VN", "AL"]),
             "country_of_exploitation": rnd.choice(["RO", "IT", "DE"]),
             "exploitation": [rnd.choice(["SexualExploit", "ForcedLabour"])]}
            for _ in range(n)]


# --- dashboards ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [
    ("supervisor_a", 200), ("admin_a", 200), ("caseworker_a", 404), ("caseworker_b", 404),
    ("admin_b", 404), ("agency_poc", 404), ("coordinator", 404), ("outsider", 404)])
def test_who_opens_org_a_dashboard_and_releases(cast, as_user, who, status):
    client = as_user(getattr(cast, who))
    for url in ("/stats/dashboard/", "/stats/releases/"):
        assert client.get(f"{url}?organisation={cast.org_a.pk}").status_code == status, url
    api = client.get(f"/api/v1/organisations/{cast.org_a.pk}/stats/dashboard/")
    assert api.status_code == (200 if status == 200 else 404)


def test_org_dashboard_charts_tables_filters_and_csv(cast, as_user):
    _dataset(cast.org_a, [{"year_of_registration": 2019, "gender": "Female",
                           "exploitation": ["SexualExploit"]}] * 3
             + [{"year_of_registration": 2021, "gender": "Male"}])
    client = as_user(cast.supervisor_a)
    page = client.get(f"/stats/dashboard/?organisation={cast.org_a.pk}").content.decode()
    assert "<svg" in page and "<table>" in page and "Sexual exploitation" in page
    filtered = client.get(f"/api/v1/organisations/{cast.org_a.pk}/stats/dashboard/"
                          "?year_from=2020").json()
    assert filtered["total"] == "1"
    by_year = client.get(f"/stats/dashboard/?organisation={cast.org_a.pk}&csv=year")
    assert by_year["Content-Type"] == "text/csv"
    assert by_year.content.decode().splitlines()[1:] == ["2019,3", "2021,1"]


def test_network_dashboard_suppresses_small_cells(cast, as_user):
    _dataset(cast.org_a, [{"year_of_registration": 2019, "gender": "Female"}] * 12
             + [{"year_of_registration": 2020, "gender": "Male"}] * 2)
    _dataset(cast.org_b, [{"year_of_registration": 2019, "gender": "Female"}] * 50)  # not a member
    data = as_user(cast.coordinator).get(
        f"/api/v1/organisations/{cast.network.pk}/stats/dashboard/").json()
    sex = next(c for c in data["charts"] if c["id"] == "sex")
    # 12 is shown rounded to a multiple of 5 (10 or 15), 2 as "<11".
    (female, shown), male = sorted(sex["rows"])
    assert female == "Female" and shown in ("10", "15") and male == ["Male", "<11"]
    page = as_user(cast.coordinator).get(
        f"/stats/dashboard/?organisation={cast.network.pk}").content.decode()
    assert "&lt;11" in page and ">2<" not in page and ">12<" not in page


# --- k-anonymity, checked by pycanon ----------------------------------------------------------

@pytest.mark.parametrize("k", [2, 5, 11])
def test_extract_is_k_anonymous_by_pycanon(k):
    dims = ["year", "sex", "age", "citizenship"]
    raw = [{method.DIMENSIONS[d]: v for d, v in
            zip(["year", "sex", "age", "citizenship"],
                [r["year_of_registration"], r["gender"], r["age_band"], r["citizenship"]],
                strict=True)} for r in _rows(400)]
    result = method.extract(raw, dims, k)
    assert result["rows"] and result["steps"]  # it had to generalise
    assert method.pycanon_k(result["rows"], dims) >= k
    assert len(result["rows"]) + result["suppressed"] == 400


@pytest.mark.django_db
@pytest.mark.parametrize("dims,k", [(["year", "sex", "age", "citizenship"], 11),
                                    (["year", "country_of_exploitation", "majority"], 5),
                                    (["citizenship"], 2)])
def test_crosstab_counted_in_sql_and_columns_equals_row_path(cast, dims, k):
    """The release builder counts records per combination from the column store (and, as the
    reference, in the database); both cross-tabs must be the one the row-by-row path gives
    (same cells, steps and suppression)."""
    rows = _rows(500, seed=3) + [{"year_of_registration": None, "gender": "",
                                  "citizenship": "", "majority_status": "Minor"}] * 13
    ds = _dataset(cast.org_a, rows)
    from bridgeway.stats import services

    by_rows = method.crosstab(services._release_raw(ds), dims, k)
    assert services.release_crosstab_sql(ds, dims, k) == by_rows
    assert services.release_crosstab(ds, dims, k) == by_rows
    if k == 11:
        assert by_rows["steps"] and by_rows["suppressed"]  # it had to generalise and suppress


def test_generalisation_steps_country_to_m49_region():
    assert method.generalise("citizenship", "MD", 1) == "EE_EU"
    assert method.generalise("citizenship", "MD", 2) == "EU"
    assert method.generalise("year", 2017, 1) == "2015-2019"
    assert method.generalise("age", "21-23", 2) == "18+"


def test_release_four_eyes_and_audit(cast, as_user):
    ds = _dataset(cast.org_a, _rows(300))
    creator = as_user(cast.supervisor_a)
    response = creator.post(f"/api/v1/organisations/{cast.org_a.pk}/stats/releases/",
                            {"dataset": ds.pk, "title": "By year and sex", "kind": "crosstab",
                             "dimensions": ["year", "sex", "citizenship"], "k": 11},
                            content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["result"]["pycanon_k"] >= 11
    # Published counts: suppressed (null) below 11, else rounded to a multiple of 5 (a true 11
    # to 14 may read 10).
    assert all(c["count"] is None or (c["count"] >= 10 and c["count"] % 5 == 0)
               for c in body["result"]["cells"])
    rid = body["id"]
    own = creator.post(f"/api/v1/stats/releases/{rid}/approve/")
    assert own.status_code == 403 and "second person" in own.json()["detail"]
    page = creator.post(f"/stats/releases/{rid}/", {"action": "approve"})
    assert page.status_code == 403 and "second person" in page.content.decode()
    assert creator.post(f"/api/v1/stats/releases/{rid}/publish/").status_code == 400
    for who in ("caseworker_a", "caseworker_b", "coordinator", "outsider"):
        client = as_user(getattr(cast, who))
        assert client.post(f"/api/v1/stats/releases/{rid}/approve/").status_code == 404
        assert client.get(f"/stats/releases/{rid}/").status_code == 404
    assert as_user(cast.admin_a).post(f"/api/v1/stats/releases/{rid}/approve/").status_code == 200
    assert creator.post(f"/stats/releases/{rid}/", {"action": "publish"}).status_code == 302
    release = Release.objects.get()
    assert release.status == "published" and release.approved_by == cast.admin_a
    csv = creator.get(f"/stats/releases/{rid}/?format=csv").content.decode()
    assert csv.startswith("year,sex,citizenship,Victims")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"stats.release.created", "stats.release.approved",
            "stats.release.published"} <= actions


def test_release_bad_input_saves_nothing(cast, as_user):
    ds = _dataset(cast.org_a, _rows(20))
    client = as_user(cast.supervisor_a)
    response = client.post(f"/stats/releases/?organisation={cast.org_a.pk}", {
        "organisation": cast.org_a.pk, "title": "x", "dataset": ds.pk, "kind": "crosstab",
        "dimensions": ["year"], "k": 1})
    assert response.status_code == 400 and Release.objects.count() == 0
    other = _dataset(cast.org_b, _rows(20), label="b")
    response = client.post(f"/api/v1/organisations/{cast.org_a.pk}/stats/releases/",
                           {"dataset": other.pk, "title": "x", "kind": "extract",
                            "dimensions": ["year"]}, content_type="application/json")
    assert response.status_code == 404 and Release.objects.count() == 0


# --- differential privacy -----------------------------------------------------------------------

def test_dp_counts_within_opendp_accuracy_in_most_trials():
    import opendp.prelude as dp

    raw = [{"gender": g} for g in ["Female"] * 120 + ["Male"] * 40]
    true = {"Female": 120, "Male": 40, "TransgenderNonConforming": 0}
    alpha, trials, eps = 0.05, 300, 0.5
    outside = 0
    for _ in range(trials):
        result = method.dp_histogram(raw, "sex", eps, alpha=alpha)
        assert result["scale"] == pytest.approx(1 / eps)
        accuracy = dp.discrete_laplacian_scale_to_accuracy(scale=result["scale"], alpha=alpha)
        assert result["accuracy"] == accuracy
        counts = dict(zip(result["categories"], result["counts"], strict=True))
        outside += abs(counts["Male"] - true["Male"]) >= accuracy
    # P[|error| >= accuracy] = alpha: expect about 15 of 300; far more would mean a wrong scale.
    assert outside <= trials * alpha * 2 + 5


def test_budget_ledger_and_query_over_budget_refused(cast, as_user):
    ds = _dataset(cast.org_a, _rows(100))
    client = as_user(cast.supervisor_a)
    url = f"/api/v1/organisations/{cast.org_a.pk}/stats/releases/"
    ok = client.post(url, {"dataset": ds.pk, "title": "dp", "kind": "dp_counts",
                           "dimensions": ["sex"], "epsilon": 0.7},
                     content_type="application/json")
    assert ok.status_code == 201
    refused = client.post(url, {"dataset": ds.pk, "title": "dp2", "kind": "dp_counts",
                                "dimensions": ["age"], "epsilon": 0.5},
                          content_type="application/json")
    assert refused.status_code == 400 and "Nothing was spent" in refused.json()["epsilon"][0]
    assert BudgetEntry.objects.count() == 1 and Release.objects.count() == 1
    budget = client.get(f"/api/v1/organisations/{cast.org_a.pk}/stats/datasets/{ds.pk}/budget/")
    assert budget.json()["spent_epsilon"] == pytest.approx(0.7)
    assert budget.json()["entries"][0]["spent_by"] == cast.supervisor_a.pk
    low = client.put(f"/api/v1/organisations/{cast.org_a.pk}/stats/datasets/{ds.pk}/budget/",
                     {"total_epsilon": 0.5}, content_type="application/json")
    assert low.status_code == 400
    assert as_user(cast.caseworker_b).get(
        f"/api/v1/organisations/{cast.org_a.pk}/stats/datasets/{ds.pk}/budget/").status_code \
        == 404


def test_services_delivered_chart(cast, as_user):
    _dataset(cast.org_a, [{"year_of_registration": 2022, "services": ["shelter", "medical"]},
                          {"year_of_registration": 2022, "services": ["shelter"]}])
    data = as_user(cast.supervisor_a).get(
        f"/api/v1/organisations/{cast.org_a.pk}/stats/dashboard/").json()
    chart = next(c for c in data["charts"] if c["id"] == "services")
    assert chart["rows"] == [["Shelter", "2"], ["Medical care", "1"]]
