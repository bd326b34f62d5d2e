"""The estimation API does what the screens do, with the same permissions: encodings upload,
linkage runs and their capture histories, estimates with the four-eyes release. Answers carry
counts and list labels, never a name or a record id; outsiders get 404."""

import json
import re

import pytest

from bridgeway.estimation import services
from bridgeway.estimation.models import EncodingSet, Estimate
from tests.conftest import signed_in
from tests.estimation.app_helpers import (
    SECRET,
    all_names,
    encodings_file,
    make_world,
    overlapping,
    upload,
)

pytestmark = pytest.mark.django_db

TABLE = "A,B,C,count\n1,0,0,120\n0,1,0,90\n0,0,1,70\n1,1,0,25\n1,0,1,18\n0,1,1,14\n1,1,1,6\n"


@pytest.fixture
def world(cast):
    return make_world(cast)


def test_the_coordinator_runs_linkage_and_reads_the_capture_histories(world):
    expected = overlapping(world)
    api = signed_in(world.coordinator)
    encodings = api.get(f"/api/v1/networks/{world.network.pk}/linkage/encodings/")
    assert encodings.status_code == 200
    assert sorted(e["count"] for e in encodings.json()) == sorted(
        sum(n for p, n in expected.items() if p[i] == "1") for i in range(3))
    started = api.post(f"/api/v1/networks/{world.network.pk}/linkage/runs/",
                       {"threshold": 0.7}, content_type="application/json")
    assert started.status_code == 202, started.content
    run = started.json()
    assert run["status"] == "done"
    histories = api.get(f"/api/v1/linkage/runs/{run['id']}/capture-histories/").json()
    assert {r["pattern"]: r["count"] for r in histories["rows"]} == expected
    assert [x["label"] for x in histories["lists"]] == [world.a.name, world.b.name, world.c.name]
    body = json.dumps([encodings.json(), run, histories], ensure_ascii=False)
    for name in all_names():
        assert not re.search(rf"\b{re.escape(name)}\b", body), name


def test_linkage_api_permissions(world):
    overlapping(world)
    run = services.run_start(network=world.network, actor=world.coordinator)
    urls = [f"/api/v1/linkage/runs/{run.pk}/", f"/api/v1/linkage/runs/{run.pk}/capture-histories/",
            f"/api/v1/networks/{world.network.pk}/linkage/runs/"]
    for url in urls:
        assert signed_in(world.researcher).get(url).status_code == 200, url
        for user in (world.outsider, world.other_coordinator, world.caseworker_a, world.sup_a):
            assert signed_in(user).get(url).status_code == 404, (url, user)
    start = f"/api/v1/networks/{world.network.pk}/linkage/runs/"
    assert signed_in(world.researcher).post(start).status_code == 404
    assert signed_in(world.sup_a).get(
        f"/api/v1/networks/{world.network.pk}/linkage/encodings/").status_code == 404


def test_encodings_upload_by_a_member_and_refusal_of_another_secret(world):
    services.participation_set(network=world.network, org=world.a, actor=world.sup_a,
                               enabled=True, secret=SECRET)
    people = [{"id": "x1", "given_names": "Ana", "surname": "Lupu",
               "date_of_birth": "1990-02-03", "sex": "f"}]
    url = f"/api/v1/networks/{world.network.pk}/linkage/encodings/"
    ok = signed_in(world.sup_b).post(url, {"organisation": world.b.pk,
                                           "file": upload("c.csv", encodings_file(people))})
    assert ok.status_code == 201, ok.content
    assert ok.json()["count"] == 1 and "x1" not in ok.content.decode()
    wrong = signed_in(world.sup_c).post(url, {
        "organisation": world.c.pk,
        "file": upload("c.csv", encodings_file(people, secret=b"some-other-secret-1234567890"))})
    assert wrong.status_code == 400
    assert "another linkage secret" in wrong.json()["file"][0]
    assert EncodingSet.objects.count() == 1
    # A caseworker, and an organisation uploading for another, get 404.
    assert signed_in(world.caseworker_a).post(url, {
        "organisation": world.a.pk, "file": upload("c.csv", b"x")}).status_code == 404
    assert signed_in(world.sup_c).post(url, {
        "organisation": world.b.pk, "file": upload("c.csv", b"x")}).status_code == 404


def test_estimates_through_the_api_with_four_eyes(world):
    api = signed_in(world.coordinator)
    url = f"/api/v1/organisations/{world.network.pk}/estimates/"
    bad = api.post(url, {"title": "x", "file": upload("t.csv", "A,B,count\n1,0,-3\n")})
    assert bad.status_code == 400 and "line 2" in bad.json()["file"][0]
    assert not Estimate.objects.exists()
    made = api.post(url, {"title": "2025", "bootstrap": 50, "file": upload("t.csv", TABLE)})
    assert made.status_code == 202, made.content
    estimate = made.json()
    assert estimate["status"] == "done"
    result = estimate["result"]
    assert result["exists"] and result["ci95"][0] < result["total"] < result["ci95"][1]
    assert {"total", "unobserved", "ci95", "terms", "exists", "models"} <= set(result)
    own = api.post(f"/api/v1/estimates/{estimate['id']}/approve/")
    assert own.status_code == 403
    second = signed_in(world.researcher).post(f"/api/v1/estimates/{estimate['id']}/approve/")
    assert second.status_code == 200 and second.json()["release"] == "approved"
    published = api.post(f"/api/v1/estimates/{estimate['id']}/publish/")
    assert published.json()["release"] == "published"
    for user in (world.outsider, world.other_coordinator, world.caseworker_a):
        assert signed_in(user).get(f"/api/v1/estimates/{estimate['id']}/").status_code == 404
        assert signed_in(user).get(url).status_code == 404
