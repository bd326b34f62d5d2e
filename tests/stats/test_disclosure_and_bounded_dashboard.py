"""Issue 16, parts 2 and 4 and two items of 7: dashboards read pre-computed counts (never the
records), a network's small cells cannot be recovered from the numbers shown beside them,
repeated views agree, a dataset filter outside the scope is refused, and a file with a header
and no data rows creates nothing."""

import io
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bridgeway.stats import disclosure
from bridgeway.stats.models import Dataset, DatasetTally, ImportJob, StatRecord
from tests.stats.helpers import ctdc_csv, ctdc_row, upload

K = 11


def _api_upload(client, org, content, kind="ctdc", **data):
    f = io.BytesIO(content)
    f.name = "x.csv"
    return client.post(f"/api/v1/organisations/{org.pk}/stats/imports/",
                       {"file": f, "format": kind, "dry_run": "false", **data})


def _dashboard(client, org, query=""):
    response = client.get(f"/api/v1/organisations/{org.pk}/stats/dashboard/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _chart(data, chart_id):
    return dict(next(c for c in data["charts"] if c["id"] == chart_id)["rows"])


# --- an outsider's view: what can be deduced from what is shown (independent of the code) ------

def _deducible(shown_total, shown_cells: dict, label: str, blank: int = 0) -> set[int]:
    """Every value the suppressed cell `label` can take, given the shown total and cells of a
    one-way table (true counts within 4 of a shown multiple of 5, at least k when shown; 1..10
    when shown "<11"; cells + `blank` = total): the least and the greatest by linear
    programming, and every integer between (one equation over intervals: all are reachable)."""
    import math

    from scipy.optimize import linprog

    labels = list(shown_cells)
    bounds = [disclosure.interval(_value(shown_cells[x]), K) for x in labels]
    bounds.append(disclosure.interval(_value(shown_total), K))
    eq = [[1] * len(labels) + [-1]]
    objective = [0] * (len(labels) + 1)
    objective[labels.index(label)] = 1
    ends = []
    for sign in (1, -1):
        result = linprog([sign * c for c in objective], A_eq=eq, b_eq=[-blank], bounds=bounds,
                         method="highs")
        assert result.status == 0, "the true table must be feasible"
        ends.append(sign * result.fun)
    return set(range(math.ceil(ends[0] - 1e-9), math.floor(ends[1] + 1e-9) + 1))


def _value(text):
    return text if isinstance(text, int) or str(text).startswith("<") else int(text)


# --- the issue's example ------------------------------------------------------------------------

def _issue_example_rows():
    rows = []
    rnd = random.Random(16)
    for n in range(1, 3001):
        gender = "Transgender/NonConforming" if n <= 4 else rnd.choice(["Female", "Male"])
        citizenship = "VN" if 100 < n <= 107 else rnd.choice(["MD", "RO", "UA"])
        rows.append(ctdc_row(n, gender=gender, citizenship=citizenship,
                             yearOfRegistration=str(2015 + n % 6)))
    return rows


def test_issue_example_suppressed_cells_cannot_be_recovered_by_subtraction(cast, as_user):
    client = as_user(cast.coordinator)
    job = _api_upload(client, cast.network, ctdc_csv(_issue_example_rows()))
    assert job.json()["status"] == "done", job.content
    data = _dashboard(client, cast.network)
    total = int(data["total"])
    assert data["k"] == 11 and data["rounded"] == 5 and total % 5 == 0
    assert abs(total - 3000) <= 4
    # Charts read in words: the category's label, not its stored code.
    for chart_id, label, true in (("sex", "Transgender or non-conforming", 4),
                                  ("citizenship", "Viet Nam", 7)):
        shown = _chart(data, chart_id)
        assert shown[label] == "<11"
        others = [int(v) for key, v in shown.items() if key != label]
        assert all(v % 5 == 0 for v in others)
        # 3,000 - 2,996 = 4 no longer works: the subtraction gives a multiple of 5...
        assert total - sum(others) != true
        # ...and an outsider who knows the method is left with several possible values.
        possible = _deducible(data["total"], shown, label)
        assert true in possible and len(possible) >= 2, (chart_id, possible)
    # The CSV of a chart carries the same protected numbers.
    csv = client.get(f"/stats/dashboard/?organisation={cast.network.pk}&csv=sex").content.decode()
    assert "Transgender or non-conforming,<11" in csv
    assert {line.split(",")[1] for line in csv.splitlines()[1:]} == set(_chart(data, "sex").values())


def test_repeated_and_rephrased_views_show_the_same_numbers(cast, as_user):
    """The rounding is fixed by the records in each cell: the same view twice, and the same
    records reached through another filter, show the same numbers, so nothing can be
    averaged away."""
    client = as_user(cast.coordinator)
    rows = [ctdc_row(n, citizenship=["MD", "RO", "UA", "VN"][n % 4 if n % 37 else 3],
                     gender="Male" if n % 3 else "Female",
                     yearOfRegistration=str(2018 + n % 3)) for n in range(1, 402)]
    assert _api_upload(client, cast.network, ctdc_csv(rows)).json()["status"] == "done"
    dataset = Dataset.objects.get(organisation=cast.network)
    first = _dashboard(client, cast.network)
    assert _dashboard(client, cast.network) == first
    for query in (f"?dataset={dataset.pk}", "?year_from=2018&year_to=2020",
                  f"?year_from=2000&dataset={dataset.pk}"):
        again = _dashboard(client, cast.network, query)
        assert again["total"] == first["total"] and again["charts"] == first["charts"], query
    # A narrower filter is another set of records: its own numbers, protected alike.
    narrow = _dashboard(client, cast.network, "?year_from=2019&year_to=2019")
    assert all(v == "<11" or int(v) % 5 == 0 for v in _chart(narrow, "sex").values())
    assert _chart(narrow, "year").keys() == {"2019"}


# --- the audit, as a property: any one-way tables sharing a total ---------------------------------

def _key(n: int, up: bool) -> int:
    """A cell key that rounds n up (or down), where n is not a multiple of 5."""
    return next((key for key in range(256) if (disclosure.rounded(n, key) > n) == up), 0)


# A cell: 5q + r records, rounded up or down (the key is chosen so), so that every rounding
# outcome, the extreme ones included, is as easy to reach as any other.
_CELL = st.tuples(st.integers(0, 12), st.integers(0, 4), st.booleans())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=st.lists(st.lists(_CELL, min_size=1, max_size=8), min_size=1, max_size=3),
       blanks=st.lists(st.integers(0, 3), min_size=3, max_size=3),
       total_up=st.booleans())
# The case rounding alone gives away (1, 16, 16, 16 of 49; see the next test), always tried.
@example(tables=[[(0, 1, False), (3, 1, True), (3, 1, True), (3, 1, True)]],
         blanks=[0, 0, 0], total_up=False)
def test_no_suppressed_cell_of_one_way_tables_with_their_total_is_determined(tables, blanks,
                                                                           total_up):
    """Several one-way tables splitting one total (as a dashboard's year, sex, age and
    citizenship charts split "victims counted"); with each table's unshown records known to
    the outsider (the worst case). Each rounding direction is drawn too. After protection and
    the audit, every suppressed cell, and the total when suppressed, still has at least two
    possible values."""
    tables = [[(5 * q + r, up) for q, r, up in cells] for cells in tables]
    true_total = sum(n for n, _up in tables[0]) + blanks[0]
    total = disclosure.Cell(true_total, _key(true_total, total_up), K)
    charts = []
    for i, cells in enumerate(tables):
        # Every table splits the same total: the first cell takes up the difference.
        gap = true_total - blanks[i] - sum(n for n, _up in cells)
        if cells[0][0] + gap < 0:
            continue
        cells = [(cells[0][0] + gap, cells[0][1]), *cells[1:]]
        charts.append(([disclosure.Cell(n, _key(n, up), K) for n, up in cells if n],
                       blanks[i]))
    everything = [total, *(c for cells, _b in charts for c in cells)]
    left = disclosure.secure(everything, lambda: disclosure.partition_ranges(total, charts, K), K)
    if left:
        return  # the dashboard withholds such a table (its numbers are not shown)
    for cells, blank in charts:
        shown = {str(j): c.shown for j, c in enumerate(cells)}
        for j, c in enumerate(cells):
            if isinstance(c.shown, str):
                possible = _deducible(total.shown, shown, str(j), blank)
                assert c.n in possible and len(possible) >= 2, (c.n, possible)
            elif c.shown:
                assert c.shown % 5 == 0 and abs(c.shown - c.n) <= 4


def test_rounding_alone_would_give_a_cell_away_and_the_audit_stops_it():
    """The case that made the audit necessary: total rounded down, every other cell rounded up
    as far as it goes: subtraction leaves the suppressed cell one value (1)."""
    total = disclosure.Cell(49, _key(49, up=False), K)  # shown 45: 41..49
    cells = [disclosure.Cell(1, 0, K)] + [disclosure.Cell(16, _key(16, up=True), K)
                                          for _ in range(3)]  # shown 20 each: 16..24
    charts = [(cells, 0)]
    assert [c.shown for c in cells] == ["<11", 20, 20, 20] and total.shown == 45
    assert disclosure.partition_ranges(total, charts, K)[id(cells[0])] == (1, 1)
    assert disclosure.secure([total, *cells], lambda: disclosure.partition_ranges(
        total, charts, K), K) == []
    lo, hi = disclosure.partition_ranges(total, charts, K)[id(cells[0])]
    assert hi > lo and lo <= 1 <= hi


# --- bounded: counts, not records ---------------------------------------------------------------

def test_dashboard_reads_precomputed_counts_not_records(cast, as_user):
    client = as_user(cast.supervisor_a)
    rows = [ctdc_row(n, gender="Male" if n % 3 else "Female") for n in range(1, 61)]
    assert upload(client, cast.org_a, ctdc_csv(rows)).context["job"].status == "done"
    dataset = Dataset.objects.get(organisation=cast.org_a)
    assert DatasetTally.objects.get(dataset=dataset).rows == 60  # built by the import's task
    with CaptureQueriesContext(connection) as queries:
        data = _dashboard(client, cast.org_a)
    assert not [q for q in queries.captured_queries if StatRecord._meta.db_table in q["sql"]]
    # An organisation sees its own numbers exactly.
    assert data["total"] == "60" and data["rounded"] == 0
    assert _chart(data, "sex") == {"Male": "40", "Female": "20"}


def test_large_dataset_without_counts_is_counted_by_the_worker_meanwhile_said(
        cast, as_user, settings):
    """A dataset too large to count during the request is handed to the worker; until it is
    done the dashboard says which dataset is not in its figures and refreshes itself."""
    settings.BRIDGEWAY_STATS_INLINE_ROWS = 10
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    dataset = Dataset.objects.create(organisation=cast.org_a, kind="ctdc", label="Big hotline",
                                     rows=20)
    StatRecord.objects.bulk_create([StatRecord(organisation=cast.org_a, dataset=dataset,
                                               gender="Female", year_of_registration=2020)
                                    for _ in range(20)])
    client = as_user(cast.supervisor_a)
    data = _dashboard(client, cast.org_a)
    assert data["pending"] == [dataset.pk] and data["total"] == "0"
    page = client.get(f"/stats/dashboard/?organisation={cast.org_a.pk}").content.decode()
    assert "Still being counted" in page and "Big hotline" in page
    assert 'http-equiv="refresh"' in page
    from bridgeway.stats.tasks import build_columns

    build_columns.call(dataset.pk)
    data = _dashboard(client, cast.org_a)
    assert data["pending"] == [] and data["total"] == "20"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_statement_timeout_bounds_web_queries():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "20s"


# --- item 7: the dataset filter and header-only files --------------------------------------------

def test_dataset_filter_outside_the_dashboard_is_refused_naming_it(cast, as_user):
    own = Dataset.objects.create(organisation=cast.org_a, kind="ctdc", label="ours")
    other = Dataset.objects.create(organisation=cast.org_b, kind="ctdc", label="theirs")
    client = as_user(cast.supervisor_a)
    url = f"/api/v1/organisations/{cast.org_a.pk}/stats/dashboard/"
    assert client.get(f"{url}?dataset={own.pk}").status_code == 200
    answers = []
    for value in (other.pk, 987654, "x"):
        response = client.get(f"{url}?dataset={value}")
        assert response.status_code == 400 and list(response.json()) == ["dataset"]
        answers.append(response.json())
    # Another organisation's dataset reads exactly like one that does not exist.
    assert answers[0] == answers[1]
    page = client.get(f"/stats/dashboard/?organisation={cast.org_a.pk}&dataset={other.pk}")
    assert page.status_code == 400
    html = page.content.decode()
    assert "Unknown dataset" in html and "theirs" not in html
    # A network coordinator may filter on a member's dataset, not on an outsider's.
    coordinator = as_user(cast.coordinator)
    net = f"/api/v1/organisations/{cast.network.pk}/stats/dashboard/"
    assert coordinator.get(f"{net}?dataset={own.pk}").status_code == 200
    assert coordinator.get(f"{net}?dataset={other.pk}").status_code == 400


@pytest.mark.parametrize("dry_run", [True, False])
def test_ctdc_header_only_file_is_refused_on_the_screen(cast, as_user, dry_run):
    response = upload(as_user(cast.supervisor_a), cast.org_a, ctdc_csv([]), dry_run=dry_run)
    job = response.context["job"]
    assert job.status == "failed"
    assert "no data rows" in response.content.decode()
    assert Dataset.objects.count() == 0 and StatRecord.objects.count() == 0


def test_htcds_header_only_file_is_refused_by_the_api(cast, as_user):
    header = b"prs_Gender,prs_Citizenship,yearOfRegistration\r\n"
    response = _api_upload(as_user(cast.supervisor_a), cast.org_a, header, kind="htcds")
    body = response.json()
    assert body["status"] == "failed" and body["records"] == 0
    assert "no data rows" in body["report"]["problems"][0]["problem"]
    assert Dataset.objects.count() == 0
    assert ImportJob.objects.get().dataset is None


def test_release_of_a_large_dataset_not_yet_prepared_waits_for_the_worker(cast, as_user,
                                                                           settings):
    """Just after a large import, before its task built the column store, a release is not
    built in the request: the build is queued and the person told to try again."""
    from bridgeway.stats.models import Release
    from bridgeway.stats.tasks import build_columns

    settings.BRIDGEWAY_STATS_INLINE_ROWS = 10
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    dataset = Dataset.objects.create(organisation=cast.org_a, kind="ctdc", label="Big", rows=30)
    StatRecord.objects.bulk_create([StatRecord(organisation=cast.org_a, dataset=dataset,
                                               gender=["Female", "Male"][n % 2])
                                    for n in range(30)])
    client = as_user(cast.supervisor_a)
    url = f"/api/v1/organisations/{cast.org_a.pk}/stats/releases/"
    body = {"dataset": dataset.pk, "title": "By sex", "kind": "crosstab", "dimensions": ["sex"],
            "k": 5}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400
    assert "still being prepared" in refused.json()["dataset"][0]
    assert Release.objects.count() == 0
    build_columns.call(dataset.pk)
    assert client.post(url, body, content_type="application/json").status_code == 201


def test_a_chart_that_would_give_a_small_count_away_is_withheld(cast, as_user):
    """11 victims, 10 of them Vietnamese, 1 of unknown citizenship: whatever the rounding of
    the total (10 or 15, so 11 to 19), "VN <11" could only be 10. The citizenship chart is
    withheld; the others are shown."""
    dataset = Dataset.objects.create(organisation=cast.network, kind="ctdc", label="n", rows=11)
    StatRecord.objects.bulk_create([
        StatRecord(organisation=cast.network, dataset=dataset, gender="Female",
                   year_of_registration=2020, citizenship="VN" if n < 10 else "")
        for n in range(11)])
    client = as_user(cast.coordinator)
    data = _dashboard(client, cast.network)
    assert data["total"] in ("10", "15")
    assert _chart(data, "citizenship") == {} and _chart(data, "sex") == {"Female": data["total"]}
    page = client.get(f"/stats/dashboard/?organisation={cast.network.pk}").content.decode()
    assert "Withheld: these numbers could reveal a small count." in page
