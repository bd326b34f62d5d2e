"""The statistics screens as their users meet them: an administrator checks a file (dry run),
imports it, and is told when the same file comes again; the dashboard's charts come with their
data tables and CSV downloads and follow the filters; a safe release needs a second person before
it is published, and differential privacy spends a budget that refuses what is over it; exports
offer personal fields only to a supervisor; another organisation gets 404. axe finds nothing on
any page reached."""

import re
import tempfile
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from bridgeway.cases import services as cases
from bridgeway.stats import services as stats
from bridgeway.stats.models import BudgetEntry, Dataset, ImportJob, Release, StatRecord
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, with_totp
from tests.stats.helpers import ctdc_csv, ctdc_row

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def csv_file(name: str, content: bytes) -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": content}


def good_csv() -> bytes:
    """40 victims: 25 women registered in 2019, 15 men registered in 2021."""
    return ctdc_csv([ctdc_row(i) for i in range(1, 26)]
                    + [ctdc_row(i, yearOfRegistration="2021", gender="Male")
                       for i in range(26, 41)])


def imported(org, actor, content: bytes, label: str) -> Dataset:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        path.write_bytes(content)
        report, dataset = stats.import_file(org=org, actor=actor, path=path, kind="ctdc",
                                            file_type="csv", dry_run=False, label=label)
    assert report.ok and dataset is not None
    return dataset


def upload(page, content: bytes, *, dry_run: bool, label: str = "", name="data.csv"):
    page.get_by_label("Format").select_option("ctdc")
    page.get_by_label("File (CSV in UTF-8, or XLSX)").set_input_files(csv_file(name, content))
    page.get_by_label("Label").fill(label)
    page.get_by_label("Check only (dry run): nothing is imported").set_checked(dry_run)
    page.get_by_role("button", name="Upload").click()


def chart(page, title: str):
    return page.get_by_role("figure", name=title)


def table_rows(locator) -> list[list[str]]:
    return [[c.strip() for c in row.locator("td").all_inner_texts()]
            for row in locator.locator("tbody tr").all()]


def test_dry_run_report_then_import_then_duplicate_refused(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    admin = MembershipFactory(organisation=org, role="org_admin").user
    context, page = new_page(browser, live_server)
    sign_in(page, admin.email, with_totp(admin))
    page.get_by_role("navigation").get_by_role("link", name="Statistics", exact=True).click()
    expect(page.get_by_text("No datasets yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Import a file").click()
    assert_accessible(page)

    # A dry run of a bad file: every problem named by row and column, nothing imported.
    bad = ctdc_csv([ctdc_row(1), ctdc_row(2, gender="Robot"),
                    ctdc_row(3, yearOfRegistration="20x9")])
    upload(page, bad, dry_run=True, name="bad.csv")
    page.wait_for_url(re.compile(r"/stats/jobs/\d+/$"))
    expect(page.get_by_role("heading", name="Dry run: Lumina")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Checked: problems found")).to_be_visible()
    problems = page.get_by_role("table", name="Problems")
    found = table_rows(problems)
    assert [row[:2] for row in found] == [["3", "gender"], ["4", "yearOfRegistration"]]
    assert all(row[2] for row in found)
    assert "Robot" not in problems.inner_text()  # a cell is never quoted back
    # The job is finished: no progress bar left half full.
    assert page.locator("progress").count() == 0
    assert_accessible(page)
    assert Dataset.objects.count() == 0 and StatRecord.objects.count() == 0

    # The good file, for real: the finished page says how many records came in.
    page.get_by_role("link", name="Import another file").click()
    upload(page, good_csv(), dry_run=False, label="Hotline 2019–2021")
    page.wait_for_url(re.compile(r"/stats/jobs/\d+/$"))
    expect(page.get_by_role("heading", name="Import: Lumina")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Imported")).to_be_visible()
    expect(page.get_by_text("40 record(s) imported.")).to_be_visible()
    assert page.locator("progress").count() == 0
    assert_accessible(page)
    assert StatRecord.objects.count() == 40

    # The same file again is refused as a duplicate and adds nothing.
    page.get_by_role("link", name="Import another file").click()
    upload(page, good_csv(), dry_run=False, label="again")
    page.wait_for_url(re.compile(r"/stats/jobs/\d+/$"))
    expect(page.get_by_role("status").filter(has_text="Already imported")).to_be_visible()
    expect(page.get_by_text("nothing was added")).to_be_visible()
    assert_accessible(page)
    assert StatRecord.objects.count() == 40 and Dataset.objects.count() == 1
    assert ImportJob.objects.filter(status="duplicate").count() == 1

    page.get_by_role("link", name="Back to statistics").click()
    datasets = page.get_by_role("table", name="Datasets")
    assert table_rows(datasets)[0][:3] == ["Hotline 2019–2021", "CTDC global dataset format",
                                          "40"]
    imports = page.get_by_role("list").filter(has_text="dry run")
    expect(imports.get_by_text("Checked: problems found")).to_be_visible()
    assert_accessible(page)
    context.close()


def test_progress_bar_follows_a_background_job_until_it_finishes(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    supervisor = MembershipFactory(organisation=org, role="supervisor").user
    job = ImportJob.objects.create(organisation=org, created_by=supervisor, kind="ctdc",
                                   file_type="csv", status="running", rows_done=50,
                                   rows_total=100, size=5_000_000)
    context, page = new_page(browser, live_server)
    sign_in(page, supervisor.email, with_totp(supervisor))
    page.goto(f"/stats/jobs/{job.pk}/")
    bar = page.get_by_role("progressbar", name="50 of 100 rows read")
    assert bar.get_attribute("value") == "50"
    assert_accessible(page)
    # The worker finishes: htmx swaps the outcome in, without a reload, and the bar goes.
    dataset = imported(org, supervisor, good_csv(), "Hotline 2019–2021")
    ImportJob.objects.filter(pk=job.pk).update(status="done", rows_done=40, rows_total=40,
                                               dataset=dataset, report={"rows": 40})
    page.get_by_text("40 record(s) imported.").wait_for(timeout=10000)
    expect(page.get_by_role("status").filter(has_text="Imported")).to_be_visible()
    assert page.locator("progress").count() == 0
    assert_accessible(page)
    context.close()


@override_settings(BRIDGEWAY_IMPORT_MAX_BYTES=1000)
def test_too_large_upload_gets_the_size_message_not_a_csrf_failure(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    supervisor = MembershipFactory(organisation=org, role="supervisor").user
    context, page = new_page(browser, live_server)
    sign_in(page, supervisor.email, with_totp(supervisor))
    page.goto("/stats/import/")
    # Over the limit by more than the form fields' allowance: the body is not read at all.
    big = ctdc_csv([ctdc_row(i) for i in range(1, 800)])
    assert len(big) > 1000 + 64 * 1024
    upload(page, big, dry_run=True, label="big one")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Import statistics: Lumina")).to_be_visible()
    expect(page.get_by_text("The file is larger than")).to_be_visible()
    assert "CSRF" not in page.content()
    # The message stands at the file field.
    assert page.locator("#id_file").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    assert ImportJob.objects.count() == 0 and Dataset.objects.count() == 0
    context.close()


def test_dashboard_charts_tables_csv_and_filters(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    supervisor = MembershipFactory(organisation=org, role="supervisor").user
    imported(org, supervisor, good_csv(), "Hotline 2019–2021")
    imported(org, supervisor, ctdc_csv([ctdc_row(i, yearOfRegistration="2020")
                                        for i in range(1, 13)]), "Shelter 2020")
    context, page = new_page(browser, live_server)
    sign_in(page, supervisor.email, with_totp(supervisor))
    page.goto("/stats/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("Victims counted: 52")).to_be_visible()
    sex = chart(page, "Victims by sex")
    expect(sex.get_by_role("img", name="Victims by sex")).to_be_visible()
    assert table_rows(sex.get_by_role("table")) == [["Female", "37"], ["Male", "15"]]
    assert table_rows(chart(page, "Victims by year of registration").get_by_role("table")) == [
        ["2019", "25"], ["2020", "12"], ["2021", "15"]]
    # An empty chart says so and offers no download of an empty file.
    recruiter = chart(page, "Victims by relationship to the recruiter")
    expect(recruiter.get_by_text("No data.")).to_be_visible()
    assert recruiter.get_by_role("link").count() == 0
    assert_accessible(page)

    with page.expect_download() as download:
        sex.get_by_role("link", name="CSV (Victims by sex)").click()
    assert download.value.suggested_filename == "sex.csv"
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines == ["Category,Victims", "Female,37", "Male,15"]

    # Filters change the numbers, and the CSV follows them.
    page.get_by_label("From year").fill("2021")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"year_from=2021"))
    expect(page.get_by_text("Victims counted: 15")).to_be_visible()
    sex = chart(page, "Victims by sex")
    assert table_rows(sex.get_by_role("table")) == [["Male", "15"]]
    with page.expect_download() as download:
        sex.get_by_role("link", name="CSV (Victims by sex)").click()
    assert Path(download.value.path()).read_text().splitlines()[1:] == ["Male,15"]
    assert_accessible(page)

    # Years the wrong way round: the page says which fields, and shows 0, not a blank.
    page.get_by_label("From year").fill("2022")
    page.get_by_label("To year").fill("2019")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"year_to=2019"))
    expect(page.get_by_text("“From year” is after “To year”")).to_be_visible()
    expect(page.get_by_text("Victims counted: 0")).to_be_visible()
    expect(page.get_by_text("No records match these filters.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Show all records").click()
    expect(page.get_by_text("Victims counted: 52")).to_be_visible()

    # The dataset filter: one import only.
    page.get_by_label("Dataset").select_option(label="Shelter 2020")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"dataset=\d+"))
    expect(page.get_by_text("Victims counted: 12")).to_be_visible()
    assert table_rows(chart(page, "Victims by year of registration").get_by_role("table")) == [
        ["2020", "12"]]
    assert_accessible(page)
    page.get_by_role("link", name="Back to statistics").click()
    expect(page.get_by_role("heading", name="Statistics: Lumina")).to_be_visible()
    context.close()


def test_empty_dashboard_and_releases_say_what_to_do(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    supervisor = MembershipFactory(organisation=org, role="supervisor").user
    context, page = new_page(browser, live_server)
    sign_in(page, supervisor.email, with_totp(supervisor))
    page.goto("/stats/dashboard/")
    expect(page.get_by_text("Victims counted: 0")).to_be_visible()
    expect(page.get_by_text("The statistics store has no records yet.")).to_be_visible()
    assert page.get_by_role("link", name="CSV (Victims by sex)").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Safe releases").click()
    expect(page.get_by_text("There is no dataset to release from yet.")).to_be_visible()
    assert page.get_by_role("button", name="Build draft").count() == 0
    expect(page.get_by_text("No ε spent yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Import a file").click()
    expect(page.get_by_role("heading", name="Import statistics: Lumina")).to_be_visible()
    context.close()


def test_safe_release_four_eyes_and_privacy_budget(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    creator = MembershipFactory(organisation=org, role="supervisor",
                                user__full_name="Ana Rusu").user
    approver = MembershipFactory(organisation=org, role="org_admin",
                                 user__full_name="Ion Ceban").user
    imported(org, creator, good_csv(), "Hotline 2019–2021")

    # A drafts a k-anonymous cross-tab.
    context, page = new_page(browser, live_server)
    sign_in(page, creator.email, with_totp(creator))
    page.goto("/stats/")
    page.get_by_role("link", name="Safe releases").click()
    expect(page.get_by_text("No releases yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Title").fill("Victims by year and sex")
    page.get_by_label("Method").select_option("crosstab")
    page.get_by_label("year of registration", exact=True).check()
    page.get_by_label("sex", exact=True).check()
    page.get_by_role("button", name="Build draft").click()
    page.wait_for_url(re.compile(r"/stats/releases/\d+/$"))
    release = Release.objects.get()
    expect(page.get_by_text("Draft saved. A second person must approve it.")).to_be_visible()
    assert table_rows(page.get_by_role("table", name="Release table")) == [
        ["2019", "Female", "25"], ["2021", "Male", "15"]]
    # A cannot approve their own release: no button, and the page says why.
    assert page.get_by_role("button", name="Approve").count() == 0
    expect(page.get_by_text("A second person must approve this release: you created it.")
           ).to_be_visible()
    assert_accessible(page)

    # B approves; the release page names both people.
    b_context, b_page = new_page(browser, live_server)
    sign_in(b_page, approver.email, with_totp(approver))
    b_page.goto("/stats/releases/")
    b_page.get_by_role("link", name="Victims by year and sex").click()
    b_page.get_by_role("button", name="Approve").click()
    b_page.wait_for_url(f"**/stats/releases/{release.pk}/")
    expect(b_page.get_by_text("Approved.", exact=True)).to_be_visible()
    assert_accessible(b_page)
    b_context.close()

    # A publishes; the page shows the method, its parameters, the creator and the approver.
    page.reload()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(f"**/stats/releases/{release.pk}/")
    facts = page.locator("dl").inner_text()
    for fact in ("Published", "Cross-tabulation (k-anonymous)", "year of registration, sex",
                 "Every count shown describes at least 11 victims",
                 "the smallest group published describes 15 victims", "by Ana Rusu",
                 "by Ion Ceban"):
        assert fact in facts, fact
    release.refresh_from_db()
    assert release.status == "published" and release.approved_by == approver
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert Path(download.value.path()).read_text().splitlines() == [
        "year,sex,Victims", "2019,Female,25", "2021,Male,15"]
    assert_accessible(page)

    # A differentially private histogram spends ε, and the ledger shows it.
    page.get_by_role("link", name="Back to safe releases").click()
    page.get_by_label("Title").fill("Victims by sex (DP)")
    page.get_by_label("Method").select_option("dp_counts")
    page.get_by_label("sex", exact=True).check()
    page.get_by_label("ε to spend (differential privacy)").fill("0.5")
    page.get_by_role("button", name="Build draft").click()
    page.wait_for_url(re.compile(r"/stats/releases/\d+/$"))
    facts = page.locator("dl").inner_text()
    assert "Differentially private counts" in facts and "0.5" in facts
    # Every category of the public list has its count, a zero shown as 0, never blank.
    counts = [row[1] for row in table_rows(page.get_by_role("table", name="Release table"))]
    assert len(counts) == 4 and all(c.isdigit() for c in counts)
    assert_accessible(page)
    page.get_by_role("link", name="Back to safe releases").click()
    budgets = table_rows(page.get_by_role("table", name="Privacy budgets"))
    assert budgets[0][:3] == ["Hotline 2019–2021", "1.0", "0.5"]
    ledger = table_rows(page.get_by_role("table", name="Privacy budget ledger"))
    assert [row[1:] for row in ledger] == [["Hotline 2019–2021", "0.5", "Ana Rusu",
                                            "Victims by sex (DP)"]]

    # A query over what is left is refused, with the reason at the ε field; nothing is spent.
    page.get_by_label("Title").fill("Victims by year (DP)")
    page.get_by_label("Method").select_option("dp_counts")
    page.get_by_label("year of registration", exact=True).check()
    page.get_by_label("ε to spend (differential privacy)").fill("0.8")
    page.get_by_role("button", name="Build draft").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Refused: this query needs ε = 0.8 but only 0.5 of the dataset's "
                            "budget of 1.0 is left. Nothing was spent.")).to_be_visible()
    assert page.locator("#id_epsilon").get_attribute("aria-invalid") == "true"
    assert len(table_rows(page.get_by_role("table", name="Privacy budget ledger"))) == 1
    assert BudgetEntry.objects.count() == 1 and Release.objects.count() == 2
    assert_accessible(page)
    context.close()


def test_export_offers_personal_fields_only_to_a_supervisor(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    supervisor = MembershipFactory(organisation=org, role="supervisor").user
    admin = MembershipFactory(organisation=org, role="org_admin").user
    cases.case_open(org=org, actor=supervisor, exploitation_types=["ForcedLabour"],
                    person=cases.PersonData(first_name="Наталія", second_name="Ткаченко"))

    context, page = new_page(browser, live_server)
    sign_in(page, supervisor.email, with_totp(supervisor))
    page.goto("/stats/")
    page.get_by_role("link", name="Export").click()
    personal = page.get_by_label("Include personal data (names, date of birth, contacts)")
    expect(personal).to_be_visible()
    expect(personal).not_to_be_checked()
    assert_accessible(page)
    page.get_by_label("Format").select_option("htcds_csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_text()
    assert "ForcedLabour" in text and "Ткаченко" not in text

    personal.check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert "Ткаченко" in Path(download.value.path()).read_text()
    context.close()

    # An administrator is not offered personal fields, and still gets the coded export.
    context, page = new_page(browser, live_server)
    sign_in(page, admin.email, with_totp(admin))
    page.goto("/stats/export/")
    assert page.get_by_label("Include personal data (names, date of birth, contacts)"
                             ).count() == 0
    assert_accessible(page)
    page.get_by_label("Format").select_option("htcds_csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    text = Path(download.value.path()).read_text()
    assert "ForcedLabour" in text and "Ткаченко" not in text
    context.close()


def test_another_organisation_gets_404(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    other = OrganisationFactory(name="Pas cu Pas", country="RO")
    supervisor = MembershipFactory(organisation=org, role="supervisor").user
    other_admin = MembershipFactory(organisation=other, role="org_admin").user
    dataset = imported(org, supervisor, good_csv(), "Hotline 2019–2021")
    release = stats.release_create(org=org, actor=supervisor, dataset=dataset, kind="crosstab",
                                   title="Victims by sex", dimensions=["sex"])
    job = ImportJob.objects.create(organisation=org, created_by=supervisor, kind="ctdc",
                                   file_type="csv", status="done")

    context, page = new_page(browser, live_server)
    sign_in(page, other_admin.email, with_totp(other_admin))
    # Their own statistics work...
    assert page.goto("/stats/").status == 200
    expect(page.get_by_role("heading", name="Statistics: Pas cu Pas")).to_be_visible()
    # ...the other organisation's do not exist for them.
    for url in (f"/stats/releases/{release.pk}/", f"/stats/releases/{release.pk}/?format=csv",
                f"/stats/jobs/{job.pk}/", f"/stats/?organisation={org.pk}",
                f"/stats/dashboard/?organisation={org.pk}",
                f"/stats/releases/?organisation={org.pk}"):
        response = page.goto(url)
        assert response.status == 404, url
        assert "Victims by sex" not in page.content() and "Lumina" not in page.content()
    assert_accessible(page)
    # Their dashboard refuses the other organisation's dataset in a filter, as it refuses one
    # that does not exist (issue 16): said, not silently ignored, and nothing of it shown.
    response = page.goto(f"/stats/dashboard/?dataset={dataset.pk}")
    assert response.status == 400
    expect(page.get_by_role("alert").get_by_text("Unknown dataset")).to_be_visible()
    assert "Hotline 2019–2021" not in page.content() and "Lumina" not in page.content()
    assert_accessible(page)
    context.close()
