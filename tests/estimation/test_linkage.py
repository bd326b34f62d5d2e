"""Linkage over encodings: Dice, blocking, one-to-one matches, clusters across lists, capture
histories, and the linkage_match command."""

import csv
import random
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from bridgeway.estimation import clk, linkage
from bridgeway.estimation.encode import encode_csv, format_encodings

SECRET = b"network linkage secret 2026"


def random_clks(n, seed, fill=0.4):
    rng = np.random.default_rng(seed)
    return np.packbits(rng.random((n, 1024)) < fill, axis=1)


def noisy_copies(clks, flips, seed):
    rng = np.random.default_rng(seed)
    bits = np.unpackbits(clks, axis=1).astype(bool)
    for row in bits:
        row[rng.choice(1024, flips, replace=False)] ^= True
    return np.packbits(bits, axis=1)


def reference_dice(a, b):
    x, y = np.unpackbits(a).astype(int), np.unpackbits(b).astype(int)
    return 2 * (x & y).sum() / (x.sum() + y.sum())


def test_vectorised_dice_equals_the_definition():
    a, b = random_clks(7, 1), random_clks(9, 2, fill=0.3)
    matrix = linkage.dice_matrix(a, b)
    for i in range(7):
        for j in range(9):
            assert matrix[i, j] == pytest.approx(reference_dice(a[i], b[j]), abs=1e-6)
    i, j = np.array([0, 3, 6]), np.array([8, 1, 0])
    assert np.allclose(linkage.dice_pairs(a, b, i, j), matrix[i, j])


def test_dense_candidates_find_every_pair_above_the_threshold():
    a = random_clks(300, 3)
    b = np.vstack([noisy_copies(a[:100], 60, 4), random_clks(150, 5)])
    ii, jj, scores = linkage.dense_candidates(a, b, 0.7)
    expected = np.argwhere(linkage.dice_matrix(a, b) >= 0.7)
    assert sorted(zip(ii.tolist(), jj.tolist(), strict=True)) == sorted(map(tuple, expected.tolist()))
    assert (scores >= 0.7).all()


def test_lsh_blocking_keeps_near_duplicates_and_few_other_pairs():
    a = random_clks(2000, 6)
    b = noisy_copies(a, 80, 7)  # Dice ~0.9, as true matches of real names are
    ci, cj = linkage.lsh_candidates(a, b)
    found = set(zip(ci.tolist(), cj.tolist(), strict=True))
    recall = sum((k, k) in found for k in range(2000)) / 2000
    assert recall >= 0.99
    assert len(found) < 2000 * 20  # far fewer than the 4 million pairs
    matches = linkage.match(a, b, 0.7, blocking="lsh")
    assert sum(i == j for i, j, _s in matches) >= 0.99 * 2000


def test_match_is_one_to_one_best_score_first():
    a = random_clks(3, 8)
    b = np.vstack([noisy_copies(a[:1], 30, 9), noisy_copies(a[:1], 120, 10), a[2:3]])
    pairs = linkage.match(a, b, 0.7)
    assert [(i, j) for i, j, _s in pairs] == [(2, 2), (0, 0)]
    assert pairs[0][2] == pytest.approx(1.0)
    assert linkage.match(a[:0], b, 0.7) == []


def test_three_lists_cluster_and_give_the_capture_histories_of_the_construction():
    people = random_clks(60, 11)
    # NGO: people 0-39; police: 20-49; council: 30-59 (each a noisy copy, shuffled).
    lists, truth = [], []
    for k, (lo, hi) in enumerate([(0, 40), (20, 50), (30, 60)]):
        ids = list(range(lo, hi))
        random.Random(k).shuffle(ids)
        lists.append(noisy_copies(people[ids], 40, 20 + k))
        truth.append(ids)
    clusters = linkage.link_many(lists, 0.7)
    for cluster in clusters:
        assert len({truth[x][row] for x, row in cluster}) == 1  # no two people merged
        assert len({x for x, _row in cluster}) == len(cluster)  # at most one row per list
    histories = linkage.capture_histories([40, 30, 30], clusters)
    assert histories == {(1, 0, 0): 20, (1, 1, 0): 10, (1, 1, 1): 10, (0, 1, 1): 10, (0, 0, 1): 10}
    assert sum(histories.values()) == 60


def test_capture_histories_count_unmatched_records_as_single_list_people():
    assert linkage.capture_histories([3, 2], [[(0, 0), (1, 1)]]) == {(1, 1): 1, (1, 0): 2, (0, 1): 1}
    with pytest.raises(ValueError):
        linkage.capture_histories([1, 1], [[(0, 0)], [(0, 1)]])


# --- the command -------------------------------------------------------------------------------


PEOPLE = [
    ("Olena", "Shevchenko", "1990-01-02", "F"),
    ("Maria", "Rusu", "1985-03-04", "F"),
    ("Ion", "Popa", "1970-11-12", "M"),
    ("Andrii", "Melnyk", "1999-07-08", "M"),
    ("Ana", "Lungu", "2001-05-06", "F"),
]


def write_people(path, rows, header=("ref", "first", "last", "born", "sex")):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


SCHEMA = {"fields": [{"name": "given_names", "column": "first"}, {"name": "surname", "column": "last"},
                     {"name": "date_of_birth", "column": "born"}, {"name": "sex", "column": "sex"}]}


def encodings_file(tmp_path, name, rows, secret=SECRET, schema=SCHEMA):
    people = tmp_path / f"{name}-people.csv"
    write_people(people, rows)
    loaded = clk.load_schema(schema)
    id_header, ids, clks = encode_csv(people, loaded, secret)
    out = tmp_path / f"{name}.csv"
    out.write_text(format_encodings(clk.fingerprint(loaded, secret), id_header, ids, clks))
    return out


def test_linkage_match_writes_the_pairs_and_the_capture_histories(tmp_path):
    ngo = encodings_file(tmp_path, "ngo", [(f"n{k}", *p) for k, p in enumerate(PEOPLE[:4])])
    # The police spell one surname differently and write one name in Cyrillic.
    police_rows = [("p1", "Olena", "Shevchenco", "1990-01-02", "F"), ("p2", "Іон", "Попа", "1970-11-12", "M"),
                   ("p3", "Ana", "Lungu", "2001-05-06", "F")]
    police = encodings_file(tmp_path, "police", police_rows)
    output = tmp_path / "pairs.csv"
    out = StringIO()
    call_command("linkage_match", str(ngo), str(police), "--output", str(output), stdout=out)
    rows = list(csv.reader(output.open()))
    assert rows[0] == ["file_a", "id_a", "file_b", "id_b", "score"]
    assert sorted((r[1], r[3]) for r in rows[1:]) == [("n0", "p1"), ("n2", "p2")]
    assert all(0.7 <= float(r[4]) <= 1 for r in rows[1:])
    text = out.getvalue()
    assert "ngo.csv,police.csv,count" in text and "1,1,2" in text and "1,0,2" in text and "0,1,1" in text
    # Only ids and counts reach the coordinator's output.
    assert "Olena" not in text and "Olena" not in output.read_text()


def test_linkage_match_clusters_three_files(tmp_path):
    a = encodings_file(tmp_path, "a", [(f"a{k}", *p) for k, p in enumerate(PEOPLE)])
    b = encodings_file(tmp_path, "b", [(f"b{k}", *p) for k, p in enumerate(PEOPLE[2:])])
    c = encodings_file(tmp_path, "c", [(f"c{k}", *p) for k, p in enumerate(PEOPLE[4:])])
    output = tmp_path / "pairs.csv"
    out = StringIO()
    call_command("linkage_match", str(a), str(b), str(c), "--output", str(output), stdout=out)
    rows = list(csv.reader(output.open()))[1:]
    assert len(rows) == 3 + 2  # a-b for three people; a-b, a-c and b-c for the last one
    assert ("a.csv", "a4", "c.csv", "c0") in {tuple(r[:4]) for r in rows}
    assert "1,1,1,1" in out.getvalue() and "1,1,0,2" in out.getvalue() and "1,0,0,2" in out.getvalue()


def test_linkage_match_refuses_files_made_with_another_secret_or_schema(tmp_path):
    mine = encodings_file(tmp_path, "mine", [(f"n{k}", *p) for k, p in enumerate(PEOPLE)])
    other_secret = encodings_file(tmp_path, "theirs", [(f"t{k}", *p) for k, p in enumerate(PEOPLE)],
                                  secret=b"a different secret")
    heavier = {"fields": [dict(f, bits_per_token=30) for f in SCHEMA["fields"]]}
    other_schema = encodings_file(tmp_path, "schema", [(f"s{k}", *p) for k, p in enumerate(PEOPLE)],
                                  schema=heavier)
    output = tmp_path / "pairs.csv"
    for other in (other_secret, other_schema):
        with pytest.raises(CommandError, match="different linkage secret or schema"):
            call_command("linkage_match", str(mine), str(other), "--output", str(output))
        assert not output.exists()


def test_linkage_match_refuses_a_plain_csv_and_a_single_file(tmp_path):
    people = tmp_path / "people.csv"
    write_people(people, [("1", *PEOPLE[0])])
    mine = encodings_file(tmp_path, "mine", [("n0", *PEOPLE[0])])
    with pytest.raises(CommandError, match="people.csv was refused: .*not an encodings file"):
        call_command("linkage_match", str(mine), str(people), "--output", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="at least two"):
        call_command("linkage_match", str(mine), "--output", str(tmp_path / "o.csv"))
    assert not Path(tmp_path / "o.csv").exists()


def test_capture_histories_from_linkage_feed_the_estimate():
    from bridgeway.estimation import mse

    people = random_clks(400, 31)
    rng = np.random.default_rng(32)
    on = rng.random((400, 3)) < [0.5, 0.4, 0.3]  # each list finds people independently
    lists = [noisy_copies(people[on[:, k]], 40, 40 + k) for k in range(3)]
    clusters = linkage.link_many(lists, 0.7)
    histories = linkage.capture_histories([len(x) for x in lists], clusters)
    expected = {}
    for row in on[on.any(axis=1)]:
        expected[tuple(int(v) for v in row)] = expected.get(tuple(int(v) for v in row), 0) + 1
    assert histories == expected
    result = mse.estimate(mse.CaptureTable.from_counts(["NGO", "Police", "Council"], histories),
                          method="main", bootstrap=0)
    assert result.exists
    assert result.ci95[0] < 400 < result.ci95[1]


@pytest.mark.parametrize("threshold", [0.5, 0.62, 0.8])
def test_dense_candidates_agree_with_the_matrix_at_any_threshold(threshold):
    a, b = random_clks(70, 41, fill=0.3), random_clks(5000, 42, fill=0.3)
    b[:70] = noisy_copies(a, 100, 43)
    ii, jj, scores = linkage.dense_candidates(a, b, threshold, workers=2)
    matrix = linkage.dice_matrix(a, b)
    assert sorted(zip(ii.tolist(), jj.tolist(), strict=True)) == sorted(map(tuple, np.argwhere(matrix >= threshold).tolist()))
    assert np.allclose(scores, matrix[ii, jj], atol=1e-6)
