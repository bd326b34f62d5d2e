"""What the statistics screens tell a person in the cases the browser tests found wanting: an
over-size upload, a job that waits or is finished, zeros, empty states, the ε ledger, exports
that cannot work for a network or for someone without the right."""

import io

from django.test import Client, override_settings

from bridgeway.stats import services
from bridgeway.stats.models import Dataset, ImportJob, Release, StatRecord
from tests.stats.helpers import ctdc_csv, ctdc_row


def _strict_client(user) -> Client:
    """A client that checks CSRF tokens as a browser's request is checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _post_file(client, org, content: bytes):
    f = io.BytesIO(content)
    f.name = "data.csv"
    return client.post(f"/stats/import/?organisation={org.pk}",
                       {"organisation": org.pk, "kind": "ctdc", "file": f, "label": "t"})


@override_settings(BRIDGEWAY_IMPORT_MAX_BYTES=2048)
def test_oversize_upload_gets_the_size_message_not_a_csrf_failure(cast):
    content = ctdc_csv([ctdc_row(i) for i in range(600)])
    assert len(content) > 2048 + 64 * 1024  # the body is not read at all, token included
    response = _post_file(_strict_client(cast.supervisor_a), cast.org_a, content)
    html = response.content.decode()
    assert response.status_code == 413
    assert "The file is larger than 2.0\xa0KB, the most an import accepts." in html
    assert 'aria-invalid="true"' in html and "CSRF" not in html
    assert ImportJob.objects.count() == 0 and Dataset.objects.count() == 0


@override_settings(BRIDGEWAY_IMPORT_MAX_BYTES=200 * 1024 * 1024)
def test_import_form_says_the_size_limit_before_the_upload(cast, as_user):
    html = as_user(cast.supervisor_a).get(f"/stats/import/?organisation={cast.org_a.pk}"
                                          ).content.decode()
    assert "At most 200.0\xa0MB." in html


def test_a_normal_upload_still_needs_its_csrf_token(cast):
    response = _post_file(_strict_client(cast.supervisor_a), cast.org_a, ctdc_csv([ctdc_row(1)]))
    assert response.status_code == 403
    assert ImportJob.objects.count() == 0 and StatRecord.objects.count() == 0


def test_oversize_upload_by_an_outsider_is_404(cast):
    with override_settings(BRIDGEWAY_IMPORT_MAX_BYTES=2048):
        response = _post_file(_strict_client(cast.admin_b), cast.org_a,
                              ctdc_csv([ctdc_row(i) for i in range(600)]))
    assert response.status_code == 404


def test_waiting_job_says_it_waits_for_the_worker(cast, as_user):
    job = ImportJob.objects.create(organisation=cast.org_a, created_by=cast.supervisor_a,
                                   kind="ctdc", file_type="csv", status="waiting")
    html = as_user(cast.supervisor_a).get(f"/stats/jobs/{job.pk}/").content.decode()
    assert "Waiting for the background worker" in html and "0 of 0 rows" not in html
    assert 'hx-trigger="every 2s"' in html


def _release(org, actor, **kw) -> Release:
    dataset = Dataset.objects.create(organisation=org, kind="ctdc", label="Hotline", rows=3)
    return Release.objects.create(organisation=org, dataset=dataset, created_by=actor, **kw)


def test_release_page_shows_zero_as_0_and_names_the_people(cast, as_user):
    release = _release(cast.org_a, cast.supervisor_a, title="DP by sex", kind="dp_counts",
                       dimensions=["sex"], epsilon=0.5, k=0,
                       result={"dimension": "sex", "categories": ["Female", "Male", "other"],
                               "counts": [3, 0, 0], "accuracy": 6.4, "alpha": 0.05})
    html = as_user(cast.admin_a).get(f"/stats/releases/{release.pk}/").content.decode()
    assert html.count("<td>0</td>") == 2 and "<td>—</td>" not in html
    assert f"by {cast.supervisor_a.full_name}" in html
    assert "Not yet: a second person must approve it." in html
    assert "Back to safe releases" in html
    services.release_approve(release=release, actor=cast.admin_a)
    html = as_user(cast.admin_a).get(f"/stats/releases/{release.pk}/").content.decode()
    assert f"by {cast.admin_a.full_name}" in html


def test_releases_page_lists_the_epsilon_ledger(cast, as_user):
    dataset = Dataset.objects.create(organisation=cast.org_a, kind="ctdc", label="Hotline")
    StatRecord.objects.bulk_create([StatRecord(organisation=cast.org_a, dataset=dataset,
                                               gender="Female") for _ in range(5)])
    release = services.release_create(org=cast.org_a, actor=cast.supervisor_a, dataset=dataset,
                                      kind="dp_counts", title="Women (DP)", dimensions=["sex"],
                                      epsilon=0.25)
    html = as_user(cast.admin_a).get(f"/stats/releases/?organisation={cast.org_a.pk}"
                                     ).content.decode()
    assert html.count('<caption class="visually-hidden">Privacy budget ledger</caption>') == 1
    assert "<title>Safe releases" in html and "When" not in html.split("</title>")[0]
    assert f'<a href="/stats/releases/{release.pk}/">Women (DP)</a>' in html
    assert "<td>0.25</td>" in html and cast.supervisor_a.full_name in html


def test_releases_page_without_dataset_says_what_to_do(cast, as_user):
    html = as_user(cast.supervisor_a).get(f"/stats/releases/?organisation={cast.org_a.pk}"
                                          ).content.decode()
    assert "There is no dataset to release from yet." in html
    assert "Build draft" not in html and "No ε spent yet" in html


def test_dashboard_csv_links_only_for_charts_with_data_and_named_by_chart(cast, as_user):
    dataset = Dataset.objects.create(organisation=cast.org_a, kind="ctdc", label="Hotline")
    StatRecord.objects.create(organisation=cast.org_a, dataset=dataset, gender="Female",
                              year_of_registration=2020)
    html = as_user(cast.supervisor_a).get(f"/stats/dashboard/?organisation={cast.org_a.pk}"
                                          ).content.decode()
    assert 'CSV<span class="visually-hidden"> (Victims by sex)</span>' in html
    assert "csv=sex" in html and "csv=recruiter" not in html


def test_export_refusal_is_shown_to_someone_not_offered_personal_fields(cast, as_user):
    response = as_user(cast.admin_a).post(
        f"/stats/export/?organisation={cast.org_a.pk}",
        {"organisation": cast.org_a.pk, "format": "htcds_csv", "include_personal": "on"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only supervisors can include personal data" in html
    assert 'name="include_personal"' not in html


def test_network_export_offers_only_ctdc(cast, as_user):
    html = as_user(cast.coordinator).get(f"/stats/export/?organisation={cast.network.pk}"
                                         ).content.decode()
    assert 'value="ctdc_csv"' in html and 'value="htcds_csv"' not in html


def test_release_steps_and_dimensions_read_in_the_readers_language():
    """A saved release keeps its steps in English codes; the page shows them translated."""
    from django.utils import translation

    from bridgeway.stats.release import dimension_label, step_label

    assert step_label("citizenship: UN M49 sub-region") == "citizenship: UN M49 sub-region"
    with translation.override("fr"):
        assert step_label("citizenship: UN M49 sub-region") == "nationalité\u00a0: sous-région M49 de l’ONU"
        assert dimension_label("year") == "année d’enregistrement"
