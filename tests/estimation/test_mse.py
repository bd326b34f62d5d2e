"""Multiple systems estimation: the published estimates, the existence check, the intervals and
every refused table."""

import json
import math

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from bridgeway.estimation import mse
from tests.shared_data import need

DATA = need("mse")


def table(name):
    return mse.read_table(DATA / f"{name}.csv")


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


# --- published estimates -----------------------------------------------------------------------


def test_uk_five_lists_stepwise_reproduces_the_home_office_estimate():
    """Silverman (2014), Home Office: 11,313 on the five-list table (PF and NCA merged), the
    estimate behind "between 10 and 13 thousand"; SparseMSE's stepwise at pthresh 0.02."""
    result = mse.estimate(table("UKdat_5"), bootstrap=0)
    assert result.exists
    assert result.total == pytest.approx(11313, abs=1)
    assert result.terms == ["LA:NG", "LA:PFNCA", "NG:GO", "NG:GP", "PFNCA:GP", "GO:GP"]
    low, high = result.ci95
    # Wald interval on the log of the dark figure: ~9,900 to ~13,000.
    assert 9700 < low < 10100 and 12800 < high < 13300
    # The profile-likelihood interval says the same here.
    plow, phigh = result.ci95_profile
    assert abs(plow - low) < 100 and abs(phigh - high) < 100


def test_uk_six_lists_stepwise_is_within_the_published_range():
    result = mse.estimate(table("UKdat"), bootstrap=0)
    assert result.exists
    assert result.observed == 2744
    assert 11000 < result.total < 12000
    assert "LA:NG" in result.terms and "PF:NCA" in result.terms
    low, high = result.ci95
    assert 9500 < low < 10500 and 12500 < high < 13500
    assert "LA and GP share nobody." in result.warnings
    # Profile likelihood: 10,001 to 13,182.
    assert 9900 < result.ci95_profile[0] < 10100 and 13000 < result.ci95_profile[1] < 13300


def test_uk_main_effects_only_and_the_model_comparison():
    result = mse.estimate(table("UKdat"), method="main", bootstrap=0)
    assert result.terms == []
    assert result.total == pytest.approx(12214, abs=1)
    names = [m["model"] for m in result.models]
    assert names == ["main", "stepwise", "all_two_way"]
    stepwise = result.models[1]
    # The stepwise model fits far better than main effects alone.
    assert stepwise["aic"] < result.models[0]["aic"] - 50
    assert all("bic" in m for m in result.models if m["exists"])


def test_kosovo_stepwise_exists_and_every_model_agrees_with_statsmodels():
    kosovo = table("Kosovo")
    result = mse.estimate(kosovo, bootstrap=0)
    assert result.exists and result.observed == 4400
    assert "EXH:ABA" in result.terms
    # The fast Newton fit used by the bootstrap gives statsmodels' GLM estimate.
    terms = mse.parse_terms(kosovo.lists, result.terms)
    _verdict, fit = mse._fit_model(kosovo.patterns, kosovo.counts, terms, kosovo.lists)
    assert kosovo.observed + math.exp(fit.beta[0]) == pytest.approx(result.total, rel=1e-6)


# --- existence and identifiability -------------------------------------------------------------


def test_lists_that_never_overlap_have_no_estimate_and_no_number_is_printed():
    capture = mse.read_table(csv_bytes("A,B,count\n1,0,10\n0,1,5\n"))
    result = mse.estimate(capture, bootstrap=10)
    assert not result.exists
    assert "never overlap: A–B" in result.reason
    data = json.loads(result.to_json())
    assert data["total"] is None and data["unobserved"] is None and data["ci95"] is None


def test_check_reports_a_non_identifiable_model_without_fitting():
    capture = mse.read_table(csv_bytes("A,B,count\n1,0,10\n0,1,5\n1,1,3\n"))
    verdict = mse.check(capture, "A:B")
    assert not verdict.identifiable and not verdict.exists
    assert "not identifiable" in verdict.reason
    assert mse.check(capture, []).exists


def test_check_agrees_with_the_linear_programme_on_random_sparse_tables():
    """The shortcut (null space of the positive cells) against the plain Fienberg-Rinaldo LP."""
    from scipy import optimize

    uk = table("UKdat")
    rng = np.random.default_rng(7)
    pairs = [(a, b) for a in range(6) for b in range(a + 1, 6)]
    for _ in range(60):
        counts = rng.multinomial(uk.observed, uk.counts / uk.observed)
        terms = sorted(pairs[k] for k in rng.choice(len(pairs), rng.integers(0, 9), replace=False))
        keep, fitted, _empty = mse._reduce(uk.patterns, counts, terms)
        x = mse.design(uk.patterns, fitted)[keep]
        n = counts[keep].astype(float)
        rows, p = x.shape
        res = optimize.linprog(np.r_[np.zeros(rows), -1.0],
                               A_ub=np.hstack([-np.eye(rows), np.ones((rows, 1))]), b_ub=np.zeros(rows),
                               A_eq=np.hstack([x.T, np.zeros((p, 1))]), b_eq=x.T @ n,
                               bounds=[(None, None)] * rows + [(None, n.sum())], method="highs")
        lp_exists = res.status == 0 and -res.fun > 1e-7
        verdict = mse._check(uk.patterns, counts, terms, uk.lists)
        if verdict.identifiable:
            assert verdict.exists == lp_exists


# --- bootstrap ---------------------------------------------------------------------------------


def test_bca_bootstrap_is_seeded_reports_progress_and_brackets_the_estimate():
    seen = []
    first = mse.estimate(table("UKdat_5"), bootstrap=40, seed=3, progress=lambda d, t: seen.append((d, t)))
    again = mse.estimate(table("UKdat_5"), bootstrap=40, seed=3)
    assert seen[-1] == (40, 40) and len(seen) == 40
    assert first.ci_method == "bca_bootstrap"
    assert first.ci95 == again.ci95
    assert first.ci95[0] < first.total < first.ci95[1]
    assert first.ci95_wald[0] < first.total < first.ci95_wald[1]


# --- refused tables ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("A,B,n\n1,0,3\n", 1, "count", "needs a 'count' column"),
    ("A,B,count\n1,2,3\n", 2, "B", "0 or 1"),
    ("A,B,count\n1,0,-3\n", 2, "count", "cannot be negative"),
    ("A,B,count\n0,0,3\n1,0,2\n", 2, "", "all-zero pattern"),
    ("A,count\n1,3\n", 1, "", "at least two lists"),
    ("A,B,count\n1,0,=1+2\n", 2, "count", "formula"),
    ("A,B,count\n@SUM(1),0,2\n", 2, "A", "formula"),
    ("A,B,count\n1,0,2.5\n", 2, "count", "whole number"),
    ("A,B,count\n1,0,x\n", 2, "count", "not a number"),
    ("A,B,count\n1,0,2\n1,0,3\n", 3, "", "already on line 2"),
    ("A,B,count\n1,0\n", 2, "", "cells"),
    ("A,B,count\n1,0,0\n", 0, "count", "Every count is zero"),
    ("A;B;count\n1;0;3\n", 1, "", "not separated by commas"),
])
def test_a_bad_table_is_refused_naming_the_line_and_column(text, line, column, words):
    with pytest.raises(mse.TableError) as err:
        mse.read_table(csv_bytes(text))
    assert err.value.line == line
    assert err.value.column == column
    assert words in str(err.value)


def test_broken_encoding_is_refused_with_the_line():
    with pytest.raises(mse.TableError) as err:
        mse.read_table(b"A,B,count\n1,0,3\n0,1,\xff4\n")
    assert err.value.line == 3
    assert "UTF-8" in str(err.value)


def test_a_missing_pattern_counts_as_zero_and_lists_keep_their_names():
    capture = mse.read_table(csv_bytes("\ufeffNGO,Police,count\n1,0,30\n0,1,20\n1,1,10\n"))
    assert capture.lists == ["NGO", "Police"]
    assert capture.observed == 60
    # Lincoln-Petersen: 40 x 30 / 10 = 120 in total.
    assert mse.estimate(capture, bootstrap=0).total == pytest.approx(120, rel=1e-6)


# --- the command -------------------------------------------------------------------------------


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("mse_estimate", *args, stdout=out)
    return out.getvalue()


def test_command_prints_one_json_object_with_the_estimate():
    data = json.loads(run(str(DATA / "UKdat_5.csv"), "--method", "stepwise", "--pthresh", "0.02",
                          "--bootstrap", "20", "--json"))
    assert data["exists"] is True
    assert round(data["total"]) == 11313
    assert data["unobserved"] == pytest.approx(data["total"] - 2744)
    assert len(data["ci95"]) == 2 and data["ci95"][0] < data["total"] < data["ci95"][1]
    assert "GO:GP" in data["terms"]


def test_command_main_effects_and_check_only():
    data = json.loads(run(str(DATA / "UKdat.csv"), "--method", "main", "--bootstrap", "0", "--json"))
    assert data["terms"] == [] and round(data["total"]) == 12214
    verdict = json.loads(run(str(DATA / "UKdat.csv"), "--check-only", "--terms", "LA:GP,NG:PF", "--json"))
    assert verdict == {"exists": True, "identifiable": True, "reason": "", "terms": ["LA:GP", "NG:PF"],
                       "empty_overlap_terms": ["LA:GP"]}


def test_command_without_an_estimate_prints_the_reason_and_no_number(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("A,B,count\n1,0,10\n0,1,5\n")
    text = run(str(path), "--bootstrap", "5")
    assert "never overlap" in text
    assert not any(ch.isdigit() for ch in text.replace("2021", ""))
    data = json.loads(run(str(path), "--json", "--bootstrap", "5"))
    assert data["exists"] is False and data["total"] is None and data["reason"]


def test_command_refuses_a_bad_table_and_an_unknown_term(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("A,B,count\n1,0,-1\n")
    with pytest.raises(CommandError, match="line 2, column count: A count cannot be negative"):
        run(str(path))
    with pytest.raises(CommandError, match="not a two-list interaction"):
        run(str(DATA / "UKdat.csv"), "--check-only", "--terms", "LA:XX")
