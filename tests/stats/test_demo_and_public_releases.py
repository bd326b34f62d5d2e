"""Statistics one can try: the demo network's generated dataset and its published release, the
public page of published releases (no login, no cookie), the researcher's menu entry, and
releases that say how they protect people in sentences."""

from collections import Counter

import pytest
from django.test import Client

from bridgeway.stats import demo, services
from bridgeway.stats.models import Dataset, Release, StatRecord
from bridgeway.stats.release import generalisation_sentences, protection_sentence
from tests.conftest import signed_in
from tests.factories import MembershipFactory
from tests.stats.helpers import ctdc_csv, ctdc_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(cast):
    second = MembershipFactory(organisation=cast.network, role="network_coordinator").user
    return demo.seed_demo(network=cast.network, importer=cast.coordinator, approver=second)


def test_the_demo_network_has_a_believable_dataset_and_one_published_release(cast, published):
    dataset = Dataset.objects.get(organisation=cast.network)
    assert dataset.rows == sum(m[0] for m in demo.MEMBERS.values()) >= 3000
    years = Counter(StatRecord.objects.filter(dataset=dataset)
                    .values_list("year_of_registration", flat=True))
    assert set(years) == set(demo.YEARS) and min(years.values()) > 200
    sexes = Counter(StatRecord.objects.filter(dataset=dataset).values_list("gender", flat=True))
    assert len(sexes) == 2
    assert published.status == Release.Status.PUBLISHED
    assert published.approved_by_id != published.created_by_id
    # Run again (every `make run`): nothing is added.
    again = demo.seed_demo(network=cast.network, importer=cast.coordinator,
                           approver=published.approved_by)
    assert again is None and Dataset.objects.count() == 1 and Release.objects.count() == 1


def test_the_public_page_lists_published_releases_without_login_or_cookies(cast, published):
    draft_file = ctdc_csv([ctdc_row(i) for i in range(30)])
    import tempfile
    from pathlib import Path
    with tempfile.NamedTemporaryFile(suffix=".csv") as f:
        f.write(draft_file)
        f.flush()
        _r, other = services.import_file(org=cast.network, actor=cast.coordinator,
                                         path=Path(f.name), kind="ctdc", file_type="csv",
                                         dry_run=False, label="small")
    draft = services.release_create(org=cast.network, actor=cast.coordinator, dataset=other,
                                    kind="crosstab", title="Draft, not public",
                                    dimensions=["sex"], k=5)
    client = Client()
    index = client.get("/public/statistics/")
    assert index.status_code == 200 and not index.cookies and "Set-Cookie" not in index
    assert "public" in index["Cache-Control"]
    page = index.content.decode()
    assert demo.RELEASE_TITLE in page and "Draft, not public" not in page
    assert cast.network.name in page
    detail = client.get(f"/public/statistics/{published.pk}/")
    assert detail.status_code == 200 and not detail.cookies
    html = detail.content.decode()
    assert "year of registration" in html and "Victims" in html
    assert "Every count shown describes at least 11 victims" in html
    csv = client.get(f"/public/statistics/{published.pk}/?format=csv")
    assert csv.status_code == 200 and csv.content.decode().startswith("year,sex,age,")
    assert not csv.cookies
    # A draft, a malformed id and a POST are not public.
    assert client.get(f"/public/statistics/{draft.pk}/").status_code == 404
    assert client.get("/public/statistics/nope/").status_code == 404
    assert client.post("/public/statistics/").status_code == 405
    ukrainian = client.get("/public/statistics/?lang=uk")
    assert ukrainian.status_code == 200 and not ukrainian.cookies


def test_a_researcher_finds_statistics_in_the_menu_and_an_outsider_does_not(cast, published):
    researcher = MembershipFactory(organisation=cast.network, role="researcher").user
    home = signed_in(researcher).get("/").content.decode()
    assert 'href="/public/statistics/"' in home and ">Statistics<" in home
    coordinator_home = signed_in(cast.coordinator).get("/").content.decode()
    assert 'href="/stats/"' in coordinator_home
    for user in (cast.outsider, cast.caseworker_a):
        assert ">Statistics<" not in signed_in(user).get("/").content.decode()
    # The researcher still has no access to the network's store itself.
    assert signed_in(researcher).get(f"/stats/releases/{published.pk}/").status_code == 404


def test_release_labels_read_as_sentences():
    assert generalisation_sentences(["year: 5-year range", "year: 10-year range"]) == [
        "Years of registration are grouped into 10-year ranges."]
    assert generalisation_sentences(["citizenship: UN M49 sub-region", "age: minor/adult"]) == [
        "Citizenship is shown by region of the world (UN M49 sub-region), not by country.",
        "Ages are shown only as minor or adult."]
    text = protection_sentence("crosstab", 5, 11, 3)
    assert text.startswith("Every count shown describes at least 5 victims; 3 smaller counts")
    assert "smallest group published describes 11 victims" in text
    assert "pycanon: 11" not in text
