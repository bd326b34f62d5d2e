"""Keyed Bloom-filter encodings (CLKs) and the standalone encoder."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridgeway.estimation import clk, linkage
from bridgeway.estimation.csvfiles import CsvError
from bridgeway.estimation.encode import EncodingFileError, encode_csv, read_encodings
from tests.shared_data import need

ROOT = Path(__file__).resolve().parents[2]
FEBRL = need("febrl")
FEBRL_SCHEMA = ROOT / "bridgeway/estimation/schemas/febrl.json"
SECRET = b"a linkage secret shared by the organisations"

PERSON = {"given_names": "Olena", "surname": "Shevchenko", "date_of_birth": "1990-01-02", "sex": "F",
          "place_of_birth": "Kyiv"}


def ones(raw: bytes) -> int:
    return int(np.unpackbits(np.frombuffer(raw, dtype=np.uint8)).sum())


def dice(a: bytes, b: bytes) -> float:
    return float(linkage.dice_matrix(np.frombuffer(a, np.uint8)[None], np.frombuffer(b, np.uint8)[None])[0, 0])


def test_a_clk_is_128_bytes_and_the_same_person_gives_the_same_bits():
    schema = clk.default_schema()
    one = clk.encode(PERSON, schema, SECRET)
    assert len(one) == 128
    assert one == clk.encode(dict(PERSON), schema, SECRET)
    assert 100 < ones(one) < 600


def test_another_secret_gives_unrelated_bits_and_another_fingerprint():
    schema = clk.default_schema()
    mine, theirs = clk.encode(PERSON, schema, SECRET), clk.encode(PERSON, schema, b"another secret!!")
    assert dice(mine, theirs) < 0.6
    assert clk.fingerprint(schema, SECRET) != clk.fingerprint(schema, b"another secret!!")
    assert len(clk.fingerprint(schema, SECRET)) == 16
    assert SECRET.hex()[:8] not in clk.fingerprint(schema, SECRET)


def test_the_fingerprint_ignores_column_names_but_not_parameters():
    data = {"fields": [{"name": "given_names", "column": "first"}, {"name": "surname", "column": "last"}]}
    renamed = {"fields": [{"name": "given_names", "column": "Vorname"}, {"name": "surname", "column": "Name"}]}
    heavier = {"fields": [{"name": "given_names", "column": "first", "bits_per_token": 30},
                          {"name": "surname", "column": "last"}]}
    fp = clk.fingerprint(clk.load_schema(data), SECRET)
    assert fp == clk.fingerprint(clk.load_schema(renamed), SECRET)
    assert fp != clk.fingerprint(clk.load_schema(heavier), SECRET)


def test_names_in_another_script_and_with_a_typo_stay_similar():
    schema = clk.default_schema()
    latin = clk.encode(PERSON, schema, SECRET)
    cyrillic = clk.encode(PERSON | {"given_names": "Олена", "surname": "Шевченко"}, schema, SECRET)
    typo = clk.encode(PERSON | {"surname": "Shevchemko"}, schema, SECRET)
    other = clk.encode({"given_names": "Ion", "surname": "Rusu", "date_of_birth": "1971-05-06", "sex": "M",
                        "place_of_birth": "Chisinau"}, schema, SECRET)
    assert clk.normalise("given_names", "Олена") == "olena"
    assert dice(latin, cyrillic) > 0.9
    assert dice(latin, typo) > 0.8
    assert dice(latin, other) < 0.5


@pytest.mark.parametrize("value", ["1990-01-02", "19900102", "02/01/1990", "02.01.1990"])
def test_dates_in_common_formats_normalise_alike(value):
    assert clk.normalise("date_of_birth", value) == "19900102"


def test_balanced_hardening_sets_exactly_half_the_bits():
    schema = clk.load_schema({"fields": [{"name": "given_names"}, {"name": "surname"}],
                              "hardening": {"balance": True}})
    clks = clk.encode_many([PERSON, PERSON | {"given_names": "Maria"}], schema, SECRET)
    assert [int(np.unpackbits(row).sum()) for row in clks] == [512, 512]


@pytest.mark.parametrize(("schema", "words"), [
    ({"fields": []}, "list of fields"),
    ({"fields": [{"name": "height"}]}, "kind"),
    ({"fields": [{"name": "surname"}, {"name": "surname"}]}, "twice"),
    ({"fields": [{"name": "surname", "bits_per_token": "many"}]}, "whole numbers"),
    ({"fields": [{"name": "surname", "q": 9}]}, "q from 1 to 4"),
    ({"bits": 512, "fields": [{"name": "surname"}]}, "1024 bits"),
])
def test_a_bad_schema_is_refused(schema, words):
    with pytest.raises(clk.SchemaError, match=words):
        clk.load_schema(schema)


def test_febrl_schema_links_org_records_to_their_duplicates_from_encodings_alone():
    """FEBRL dataset2: each person's original against their first duplicate, with the people
    without duplicates split between the two files (docs/estimation.md)."""
    schema = clk.load_schema(FEBRL_SCHEMA)
    with open(FEBRL / "dataset2.csv", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        records = [dict(zip(header, [v.strip() for v in row], strict=True)) for row in reader]
    has_dup = {r["rec_id"].split("-")[1] for r in records if "-dup-0" in r["rec_id"]}
    orgs = [r for r in records if r["rec_id"].endswith("-org")]
    a = [r for r in orgs if r["rec_id"].split("-")[1] in has_dup or int(r["rec_id"].split("-")[1]) % 2]
    b = [r for r in records if r["rec_id"].endswith("-dup-0")] + \
        [r for r in orgs if r["rec_id"].split("-")[1] not in has_dup and not int(r["rec_id"].split("-")[1]) % 2]
    pairs = linkage.match(clk.encode_many(a, schema, SECRET), clk.encode_many(b, schema, SECRET))
    person = lambda r: r["rec_id"].split("-")[1]  # noqa: E731
    tp = sum(1 for i, j, _s in pairs if person(a[i]) == person(b[j]))
    precision, recall = tp / len(pairs), tp / len(has_dup)
    assert 2 * precision * recall / (precision + recall) >= 0.95


# --- the standalone encoder --------------------------------------------------------------------


def run_encoder(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "bridgeway.estimation.encode", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_standalone_encoder_runs_without_django_and_keeps_the_first_column_as_id(tmp_path):
    secret = tmp_path / "secret"
    secret.write_bytes(SECRET)
    out = tmp_path / "clks.csv"
    done = run_encoder(tmp_path, "--secret-file", str(secret), "--schema", str(FEBRL_SCHEMA),
                       "--input", str(FEBRL / "dataset1.csv"), "--output", str(out))
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    fp = clk.fingerprint(clk.load_schema(FEBRL_SCHEMA), SECRET)
    assert lines[0] == f"# bridgeway-clk-1 fingerprint={fp} bits=1024 records=1000"
    assert lines[1] == "rec_id,clk"
    assert lines[2].startswith("rec-223-org,")
    loaded = read_encodings(out)
    assert loaded.fingerprint == fp and len(loaded.ids) == 1000 and loaded.clks.shape == (1000, 128)
    # Nothing of the input but the id reaches the output.
    assert "waller" not in out.read_text()


def test_standalone_encoder_refuses_bad_input_and_writes_nothing(tmp_path):
    secret = tmp_path / "secret"
    secret.write_bytes(SECRET)
    short = tmp_path / "short"
    short.write_bytes(b"tiny")
    people = tmp_path / "people.csv"
    people.write_bytes(b"rec_id,given_name,surname\n1,ana,\xffrusu\n")
    out = tmp_path / "clks.csv"
    done = run_encoder(tmp_path, "--secret-file", str(short), "--schema", str(FEBRL_SCHEMA),
                       "--input", str(FEBRL / "dataset1.csv"), "--output", str(out))
    assert done.returncode == 2 and "at least 16 bytes" in done.stderr
    done = run_encoder(tmp_path, "--secret-file", str(secret), "--schema", str(FEBRL_SCHEMA),
                       "--input", str(people), "--output", str(out))
    assert done.returncode == 2 and "Nothing was written" in done.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".partial-*")) == []


def test_encode_csv_names_the_missing_columns_and_the_duplicate_id():
    schema = clk.load_schema(FEBRL_SCHEMA)
    with pytest.raises(CsvError, match="date_of_birth") as err:
        encode_csv(b"rec_id,given_name,surname\n1,ana,rusu\n", schema, SECRET)
    assert err.value.line == 1
    small = clk.load_schema({"fields": [{"name": "surname"}]})
    with pytest.raises(CsvError, match="already on an earlier line") as err:
        encode_csv(b"id,surname\n7,rusu\n7,lungu\n", small, SECRET)
    assert err.value.line == 3
    with pytest.raises(CsvError, match="Two columns have this name") as err:
        encode_csv(b"id,surname,surname\n7,rusu,lungu\n", small, SECRET)
    assert err.value.column == "surname"


def test_a_file_that_is_not_an_encodings_file_is_refused(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("rec_id,given_name\n1,ana\n")
    with pytest.raises(EncodingFileError, match="not an encodings file"):
        read_encodings(path)


def test_a_per_field_salt_changes_that_fields_bits_and_the_fingerprint():
    plain = clk.load_schema({"fields": [{"name": "surname"}]})
    salted = clk.load_schema({"fields": [{"name": "surname", "salt": "network-2026"}]})
    record = {"surname": "Shevchenko"}
    assert dice(clk.encode(record, plain, SECRET), clk.encode(record, salted, SECRET)) < 0.5
    assert clk.fingerprint(plain, SECRET) != clk.fingerprint(salted, SECRET)
