"""Probabilistic de-duplication within one organisation: splink 5 (Fellegi-Sunter, m and u
probabilities trained without labels) on an in-memory DuckDB whose spilling to disk is turned off,
so the decrypted values never reach a file. The settings use only comparisons and blocking rules
that splink provides for both DuckDB and Spark, so a national-scale run can take the same
settings to splink's SparkAPI (docs/estimation.md).

Fields come from the same schema as the CLK encoder (bridgeway/estimation/schemas/*.json): names
are compared after the same normalisation (transliterated to Latin), so Олена and Olena agree.
"""

from __future__ import annotations

import logging
import math

from bridgeway.estimation import clk
from bridgeway.estimation._text import _

DEFAULT_THRESHOLD = 0.9
SEED = 2026


class DedupeError(ValueError):
    pass


def _comparison(spec: clk.FieldSpec):
    import splink.comparison_library as cl

    if spec.kind == "name":
        # Exact, then Jaro-Winkler >= 0.92 / 0.88 / 0.7 (splink's name comparison).
        return cl.NameComparison(spec.name)
    if spec.kind == "date":
        # Dates as YYYYMMDD text: a typed digit or two transposed digits is one edit.
        return cl.DamerauLevenshteinAtThresholds(spec.name, [1, 2])
    if spec.kind == "sex":
        return cl.ExactMatch(spec.name)
    if spec.kind == "text":
        return cl.JaroWinklerAtThresholds(spec.name, [0.92, 0.8])
    return cl.DamerauLevenshteinAtThresholds(spec.name, [1, 2])


def settings_for(schema: clk.Schema, *, id_column: str = "unique_id", prior: float = 1e-4):
    """splink settings for a schema: one comparison per field; a pair is scored when it agrees
    exactly on any one blocking field (names, date of birth, identifiers)."""
    from splink import SettingsCreator, block_on

    blocking = [block_on(spec.name) for spec in schema.fields if spec.kind in ("name", "date", "exact")]
    if not blocking:
        blocking = [block_on(schema.fields[0].name)]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=id_column,
        probability_two_random_records_match=prior,
        comparisons=[_comparison(spec) for spec in schema.fields],
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
    )


def _frame(records: list[dict], schema: clk.Schema):
    import pandas as pd

    id_column = schema.id_column
    rows, ids = [], []
    for k, record in enumerate(records):
        record_id = record.get(id_column) if id_column else None
        if record_id is None:
            record_id = next(iter(record.values())) if record else None
        if record_id in (None, ""):
            raise DedupeError(_("Record %(n)d has no id.") % {"n": k + 1})
        ids.append(str(record_id))
        row = {"unique_id": k}
        for spec in schema.fields:
            value = clk.normalise(spec.kind, record.get(spec.column, record.get(spec.name)))
            row[spec.name] = value or None
        rows.append(row)
    if len(set(ids)) != len(ids):
        raise DedupeError(_("Two records have the same id."))
    return pd.DataFrame(rows), ids


def _prior(frame, schema: clk.Schema, recall: float = 0.7) -> float:
    """The probability that two records picked at random are the same person: the pairs that
    agree exactly on every name and date field, taken as 70 % of the true pairs (splink's
    estimate_probability_two_random_records_match does the same in SQL), at least one pair."""
    n = len(frame)
    keys = [s.name for s in schema.fields if s.kind in ("name", "date")] or [schema.fields[0].name]
    sizes = frame.dropna(subset=keys).groupby(keys).size()
    agreeing = float((sizes * (sizes - 1) / 2).sum())
    pairs = n * (n - 1) / 2
    return min(max(agreeing / recall, 1.0) / pairs, 0.5)


def _number(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(value) else value


def _connection():
    import duckdb

    con = duckdb.connect(":memory:")
    # An in-memory DuckDB spills to a temporary directory when memory runs short; no spilling:
    # the decrypted values stay in this process's memory.
    con.execute("SET temp_directory = ''")
    con.execute("SET enable_external_access = false")
    return con


def dedupe(records: list[dict], schema: clk.Schema, *, threshold: float = DEFAULT_THRESHOLD,
           seed: int = SEED) -> list[tuple[str, str, float, dict[str, float]]]:
    """Likely duplicate pairs (id a, id b, match probability, explanation) at or above
    `threshold`, most likely first. The explanation gives each comparison's match weight
    (log2 Bayes factor: positive = evidence for the same person) and the prior."""
    if len(records) < 2:
        return []
    from splink import DuckDBAPI, Linker, block_on

    frame, ids = _frame(records, schema)
    db_api = DuckDBAPI(connection=_connection())
    table = db_api.register(frame)
    linker = Linker(table, settings_for(schema, prior=_prior(frame, schema)), log_level=logging.ERROR)
    names = [spec.name for spec in schema.fields]
    linker.training.estimate_u_using_random_sampling(max_pairs=1.5e6, seed=seed)
    # EM twice, each blocked on a different field, so every comparison gets its m estimated.
    block_fields = [s.name for s in schema.fields if s.kind in ("name", "date")] or names[:1]
    sessions = {block_fields[0], block_fields[-1]}
    if len(sessions) == 1 and len(names) > 1:
        sessions.add(next(n for n in names if n != block_fields[0]))
    from splink.internals.exceptions import EMTrainingException

    for field in sorted(sessions):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(field), fix_probability_two_random_records_match=True)
        except EMTrainingException:
            # No two records agree on this field (a small register): splink's default m values
            # stand for the comparisons this session would have trained.
            logging.getLogger(__name__).info("estimation.dedupe: an EM session had no pairs")
    predictions = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    out = []
    for row in predictions.itertuples(index=False):
        data = row._asdict()
        explanation = {}
        for name in names:
            weight = _number(data.get(f"mw_{name}")) + _number(data.get(f"mw_tf_adj_{name}"))
            explanation[name] = round(weight, 3)
        # What the fields do not explain: the prior odds that two records match.
        explanation["prior"] = round(_number(data.get("match_weight")) - sum(explanation.values()), 3)
        a, b = ids[int(data["unique_id_l"])], ids[int(data["unique_id_r"])]
        out.append((a, b, float(data["match_probability"]), explanation))
    out.sort(key=lambda item: (-item[2], item[0], item[1]))
    return out
