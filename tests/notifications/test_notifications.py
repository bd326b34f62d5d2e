import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bridgeway.cases import services as case_services
from bridgeway.notifications.models import Kind, Notification
from bridgeway.notifications.services import notify, run_reminders
from tests.conftest import api, signed_in

pytestmark = pytest.mark.django_db


def test_notify_once_per_key_and_email_carries_only_a_link(cast, django_capture_on_commit_callbacks):
    cast.caseworker_a.preferred_language = "fr"
    cast.caseworker_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        made = notify(users=[cast.caseworker_a, cast.supervisor_a], kind=Kind.REFERRAL_RECEIVED,
                      link="/cases/", organisation=cast.org_a, key="k1")
        again = notify(users=[cast.caseworker_a], kind=Kind.REFERRAL_RECEIVED, link="/cases/",
                       key="k1")
    assert len(made) == 2 and again == []
    assert Notification.objects.filter(user=cast.caseworker_a).count() == 1
    assert len(mail.outbox) == 2
    french = next(m for m in mail.outbox if m.to == [cast.caseworker_a.email])
    note = Notification.objects.get(user=cast.caseworker_a)
    assert f"/notifications/{note.pk}/open/" in french.body
    assert french.subject == "Bridgeway\u00a0: Une orientation a été envoyée à votre organisation"
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


@pytest.mark.parametrize("link", ["https://example.org/x", "//evil.test/x", "/cases/?q=Ion",
                                  "/cases/Ion Rusu/"])
def test_links_are_local_paths_without_queries(cast, link):
    with pytest.raises(ValueError):
        notify(users=[cast.caseworker_a], kind=Kind.TASK_OVERDUE, link=link)
    assert Notification.objects.count() == 0


def test_screen_shows_only_own_and_opening_marks_read(cast):
    mine, = notify(users=[cast.caseworker_a], kind=Kind.TASK_OVERDUE, link="/cases/tasks/",
                   email=False)
    theirs, = notify(users=[cast.caseworker_b], kind=Kind.REFERRAL_REMINDER, link="/cases/",
                     email=False)
    client = signed_in(cast.caseworker_a)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "One of your tasks is overdue" in page and "waiting for an answer" not in page
    assert "Notifications (1)" in page  # the menu counts unread ones
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    response = client.get(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/cases/tasks/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert "Notifications (1)" not in client.get(reverse("notifications:list")).content.decode()


def test_api_lists_own_and_marks_read(cast):
    mine, = notify(users=[cast.coordinator], kind=Kind.TASK_OVERDUE, link="/", email=False)
    theirs, = notify(users=[cast.outsider], kind=Kind.TASK_OVERDUE, link="/", email=False)
    client = api(cast.coordinator)
    listed = client.get("/api/v1/notifications/").json()
    assert [n["id"] for n in listed["results"]] == [mine.pk]
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    read = client.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_overdue_task_reminded_once(cast, django_capture_on_commit_callbacks):
    case = case_services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                                   person=case_services.PersonData(first_name="Ion",
                                                                   second_name="Rusu"))
    today = timezone.localdate()
    case_services.task_add(case=case, actor=cast.caseworker_a, title="Call the lawyer",
                           due_on=today - dt.timedelta(days=1))
    case_services.task_add(case=case, actor=cast.caseworker_a, title="Later",
                           due_on=today + dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    assert run_reminders()["cases.overdue_tasks"] == 0  # already told
    note = Notification.objects.get(user=cast.caseworker_a)
    assert note.kind == Kind.TASK_OVERDUE and note.link == f"/cases/{case.pk}/work/"
    assert len(mail.outbox) == 1
    assert "Ion" not in mail.outbox[0].body and "lawyer" not in mail.outbox[0].body
