"""De-duplication within one organisation (splink on an in-memory DuckDB)."""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bridgeway.estimation import clk, dedupe
from tests.shared_data import need

FEBRL = need("febrl")
FEBRL_SCHEMA = Path(__file__).resolve().parents[2] / "bridgeway/estimation/schemas/febrl.json"


def read(path):
    with open(path, encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        return [dict(zip(header, [v.strip() for v in row], strict=True)) for row in reader]


def test_the_duckdb_connection_stays_in_memory_and_never_spills():
    con = dedupe._connection()
    assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == ""
    assert con.execute("PRAGMA database_list").fetchall()[0][2] in (None, "")


@pytest.mark.slow
def test_febrl_duplicates_are_found_with_their_match_weights():
    records = read(FEBRL / "dataset1.csv")
    pairs = dedupe.dedupe(records, clk.load_schema(FEBRL_SCHEMA))
    person = {r["rec_id"]: r["rec_id"].split("-")[1] for r in records}
    tp = sum(1 for a, b, _p, _e in pairs if person[a] == person[b])
    precision, recall = tp / len(pairs), tp / 500
    assert 2 * precision * recall / (precision + recall) >= 0.95
    a, b, probability, explanation = pairs[0]
    assert probability >= dedupe.DEFAULT_THRESHOLD
    assert set(explanation) == {*(f.name for f in clk.load_schema(FEBRL_SCHEMA).fields), "prior"}
    assert explanation["surname"] > 0


def test_a_small_register_with_a_transliterated_duplicate(tmp_path):
    rows = [("1", "Olena", "Shevchenko", "1990-01-02", "F"), ("2", "Олена", "Шевченко", "1990-01-02", "F"),
            ("3", "Maria", "Rusu", "1985-03-04", "F"), ("4", "Ion", "Popa", "1970-11-12", "M"),
            ("5", "Andrii", "Melnyk", "1999-07-08", "M"), ("6", "Ana", "Lungu", "2001-05-06", "F"),
            ("7", "Mihai", "Ceban", "1966-02-03", "M"), ("8", "Elena", "Moraru", "1994-09-10", "F")]
    path = tmp_path / "people.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "given_names", "surname", "date_of_birth", "sex"])
        writer.writerows(rows)
    schema = tmp_path / "schema.json"
    schema.write_text('{"id_column": "id", "fields": [{"name": "given_names"}, {"name": "surname"}, '
                      '{"name": "date_of_birth"}, {"name": "sex"}]}')
    output = tmp_path / "pairs.csv"
    out = StringIO()
    call_command("linkage_dedupe", str(path), "--schema", str(schema), "--output", str(output),
                 "--threshold", "0.5", stdout=out)
    lines = list(csv.reader(output.open()))
    assert lines[0] == ["id_a", "id_b", "match_probability"]
    assert [(a, b) for a, b, _p in lines[1:]] == [("1", "2")]
    assert "Olena" not in output.read_text()


def test_dedupe_refuses_a_file_without_the_schema_columns(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("id,name\n1,ana\n")
    output = tmp_path / "pairs.csv"
    with pytest.raises(CommandError, match="Nothing was written.*given_name"):
        call_command("linkage_dedupe", str(path), "--schema", str(FEBRL_SCHEMA), "--output", str(output))
    assert not output.exists()


def test_a_tiny_register_with_nothing_in_common_gives_no_pairs_rather_than_an_error():
    records = [{"id": "1", "given_names": "Ana", "surname": "Rusu", "date_of_birth": "1990-01-01", "sex": "F"},
               {"id": "2", "given_names": "Ion", "surname": "Popa", "date_of_birth": "1980-02-02", "sex": "M"},
               {"id": "3", "given_names": "", "surname": "", "date_of_birth": "", "sex": ""}]
    assert dedupe.dedupe(records, clk.default_schema()) == []
    assert dedupe.dedupe(records[:1], clk.default_schema()) == []
