import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from bridgeway.cases import services
from bridgeway.cases.indicator_sets import DEFAULT_FILE, set_for
from bridgeway.cases.models import Case, CaseTask, IndicatorSet, PlanObjective
from bridgeway.protection.models import DataSubject
from tests.conftest import signed_in
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db


def test_plan_tasks_and_reminders(cast, case):
    client = signed_in(cast.caseworker_a)
    assert client.post(reverse("cases:objective_add", args=[case.pk]), {"objective": ""}).status_code == 400
    assert client.post(reverse("cases:objective_add", args=[case.pk]), {"objective": "Find housing",
                             "due_on": "2030-01-01"}).status_code == 302
    assert PlanObjective.objects.get().objective == "Find housing"
    client.post(reverse("cases:task_add", args=[case.pk]), {"title": "Call the lawyer", "due_on": "2020-01-01"})
    task = CaseTask.objects.get()
    assert task.assignee == cast.caseworker_a
    page = client.get(reverse("cases:my_tasks")).content.decode()
    assert "Call the lawyer" in page and "overdue" in page
    client.post(reverse("cases:task_done", args=[case.pk, task.pk]))
    assert CaseTask.objects.get().done_at is not None
    timeline = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
    assert "cases.task.done" in timeline and "cases.case.opened" in timeline


def test_only_supervisors_assign(cast, case):
    colleague = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    with_totp(colleague)
    signed_in(cast.caseworker_a).post(reverse("cases:assign", args=[case.pk]), {"assignees": [colleague.pk],
                                            "version": case.version})
    assert list(case.assignees.all()) == [cast.caseworker_a]
    signed_in(cast.supervisor_a).post(reverse("cases:assign", args=[case.pk]), {"assignees": [colleague.pk],
                                            "version": case.version})
    assert list(case.assignees.all()) == [colleague]
    # The former assignee no longer sees the case; the new one does.
    assert signed_in(cast.caseworker_a).get(reverse("cases:detail", args=[case.pk])) \
        .status_code == 404
    assert signed_in(colleague).get(reverse("cases:detail", args=[case.pk])).status_code == 200


def test_anonymous_first_contact_then_full_case(cast):
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("cases:first_contact"), {"contact_channel": "phone",
                                                            "exploitation_types": ["ForcedBegging"]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.is_first_contact and case.subject_id is None
    assert DataSubject.objects.count() == 0
    bad = client.post(reverse("cases:convert", args=[case.pk]), {"first_name": "",
                                                                 "second_name": "X"})
    assert bad.status_code == 400
    ok = client.post(reverse("cases:convert", args=[case.pk]), {
        "first_name": "Tetiana", "birth_date": "2010-03-03"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert not case.is_first_contact and case.subject_id and case.is_child
    assert case.exploitation_types == ["ForcedBegging"] and Case.objects.count() == 1
    assert bad_channel(cast)


def bad_channel(cast):
    response = signed_in(cast.caseworker_a).post(reverse("cases:first_contact"),
                                                 {"contact_channel": "pigeon"})
    return response.status_code == 400


def test_network_admin_imports_a_national_set_others_cannot(cast, tmp_path):
    network_admin = MembershipFactory(organisation=cast.network, role="org_admin").user
    with_totp(network_admin)
    payload = json.loads(DEFAULT_FILE.read_text())
    national = {"sets": [{**payload["sets"][0], "label": "National list (MD)"}]}
    upload = SimpleUploadedFile("md.json", json.dumps(national).encode())
    url = reverse("cases:indicator_sets")
    refused = signed_in(cast.caseworker_a).post(url, {"file": upload, "source": "MD NRM"})
    assert refused.status_code == 404
    assert signed_in(cast.outsider).get(url).status_code == 404
    bad = signed_in(network_admin).post(url, {
        "file": SimpleUploadedFile("x.json", b'{"sets": [{"id": "adult_labour", "dimensions": '
                                             b'[{"id": "d", "indicators": [{"id": "a"}]}]}]}'),
        "source": "x"})
    assert bad.status_code == 400 and "strength" in bad.content.decode()
    upload.seek(0)
    ok = signed_in(network_admin).post(url, {"file": upload, "source": "MD NRM"})
    assert ok.status_code == 302
    current = set_for(child=False, sexual=False)
    assert current.label == "National list (MD)" and current.version == 2
    assert IndicatorSet.objects.filter(code="adult_labour", is_active=False).count() == 1


def test_import_command_reports_bad_files(tmp_path, db):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("indicators_import", str(bad))
    call_command("indicators_import")
    assert IndicatorSet.objects.filter(is_active=True).count() == 4


def test_case_list_caseworker_sees_only_assigned(cast, case):
    other = services.case_open(org=cast.org_a, actor=cast.supervisor_a,
                               person=services.PersonData(first_name="Nobody", age=40))
    listed = signed_in(cast.caseworker_a).get(reverse("cases:list")).context["page"].object_list
    assert case in listed and other not in listed
    everything = signed_in(cast.supervisor_a).get(reverse("cases:list")).context["page"]
    assert everything.paginator.count == 2
    assert dt.date.today() >= case.opened_on


def test_trafficking_events_with_bad_input(cast):
    case = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Oleh",
                                                         birth_date=dt.date(2001, 1, 1)))
    client = signed_in(cast.caseworker_a)
    bad = client.post(reverse("cases:event_add", args=[case.pk]), {"kind": "recruitment", "date_from": "1999-01-01"})
    assert bad.status_code == 400 and bad.context["event_form"].errors["date_from"]
    ok = client.post(reverse("cases:event_add", args=[case.pk]), {"kind": "exploitation", "country": "PL",
                           "place": "Farm near Lublin", "date_from": "2024-05-01"})
    assert ok.status_code == 302
    event = case.events.get()
    assert event.place == "Farm near Lublin" and event.country == "PL"


def test_perpetrators_on_the_work_screen(cast, case):
    from bridgeway.cases.models import Perpetrator
    from bridgeway.protection.models import AccessLogEntry, AuditEvent

    client = signed_in(cast.caseworker_a)
    url = reverse("cases:work", args=[case.pk])
    bad = client.post(reverse("cases:perpetrator_add", args=[case.pk]), {"relationship": "Employer",
                            "citizenship": "XX"})
    assert bad.status_code == 400 and bad.context["perpetrator_form"].errors["citizenship"]
    empty = client.post(reverse("cases:perpetrator_add", args=[case.pk]), {})
    assert empty.status_code == 400 and empty.context["perpetrator_form"].errors["relationship"]
    assert not Perpetrator.objects.exists()
    ok = client.post(reverse("cases:perpetrator_add", args=[case.pk]), {"relationship": "Employer",
                           "citizenship": "PL", "description": "Farm owner, red van"})
    assert ok.status_code == 302
    AccessLogEntry.objects.all().delete()
    page = client.get(url).content.decode()
    assert "Farm owner, red van" in page and "Employer" in page
    assert AccessLogEntry.objects.filter(user=cast.caseworker_a, subject=case.subject_id,
                                         via="ui").exists()
    event = AuditEvent.objects.get(action="cases.perpetrator.added")
    assert event.payload == {"relationship": "Employer", "citizenship": "PL"}
    timeline = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
    assert "cases.perpetrator.added" in timeline


@pytest.mark.parametrize("who", ["caseworker_b", "agency_poc", "coordinator", "outsider",
                                 "dpo_a"])
def test_others_cannot_see_or_add_perpetrators(cast, case, who):
    from bridgeway.cases.models import Perpetrator

    services.perpetrator_add(case=case, actor=cast.caseworker_a, description="Uncle Vasyl")
    client = signed_in(getattr(cast, who))
    url = reverse("cases:work", args=[case.pk])
    seen = client.get(url)
    assert seen.status_code == 404 and "Vasyl" not in seen.content.decode()
    assert client.post(reverse("cases:perpetrator_add", args=[case.pk]), {"relationship": "Other"}).status_code == 404
    assert Perpetrator.objects.count() == 1


def test_task_screen_offers_only_people_who_can_work_on_the_case(cast, case):
    colleague = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    with_totp(colleague)
    client = signed_in(cast.supervisor_a)
    url = reverse("cases:work", args=[case.pk])
    choices = dict(client.get(url).context["task_form"].fields["assignee"].choices)
    assert cast.caseworker_a.pk in choices and cast.supervisor_a.pk in choices
    assert colleague.pk not in choices
    refused = client.post(reverse("cases:task_add", args=[case.pk]), {"title": "Visit", "due_on": "2099-01-01",
                                "assignee": colleague.pk})
    assert refused.status_code == 400 and refused.context["task_form"].errors["assignee"]
    assert not CaseTask.objects.exists()
