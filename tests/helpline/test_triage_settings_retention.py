from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridgeway.core.queues import URGENT
from bridgeway.helpline import queries, services
from bridgeway.helpline.models import Contact, DayCount, HelplineSettings
from bridgeway.protection import services as protection
from bridgeway.protection.models import DataSubject, ErasureRequest
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def submission(org, held=""):
    services.settings_ensure(org)
    return services.public_submission(org=org, answers={"what_happened": "help"},
                                      language="uk", held_reason=held)


def test_triage_lists_new_held_and_follow_ups(cast, record):
    new = submission(cast.org_a)
    held = submission(cast.org_a, held="no_proof")
    follow = record(follow_up="call back", follow_up_due=timezone.localdate())
    theirs = submission(cast.org_b)
    page = signed_in(cast.caseworker_a).get(reverse("helpline:triage")).content.decode()
    for c in (new, held, follow):
        assert c.reference in page
    assert theirs.reference not in page
    count, items = queries.home_triage(cast.caseworker_a, 10)
    assert count == 2  # held ones wait on the triage page, not on Home
    assert {i.label for i in items} == {new.reference, follow.reference}
    assert next(i for i in items if i.label == follow.reference).urgency == URGENT
    assert queries.home_triage(cast.outsider, 10) == (0, [])


def test_answering_a_submission_takes_it_out_of_triage(cast):
    contact = submission(cast.org_a)
    response = signed_in(cast.caseworker_a).post(reverse("helpline:update", args=[contact.pk]), {
        "channel": "web_form", "outcome": "information", "direction": "in",
        "urgency": "normal", "started_at": timezone.localtime(contact.started_at).strftime(
            "%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.status == "done" and contact.first_answered_at is not None
    assert contact.answers["what_happened"] == "help"  # the person's words stay


def test_release_and_discard_held(cast):
    keep, drop = submission(cast.org_a, "quota"), submission(cast.org_a, "quota")
    client = signed_in(cast.caseworker_a)
    client.post(reverse("helpline:release", args=[keep.pk]))
    client.post(reverse("helpline:release", args=[drop.pk]), {"discard": "1"})
    assert Contact.objects.get(pk=keep.pk).status == "new"
    dropped = Contact.objects.get(pk=drop.pk)
    assert dropped.status == "discarded"
    assert DataSubject.objects.get(pk=dropped.subject_id).is_erased
    assert signed_in(cast.caseworker_b).post(
        reverse("helpline:release", args=[keep.pk])).status_code == 404


def test_settings_for_supervisors_only(cast):
    url = reverse("helpline:settings")
    assert signed_in(cast.supervisor_a).get(url).status_code == 200
    for user in (cast.caseworker_a, cast.caseworker_b, cast.outsider):
        assert signed_in(user).get(f"{url}?organisation={cast.org_a.pk}").status_code == 404
    response = signed_in(cast.supervisor_a).post(url, {
        "organisation": cast.org_a.pk, "slug": "ajutor", "form_enabled": "on",
        "form_fields": ["what_happened", "reach"], "form_languages": ["ru"],
        "daily_quota": 20, "retention_months": 6,
        "form_labels": "what_happened | ru | Что случилось?", "form_intro": "ru | Ответим."})
    assert response.status_code == 302
    conf = HelplineSettings.objects.get(organisation=cast.org_a)
    assert conf.slug == "ajutor" and conf.retention_months == 6
    page = signed_in(cast.outsider).get("/help/ajutor/?lang=ru").content.decode()
    assert "Что случилось?" in page and "Ответим." in page
    bad = signed_in(cast.supervisor_a).post(url, {
        "organisation": cast.org_a.pk, "slug": "ajutor", "daily_quota": 0,
        "retention_months": 500, "form_labels": "nonsense"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) >= {"daily_quota", "retention_months", "form_labels"}


def test_contacts_that_never_became_a_case_follow_their_own_retention(cast, record):
    conf = services.settings_ensure(cast.org_a)
    conf.retention_months = 12
    conf.save()
    old = record(summary="old", started_at=timezone.now() - timedelta(days=400))
    recent = record(summary="recent", started_at=timezone.now() - timedelta(days=100))
    linked = record(summary="linked", started_at=timezone.now() - timedelta(days=400))
    services.contact_open_case(contact=linked, actor=cast.caseworker_a)
    protection.retention_scan(today=date.today())
    due = set(ErasureRequest.objects.values_list("subject_id", flat=True))
    assert due == {old.subject_id}
    assert recent.subject_id not in due
    request = ErasureRequest.objects.get()
    protection.erasure_decide(request=request, actor=cast.dpo_a, approve=True)
    assert Contact.objects.get(pk=old.pk).summary is None


def test_a_repeated_reference_is_drawn_again_and_nothing_half_written(cast, monkeypatch):
    first = submission(cast.org_a)
    draws = iter([first.reference, "H-NEWREF2"])
    monkeypatch.setattr(services, "_draw_reference", lambda: next(draws))
    second = submission(cast.org_a)
    assert second.reference == "H-NEWREF2"
    assert Contact.objects.count() == 2
    assert DataSubject.objects.filter(organisation=cast.org_a).count() == 2
    # the day's counter counted each submission once
    assert DayCount.objects.get(organisation=cast.org_a).received == 2


def test_a_repeated_data_subject_reference_is_drawn_again_and_nothing_half_written(
        cast, monkeypatch):
    """The public form draws its data subject's reference without asking the database: a
    repeat is refused by the unique constraint, the whole submission rolled back and made
    again."""
    from bridgeway.protection import services as protection_services
    from bridgeway.protection.models import AuditEvent

    first = submission(cast.org_a)
    draws = iter([first.subject.reference, "P-NEWREF2"])
    monkeypatch.setattr(protection_services, "_new_reference", lambda **_kw: next(draws))
    second = submission(cast.org_a)
    assert second.subject.reference == "P-NEWREF2"
    assert Contact.objects.count() == 2
    assert DataSubject.objects.filter(organisation=cast.org_a).count() == 2
    assert DayCount.objects.get(organisation=cast.org_a).received == 2
    assert AuditEvent.objects.filter(action="helpline.contact.received").count() == 2


def test_other_callers_still_get_a_reference_checked_before_the_insert(cast, monkeypatch):
    """Only a caller that retries its whole transaction draws unchecked: a case intake (which
    does not) gets a reference nobody holds, drawn again before anything is written."""
    from bridgeway.protection import services as protection_services

    taken = protection.subject_create(org=cast.org_a, actor=cast.caseworker_a,
                                      display_name="Ana").reference
    letters = iter(taken[2:] + "FREEREF")  # the first draw repeats Ana's reference
    monkeypatch.setattr(protection_services.secrets, "choice", lambda _alphabet: next(letters))
    other = protection.subject_create(org=cast.org_a, actor=cast.caseworker_a,
                                      display_name="Ion")
    monkeypatch.undo()
    assert other.reference == "P-FREEREF"
    assert DataSubject.objects.filter(organisation=cast.org_a).count() == 2


def test_a_failed_submission_leaves_nothing_behind(cast, monkeypatch):
    """Without savepoints of their own, the data subject and the audit event still share the
    submission's one transaction: a failure at its last write leaves no subject, no contact,
    no repeat-caller entry and no count of the day."""
    from django.db import DatabaseError

    from bridgeway.helpline.models import ReachIndex
    from bridgeway.protection import audit

    services.settings_ensure(cast.org_a)

    def broken(**_kw):
        raise DatabaseError("disk full")

    monkeypatch.setattr(audit, "_append", broken)
    with pytest.raises(DatabaseError):
        services.public_submission(org=cast.org_a, answers={
            "what_happened": "help", "reach": "+37360000000"}, language="ro")
    assert not Contact.objects.exists() and not ReachIndex.objects.exists()
    assert not DataSubject.objects.exists()
    assert not DayCount.objects.exists()
