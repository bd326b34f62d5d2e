"""The release builder's column store (issue 6): a cross-tab read from a dataset's columns is the
one the database's GROUP BY and the row-by-row path give (cells, generalisation steps,
suppression), and it follows the records through every write: import, a second import, the live
refresh, deletion."""

import random
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgeway.stats import codes, columns, services
from bridgeway.stats import release as method
from bridgeway.stats.models import Dataset, DatasetColumn, StatRecord
from tests.stats.helpers import ctdc_csv, ctdc_row, upload

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Two-letter codes mostly outside the M49 table (they generalise to "Other"), enough of them
# that a column can hold more than 256 distinct values.
_RARE = [a + b for a in _LETTERS for b in _LETTERS]


def _varied(n, seed):
    rnd = random.Random(seed)

    def country():
        r = rnd.random()
        return (rnd.choice(["MD", "RO", "UA", "NG", "VN", "AL", "PH"]) if r < 0.7
                else "" if r < 0.75 else rnd.choice(_RARE))

    return [{"year_of_registration": None if rnd.random() < 0.03 else rnd.randint(2002, 2024),
             "gender": rnd.choice(["Female", "Female", "Male", "", "TransgenderNonConforming"]),
             "age_band": rnd.choice([*codes.AGE_BANDS, ""]),
             "citizenship": country(), "country_of_exploitation": country(),
             "majority_status": rnd.choice(["Adult", "Minor", ""])} for _ in range(n)]


def _dataset(org, rows, label="d"):
    ds = Dataset.objects.create(organisation=org, kind="ctdc", label=label, rows=len(rows))
    StatRecord.objects.bulk_create([StatRecord(organisation=org, dataset=ds, **r) for r in rows])
    return ds


def _three_ways(ds, dims, k):
    by_columns = services.release_crosstab(ds, dims, k)
    by_sql = services.release_crosstab_sql(ds, dims, k)
    by_rows = method.crosstab(services._release_raw(ds), dims, k)
    assert by_columns == by_sql == by_rows
    return by_columns


@pytest.mark.parametrize("seed,dims,k", [
    (1, ["year", "sex", "age", "citizenship"], 11),
    (2, ["citizenship"], 2),
    (3, ["year", "country_of_exploitation", "majority"], 5),
    (4, ["majority", "citizenship", "sex", "age", "year", "country_of_exploitation"], 3),
    (5, ["age", "sex"], 60),
])
def test_column_path_equals_sql_and_row_paths(cast, seed, dims, k):
    ds = _dataset(cast.org_a, _varied(1500, seed))
    result = _three_ways(ds, dims, k)
    assert result["cells"]
    if k in (11, 3):
        # Varied enough that the builder had to generalise and suppress.
        assert result["steps"] and result["suppressed"]
    # Built on first use and kept, one column per dimension a release may use (and the
    # records' keys for the rounding of published counts).
    stored = {c.dimension: c for c in DatasetColumn.objects.filter(dataset=ds)}
    assert set(stored) == {*method.DIMENSIONS, "record_key"} and {c.rows for c in stored.values()} == {1500}
    assert stored["sex"].dtype == "uint8" and stored["citizenship"].dtype == "uint16"
    # Read back from the stored columns (not the ones just built), still the same.
    assert services.release_crosstab(ds, dims, k) == result


@pytest.mark.parametrize("dense,wide", [(1 << 22, 1 << 62), (0, 1 << 62), (0, 1)])
def test_every_way_of_counting_gives_the_same_table(cast, monkeypatch, dense, wide):
    """Dense counter, sorted 64-bit keys, sorted rows of codes (for very many combinations)."""
    monkeypatch.setattr(columns, "_DENSE_LIMIT", dense)
    monkeypatch.setattr(columns, "_WIDE_LIMIT", wide)
    ds = _dataset(cast.org_a, _varied(700, 11))
    result = _three_ways(ds, ["year", "sex", "age", "citizenship"], 11)
    assert result["steps"] and result["suppressed"]


def test_empty_dataset_gives_an_empty_table(cast):
    ds = _dataset(cast.org_a, [])
    result = _three_ways(ds, ["year", "sex"], 11)
    assert result["cells"] == [] and result["suppressed"] == 0


def test_network_imports_second_import_and_deletion(cast, as_user):
    """A network's cross-tab is built from one of its own imports; each import has its own
    columns, built when it is imported, and deleting a dataset takes its columns with it."""
    client = as_user(cast.coordinator)
    first = [ctdc_row(n, citizenship="MD" if n % 3 else "UA", gender="Male" if n % 2 else "Female")
             for n in range(1, 41)]
    second = [ctdc_row(n, citizenship="NG", yearOfRegistration=str(2010 + n % 4))
              for n in range(1, 31)]
    assert upload(client, cast.network, ctdc_csv(first)).context["job"].status == "done"
    ds1 = Dataset.objects.get(organisation=cast.network)
    assert DatasetColumn.objects.filter(dataset=ds1, rows=40).count() == len(method.DIMENSIONS) + 1
    dims = ["year", "sex", "citizenship"]
    before = _three_ways(ds1, dims, 5)
    assert [c["values"] for c in before["cells"]] == [
        ["2019", "Female", "MD"], ["2019", "Female", "UA"], ["2019", "Male", "MD"],
        ["2019", "Male", "UA"]]

    assert upload(client, cast.network, ctdc_csv(second)).context["job"].status == "done"
    ds2 = Dataset.objects.filter(organisation=cast.network).exclude(pk=ds1.pk).get()
    assert _three_ways(ds1, dims, 5) == before
    after = _three_ways(ds2, dims, 5)
    assert [(c["values"], c["count"]) for c in after["cells"]] == [
        (["2010", "Female", "NG"], 7), (["2011", "Female", "NG"], 8),
        (["2012", "Female", "NG"], 8), (["2013", "Female", "NG"], 7)]

    response = client.post(f"/api/v1/organisations/{cast.network.pk}/stats/releases/",
                           {"dataset": ds2.pk, "title": "By year", "kind": "crosstab",
                            "dimensions": dims, "k": 5}, content_type="application/json")
    assert response.status_code == 201, response.content
    published = response.json()["result"]["cells"]
    # The same cells; each count published rounded to a multiple of 5, at most 4 away.
    assert [c["values"] for c in published] == [c["values"] for c in after["cells"]]
    assert all(c["count"] % 5 == 0 and abs(c["count"] - t["count"]) <= 4
               for c, t in zip(published, after["cells"], strict=True))

    services.dataset_delete(dataset=ds1, actor=cast.coordinator)
    assert not DatasetColumn.objects.filter(dataset_id=ds1.pk).exists()
    assert _three_ways(ds2, dims, 5) == after


def test_live_refresh_rebuilds_the_columns(cast, as_user):
    from bridgeway.cases.services import PersonData, case_open, case_update

    def open_case():
        case = case_open(org=cast.org_a, actor=cast.supervisor_a,
                         person=PersonData(first_name="A", second_name="B", age=30,
                                           gender="Feminine", citizenship="MD"),
                         opened_on=date(2024, 3, 1), exploitation_types=["SexualExploitation"])
        case_update(case=case, actor=cast.supervisor_a, version=case.version,
                    data={"exploitation_country": "RO"}, seen={})
        return case

    client = as_user(cast.supervisor_a)
    open_case()
    moved = open_case()
    client.post("/stats/live/", {"organisation": cast.org_a.pk})
    live = Dataset.objects.get(organisation=cast.org_a, kind="live")
    assert DatasetColumn.objects.filter(dataset=live, rows=2).count() == len(method.DIMENSIONS) + 1
    result = _three_ways(live, ["country_of_exploitation"], 2)
    assert result["cells"] == [{"values": ["RO"], "count": 2}] and result["steps"] == []

    # The same number of records after the next refresh, one value changed: the columns follow.
    moved.refresh_from_db()
    case_update(case=moved, actor=cast.supervisor_a, version=moved.version,
                data={"exploitation_country": "IT"}, seen={})
    client.post("/stats/live/", {"organisation": cast.org_a.pk})
    result = _three_ways(live, ["country_of_exploitation"], 2)
    assert result["cells"] == [{"values": ["EU"], "count": 2}]
    assert result["steps"] == ["country_of_exploitation: UN M49 sub-region",
                               "country_of_exploitation: UN M49 region"]


def test_columns_built_for_other_records_are_not_read(cast):
    ds = _dataset(cast.org_a, _varied(300, 7))
    dims = ["sex", "citizenship"]
    first = services.release_crosstab(ds, dims, 5)
    # Records written behind the services' back, and the dataset's count with them: the stored
    # columns no longer describe the dataset, so they are rebuilt rather than read.
    StatRecord.objects.bulk_create([StatRecord(organisation=cast.org_a, dataset=ds, **r)
                                    for r in _varied(50, 8)])
    Dataset.objects.filter(pk=ds.pk).update(rows=350)
    second = _three_ways(ds, dims, 5)
    assert second != first
    assert set(DatasetColumn.objects.filter(dataset=ds).values_list("rows", flat=True)) == {350}
    # A column missing: rebuilt too.
    DatasetColumn.objects.filter(dataset=ds, dimension="sex").delete()
    assert services.release_crosstab(ds, dims, 5) == second
    assert DatasetColumn.objects.filter(dataset=ds).count() == len(method.DIMENSIONS) + 1


def test_pycanon_check_from_counts_equals_check_over_rows(cast):
    ds = _dataset(cast.org_a, _varied(800, 9))
    dims = ["year", "sex", "age", "citizenship"]
    result = services.release_crosstab(ds, dims, 11)
    assert result["suppressed"]
    fast = method.pycanon_k_crosstab(result, dims)
    assert fast == method.pycanon_k(method.crosstab_rows(result), dims)
    assert fast == min(c["count"] for c in result["cells"] if c["count"])
    # A table that is not k-anonymous is seen as such.
    leaky = {**result, "cells": [*result["cells"], {"values": ["2099", "Male", "0-8", "MD"],
                                                      "count": 1}]}
    assert method.pycanon_k_crosstab(leaky, dims) == 1
    assert method.pycanon_k_crosstab({"cells": []}, dims) is None


_COUNTRIES = st.sampled_from(["MD", "RO", "IT", "NG", "VN", "ZZ", "QQ", ""])
_VALUES = {"year": st.one_of(st.none(), st.integers(1995, 2024)),
           "sex": st.sampled_from(["Female", "Male", "", "TransgenderNonConforming"]),
           "age": st.sampled_from([*codes.AGE_BANDS, ""]),
           "citizenship": _COUNTRIES, "country_of_exploitation": _COUNTRIES,
           "majority": st.sampled_from(["Adult", "Minor", ""])}


@given(data=st.data())
@settings(max_examples=100, deadline=None)
def test_column_crosstab_equals_row_path_on_any_records(data):
    """The numpy counting and lookup-array generalisation against the row path, on any records
    (including none, and values outside the M49 table), any dimensions and k."""
    dims = data.draw(st.lists(st.sampled_from(list(method.DIMENSIONS)), min_size=1, max_size=4,
                              unique=True))
    k = data.draw(st.integers(2, 15))
    records = data.draw(st.lists(st.fixed_dictionaries(
        {method.DIMENSIONS[d]: _VALUES[d] for d in method.DIMENSIONS}), max_size=150))
    aligned = []
    for d in dims:
        values = [r[method.DIMENSIONS[d]] for r in records]
        distinct = list(dict.fromkeys(values))
        aligned.append((distinct, np.array([distinct.index(v) for v in values], dtype=np.uint8)))
    assert columns.crosstab(aligned, dims, k) == method.crosstab(records, dims, k)


@pytest.mark.django_db(transaction=True)
def test_rebuild_on_first_use_racing_a_writer_never_keeps_superseded_columns(cast):
    """A release builds missing columns while a writer replaces the records (same count, new
    values). The builder holds the dataset's lock, so the writer waits, then replaces the
    columns: the cross-tab afterwards is the one of the new records. Without the lock the
    writer's columns lost to the builder's, and releases read the superseded values."""
    from django.db import connection, transaction

    from tests.concurrency import race

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite serialises writers itself)")
    rows = [{"year_of_registration": 2020, "gender": "Female", "age_band": "18-20",
             "citizenship": "MD", "country_of_exploitation": "MD", "majority_status": "Adult"}] * 12
    ds = _dataset(cast.org_a, rows)

    def writer():
        with transaction.atomic():
            Dataset.objects.select_for_update().get(pk=ds.pk)
            StatRecord.objects.filter(dataset=ds).update(citizenship="RO")
            columns.rebuild(ds)

    # The builder loads missing columns from the old records and holds its transaction open;
    # the writer comes meanwhile (and waits for the lock, or, unfixed, writes).
    outcome = race(lambda: columns.load(ds, ["citizenship"]), writer)
    assert outcome == {"first": None, "second": None}, outcome
    result = services.release_crosstab(ds, ["citizenship"], 2)
    assert result["cells"] == [{"values": ["RO"], "count": 12}]
    assert result == services.release_crosstab_sql(ds, ["citizenship"], 2)


def test_import_service_leaves_the_columns_to_first_use(cast, tmp_path):
    """import_file itself builds no column store (the import job queues its build): the first
    cross-tab builds it from the records, never from stale columns."""
    path = tmp_path / "d.csv"
    path.write_bytes(ctdc_csv([ctdc_row(n, gender="Male" if n % 2 else "Female")
                               for n in range(1, 13)]))
    report, ds = services.import_file(org=cast.org_a, actor=cast.supervisor_a, path=path,
                                      kind="ctdc", file_type="csv", dry_run=False)
    assert report.ok and ds.rows == 12
    assert not DatasetColumn.objects.filter(dataset=ds).exists()
    result = _three_ways(ds, ["sex"], 5)
    assert [(c["values"], c["count"]) for c in result["cells"]] == [(["Female"], 6),
                                                                    (["Male"], 6)]
    assert DatasetColumn.objects.filter(dataset=ds, rows=12).count() == len(method.DIMENSIONS) + 1
