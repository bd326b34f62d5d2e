"""Linkage across a network, as its people meet it: member organisations take part with a secret
the coordinator never sees, their persons are encoded on the platform or uploaded from the
standalone encoder (another secret is refused), the coordinator runs linkage and sees counts and
the capture-history table — never a name — and everyone else gets 404."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bridgeway.estimation import demo, services
from bridgeway.estimation.models import (
    EncodingSet,
    LinkageMatch,
    LinkageRun,
    NetworkLinkageSettings,
    Participation,
    TaskStatus,
)
from bridgeway.protection.models import AuditEvent
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


@pytest.fixture
def world(cast):
    return make_world(cast)


def no_name_in(text: str) -> None:
    for name in all_names():
        assert not re.search(rf"\b{re.escape(name)}\b", text), name


# --- participation and the secret -----------------------------------------------------------

def test_a_supervisor_takes_part_with_the_secret_which_is_stored_sealed_and_never_shown(world):
    client = signed_in(world.sup_a)
    url = f"/estimation/organisations/{world.a.pk}/networks/{world.network.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"enabled": "on", "secret": SECRET.decode()})
    assert response.status_code == 302
    part = Participation.objects.get(network=world.network, organisation=world.a)
    assert part.enabled and part.has_secret
    assert SECRET not in bytes(part.sealed_secret)
    page = client.get(url).content.decode()
    assert SECRET.decode() not in page
    assert "Stored encrypted" in page
    event = AuditEvent.objects.get(action="estimation.participation.updated")
    assert event.payload == {"network": world.network.pk, "enabled": True, "secret_changed": True}


def test_a_second_organisation_with_another_secret_is_refused_and_nothing_is_saved(world):
    services.participation_set(network=world.network, org=world.a, actor=world.sup_a,
                               enabled=True, secret=SECRET)
    client = signed_in(world.sup_b)
    url = f"/estimation/organisations/{world.b.pk}/networks/{world.network.pk}/"
    response = client.post(url, {"enabled": "on", "secret": "another-secret-of-32-characters!"})
    assert response.status_code == 400
    assert "another linkage secret" in response.content.decode()
    assert not Participation.objects.filter(organisation=world.b).exists()


@pytest.mark.parametrize("form, message", [
    ({"enabled": "on", "secret": "short"}, "at least 16 characters"),
    ({"enabled": "on"}, "Enter the linkage secret"),
])
def test_bad_secret_input_is_refused_with_the_field_named(world, form, message):
    client = signed_in(world.sup_a)
    url = f"/estimation/organisations/{world.a.pk}/networks/{world.network.pk}/"
    response = client.post(url, form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Participation.objects.filter(organisation=world.a).exists()
    assert not NetworkLinkageSettings.objects.exclude(fingerprint="").exists()


def test_participation_is_for_the_organisations_supervisors_and_administrators_only(world):
    url = f"/estimation/organisations/{world.a.pk}/networks/{world.network.pk}/"
    for user in (world.caseworker_a, world.coordinator, world.outsider, world.sup_b,
                 world.cast.dpo_a, world.researcher):
        assert signed_in(user).get(url).status_code == 404, user
    assert signed_in(world.cast.admin_a).get(url).status_code == 200
    # A network the organisation is not a member of.
    other = f"/estimation/organisations/{world.cast.org_b.pk}/networks/{world.network.pk}/"
    assert signed_in(world.cast.admin_b).get(other).status_code == 404


def test_encodings_are_computed_on_the_platform_for_each_person(world):
    overlapping(world)
    sizes = {enc.organisation_id: enc.count for enc in EncodingSet.objects.all()}
    expected = {pos: sum(n for p, n in demo.PATTERNS.items() if p[pos] == "1")
                for pos in range(3)}
    assert sizes == {world.a.pk: expected[0], world.b.pk: expected[1], world.c.pk: expected[2]}
    enc = EncodingSet.objects.get(organisation=world.a)
    assert len(bytes(enc.clks)) == 128 * enc.count


# --- uploads from the standalone encoder -------------------------------------------------------

PEOPLE = [{"id": "r1", "given_names": "Ana", "surname": "Lupu", "date_of_birth": "1990-02-03",
           "sex": "f"},
          {"id": "r2", "given_names": "Ion", "surname": "Rusu", "date_of_birth": "1985-11-30",
           "sex": "m"}]


def test_the_coordinator_uploads_an_off_platform_list_made_with_the_shared_secret(world):
    services.participation_set(network=world.network, org=world.a, actor=world.sup_a,
                               enabled=True, secret=SECRET)
    client = signed_in(world.coordinator)
    response = client.post(f"/estimation/networks/{world.network.pk}/lists/", {
        "list_name": "Labour inspectorate", "file": upload("clks.csv", encodings_file(PEOPLE))})
    assert response.status_code == 302
    enc = EncodingSet.objects.get(list_name="Labour inspectorate")
    assert enc.count == 2 and enc.organisation is None
    page = client.get(f"/estimation/networks/{world.network.pk}/").content.decode()
    assert "Labour inspectorate" in page and "r1" not in page


def test_a_file_made_with_another_secret_is_refused_with_a_clear_message(world):
    services.participation_set(network=world.network, org=world.a, actor=world.sup_a,
                               enabled=True, secret=SECRET)
    client = signed_in(world.coordinator)
    other = encodings_file(PEOPLE, secret=b"not-the-network-secret-at-all-0123")
    response = client.post(f"/estimation/networks/{world.network.pk}/lists/", {
        "list_name": "Police", "file": upload("clks.csv", other)})
    assert response.status_code == 400
    assert "another linkage secret or another schema" in response.content.decode()
    assert not EncodingSet.objects.exists()


@pytest.mark.parametrize("content, message", [
    (b"id,clk\nr1,AAAA\n", "not an encodings file"),
    (b"\xff\xfe\x00i\x00d", "UTF-16"),
    (b"# bridgeway-clk-1 fingerprint=0123456789abcdef bits=1024 records=1\nid,clk\nr1,=SUM(A1)\n",
     "line 3"),
])
def test_a_broken_encodings_file_is_refused_naming_the_line_and_nothing_is_saved(world, content,
                                                                                  message):
    client = signed_in(world.sup_a)
    response = client.post(
        f"/estimation/organisations/{world.a.pk}/networks/{world.network.pk}/upload/",
        {"file": upload("clks.csv", content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EncodingSet.objects.exists()
    assert not Participation.objects.exists()


# --- the coordinator's linkage run -------------------------------------------------------------

def test_the_coordinator_runs_linkage_and_sees_the_constructed_table_and_no_name(world):
    expected = overlapping(world)
    client = signed_in(world.coordinator)
    network_page = client.get(f"/estimation/networks/{world.network.pk}/").content.decode()
    no_name_in(network_page)
    response = client.post(f"/estimation/networks/{world.network.pk}/runs/", {"threshold": ""})
    assert response.status_code == 302
    run = LinkageRun.objects.get()
    assert run.status == TaskStatus.DONE, run.error
    assert {r["pattern"]: r["count"] for r in run.histories} == expected
    assert run.clusters_across == sum(n for p, n in expected.items() if p.count("1") > 1)
    page = client.get(response["Location"]).content.decode()
    no_name_in(page)
    assert "Capture histories" in page and world.b.name in page
    for event in AuditEvent.objects.filter(action__startswith="estimation."):
        no_name_in(str(event.payload))
    start = AuditEvent.objects.get(action="estimation.linkage_run.started")
    assert start.payload == {"lists": 3, "threshold": str(run.threshold)}


def test_linkage_needs_two_lists_encoded_with_the_same_secret(world):
    client = signed_in(world.coordinator)
    response = client.post(f"/estimation/networks/{world.network.pk}/runs/", {})
    assert response.status_code == 400
    assert "at least two lists" in response.content.decode()
    response = client.post(f"/estimation/networks/{world.network.pk}/runs/",
                           {"threshold": "0.2"})
    assert response.status_code == 400
    assert not LinkageRun.objects.exists()


def test_who_sees_a_linkage_run(world):
    overlapping(world)
    run = services.run_start(network=world.network, actor=world.coordinator)
    url = f"/estimation/runs/{run.pk}/"
    for user in (world.coordinator, world.coordinator2, world.researcher):
        assert signed_in(user).get(url).status_code == 200, user
    for user in (world.outsider, world.other_coordinator, world.caseworker_a, world.sup_a,
                 world.cast.admin_a, world.cast.agency_poc, world.cast.platform_admin):
        assert signed_in(user).get(url).status_code == 404, user
    # Only coordinators start runs; a researcher of the network may read them.
    start = f"/estimation/networks/{world.network.pk}/runs/"
    assert signed_in(world.researcher).post(start).status_code == 404
    assert signed_in(world.other_coordinator).post(start).status_code == 404
    assert signed_in(world.outsider).get(f"/estimation/networks/{world.network.pk}/") \
        .status_code == 404


# --- what a member sees of its own cases --------------------------------------------------------

def test_a_member_sees_its_cases_known_elsewhere_only_if_the_network_allows_and_consent(world):
    from bridgeway.cases.models import Case
    from bridgeway.protection import services as protection

    overlapping(world)
    services.run_start(network=world.network, actor=world.coordinator)
    url = f"/estimation/organisations/{world.a.pk}/networks/{world.network.pk}/"
    client = signed_in(world.sup_a)
    assert "does not share this" in client.get(url).content.decode()
    signed_in(world.coordinator).post(f"/estimation/networks/{world.network.pk}/settings/",
                                      {"share_matches": "on"})
    assert NetworkLinkageSettings.objects.get(network=world.network).share_matches
    matched = LinkageMatch.objects.filter(organisation=world.a).values("case_id")
    shared = list(Case.objects.filter(pk__in=matched).order_by("reference"))
    assert len(shared) == sum(n for p, n in demo.PATTERNS.items() if p[0] == "1"
                              and p.count("1") > 1)
    with_consent = shared[0]
    protection.consent_record(subject=with_consent.subject, actor=world.sup_a,
                              purpose="statistics", method="written",
                              given_on=timezone.localdate())
    page = client.get(url).content.decode()
    assert with_consent.reference in page
    assert shared[1].reference not in page
    # The coordinator cannot open the member's page.
    assert signed_in(world.coordinator).get(url).status_code == 404


def test_the_progress_bar_follows_a_running_task_and_reloads_when_it_is_done(world):
    run = LinkageRun.objects.create(network=world.network, created_by=world.coordinator,
                                    threshold=0.7, status=TaskStatus.RUNNING, rows_done=400,
                                    rows_total=1000, heartbeat_at=timezone.now())
    client = signed_in(world.coordinator)
    page = client.get(f"/estimation/runs/{run.pk}/").content.decode()
    assert '<progress id="work-bar" max="100" value="40">' in page and 'hx-trigger="every 2s"' in page
    partial = client.get(f"/estimation/runs/{run.pk}/", headers={"HX-Request": "true"})
    assert "40% done" in partial.content.decode() and "<html" not in partial.content.decode()
    LinkageRun.objects.filter(pk=run.pk).update(status=TaskStatus.DONE, rows_done=1000)
    done = client.get(f"/estimation/runs/{run.pk}/", headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_the_coordinator_starts_over_with_a_new_secret(world):
    from bridgeway.estimation import queries

    overlapping(world)
    assert len(queries.latest_encodings(world.network)) == 3
    # Members cannot; the coordinator can.
    url = f"/estimation/networks/{world.network.pk}/secret-reset/"
    assert signed_in(world.sup_a).post(url).status_code == 404
    assert signed_in(world.researcher).post(url).status_code == 404
    response = signed_in(world.coordinator).post(url)
    assert response.status_code == 302
    assert not Participation.objects.filter(enabled=True).exists()
    assert not Participation.objects.exclude(sealed_secret=None).exists()
    assert queries.latest_encodings(world.network) == []
    event = AuditEvent.objects.get(action="estimation.linkage_secret.reset")
    assert event.payload == {"organisations": 3}
    # A new secret is accepted now, and the old encodings stay out of the next run.
    services.participation_set(network=world.network, org=world.b, actor=world.sup_b,
                               enabled=True, secret=b"a-brand-new-shared-secret-2026")
    services.encoding_job_create(network=world.network, org=world.b, actor=world.sup_b)
    assert [e.organisation_id for e in queries.latest_encodings(world.network)] == [world.b.pk]


def test_a_supervisor_encodes_the_organisations_persons_with_a_progress_page(world):
    from bridgeway.cases import services as cases

    for first in ("Ana", "Ion"):
        cases.case_open(org=world.a, actor=world.sup_a, person=cases.PersonData(
            first_name=first, second_name="Lupu", birth_date=timezone.localdate() - timedelta(
                days=9000)))
    client = signed_in(world.sup_a)
    base = f"/estimation/organisations/{world.a.pk}/networks/{world.network.pk}/"
    refused = client.post(base + "encode/", follow=True)
    assert "Turn participation on and enter the linkage secret first." in \
        refused.content.decode()
    client.post(base, {"enabled": "on", "secret": SECRET.decode()})
    response = client.post(base + "encode/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "2 person(s) encoded." in page
    assert signed_in(world.coordinator).get(response["Location"]).status_code == 404
    event = AuditEvent.objects.get(action="estimation.encodings.computed")
    assert event.payload == {"network": world.network.pk, "count": 2}


def test_an_off_platform_list_is_linked_with_the_platform_lists(world):
    from bridgeway.estimation import queries

    overlapping(world)
    # The off-platform list holds two of the constructed persons and one nobody else knows.
    people = [{"id": f"x{i}", "given_names": first, "surname": surname,
               "date_of_birth": born.isoformat(), "sex": "f"}
              for i, (first, surname, born, _p) in enumerate(demo.persons()[:2])]
    people.append({"id": "x9", "given_names": "Nobody", "surname": "Elsewhere",
                   "date_of_birth": "2000-01-01", "sex": "f"})
    services.encodings_upload(network=world.network, actor=world.coordinator,
                              upload=upload("x.csv", encodings_file(people)),
                              list_name="Zeta inspectorate")
    assert [queries.list_label(e) for e in queries.latest_encodings(world.network)][-1] == \
        "Zeta inspectorate"
    run = services.run_start(network=world.network, actor=world.coordinator)
    found = {r["pattern"]: r["count"] for r in run.histories}
    # The first two constructed persons are in list A only ("100"): now "1001".
    assert found["1001"] == 2 and found["0001"] == 1 and found["1000"] == demo.PATTERNS["100"] - 2
    assert run.lists[-1] == {"letter": "D", "label": "Zeta inspectorate", "size": 3}


def test_the_estimation_menu_and_home_only_for_those_with_work_there(world):
    for user in (world.coordinator, world.researcher, world.sup_a, world.cast.admin_a):
        page = signed_in(user).get("/estimation/")
        assert page.status_code == 200, user
        assert 'href="/estimation/"' in page.content.decode()
    for user in (world.caseworker_a, world.cast.dpo_a, world.cast.agency_poc, world.outsider,
                 world.cast.platform_admin):
        assert signed_in(user).get("/estimation/").status_code == 404, user
        assert 'href="/estimation/"' not in signed_in(user).get("/").content.decode()
