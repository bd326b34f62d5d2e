"""Recording contacts, linking them to cases, and who may see them (the cast of every
permission test: caseworker and supervisor of A may; B, the agency, the network and an outsider
get 404)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bridgeway.cases import services as case_services
from bridgeway.helpline import services
from bridgeway.helpline.models import Contact
from bridgeway.protection.models import AuditEvent, DataSubject
from tests.conftest import signed_in
from tests.helpline.conftest import contact_data

pytestmark = pytest.mark.django_db


def test_a_minimal_contact_is_anonymous_and_holds_no_key(cast, record):
    contact = record()
    assert contact.subject_id is None
    assert contact.summary is None
    event = AuditEvent.objects.get(action="helpline.contact.recorded", object_id=str(contact.pk))
    assert event.payload["channel"] == "phone"


def test_summary_is_encrypted_under_the_contacts_own_key(cast, record):
    contact = record(summary="She said the employer kept her passport.")
    assert contact.subject_id is not None
    raw = Contact.objects.filter(pk=contact.pk).values_list("summary", flat=True).get()
    assert b"passport" not in bytes(raw)
    assert Contact.objects.get(pk=contact.pk).summary.endswith("passport.")
    subject = DataSubject.objects.get(pk=contact.subject_id)
    assert subject.retention_anchor == timezone.localdate(contact.started_at)


@pytest.mark.parametrize("field,value,message", [
    ("channel", "", "required"),
    ("channel", "pigeon", "listed"),
    ("outcome", "", "required"),
    ("started_at", None, "when the contact happened"),
    ("duration_minutes", 5000, "duration"),
    ("language", "xx-nonsense", "language"),
    ("topics", ["nope"], "topics"),
    ("summary", "a" * 4001, "longer than 4000"),
    ("summary", "nul\x00byte", "control characters"),
    ("reach", "not a phone", "phone number"),
])
def test_bad_input_names_the_field_and_writes_nothing(cast, field, value, message):
    kw = {field: value}
    if field == "reach":
        kw["reach_kind"] = "phone"
    with pytest.raises(ValidationError) as exc:
        services.contact_record(org=cast.org_a, actor=cast.caseworker_a, data=contact_data(**kw))
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert not Contact.objects.exists()
    assert not DataSubject.objects.exists()


def test_time_in_the_future_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        services.contact_record(org=cast.org_a, actor=cast.caseworker_a, data=contact_data(
            started_at=timezone.now() + timedelta(hours=2)))
    assert "started_at" in exc.value.message_dict


def test_bidi_overrides_and_html_are_kept_as_text(cast, record):
    contact = record(summary="<script>alert(1)</script>\u202egnp.exe")
    assert Contact.objects.get(pk=contact.pk).summary == "<script>alert(1)</script>gnp.exe"
    page = signed_in(cast.caseworker_a).get(reverse("helpline:detail", args=[contact.pk]))
    assert b"<script>alert(1)" not in page.content
    assert b"&lt;script&gt;" in page.content


def test_only_operators_of_the_organisation_record(cast):
    for user in (cast.caseworker_b, cast.agency_poc, cast.coordinator, cast.outsider,
                 cast.dpo_a):
        with pytest.raises(PermissionDenied):
            services.contact_record(org=cast.org_a, actor=user, data=contact_data())
    assert services.contact_record(org=cast.org_a, actor=cast.supervisor_a, data=contact_data())


def test_who_sees_a_contact(cast, record):
    contact = record(summary="private")
    url = reverse("helpline:detail", args=[contact.pk])
    for user in (cast.caseworker_a, cast.supervisor_a):
        assert signed_in(user).get(url).status_code == 200
    for user in (cast.caseworker_b, cast.agency_poc, cast.coordinator, cast.outsider):
        assert signed_in(user).get(url).status_code == 404
    listing = signed_in(cast.caseworker_b).get(reverse("helpline:list"))
    assert contact.reference.encode() not in listing.content
    assert signed_in(cast.agency_poc).get(reverse("helpline:list")).status_code == 404
    assert signed_in(cast.outsider).get(reverse("helpline:triage")).status_code == 404


def test_the_fast_form_records_with_three_fields(cast):
    client = signed_in(cast.caseworker_a)
    page = client.get(reverse("helpline:record"))
    assert page.status_code == 200
    response = client.post(reverse("helpline:record"), {
        "organisation": cast.org_a.pk, "channel": "whatsapp", "outcome": "information",
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "direction": "in",
        "urgency": "normal"})
    contact = Contact.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"{contact.pk}/")
    assert contact.channel == "whatsapp" and contact.created_by == cast.caseworker_a


def test_the_form_shows_a_message_on_the_field(cast):
    response = signed_in(cast.caseworker_a).post(reverse("helpline:record"), {
        "organisation": cast.org_a.pk, "channel": "", "outcome": "information",
        "started_at": "", "direction": "in", "urgency": "normal"})
    assert response.status_code == 400
    assert not Contact.objects.exists()
    assert response.context["form"].errors["channel"]


def test_another_organisations_form_is_404(cast):
    response = signed_in(cast.caseworker_b).get(
        reverse("helpline:record") + f"?organisation={cast.org_a.pk}")
    assert response.status_code == 404


def test_open_a_case_from_a_contact_and_see_it_on_the_timeline(cast, record):
    contact = record(channel="telegram", topics=["x:ForcedLabour", "shelter"], summary="x")
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("helpline:open_case", args=[contact.pk]))
    contact.refresh_from_db()
    case = contact.case
    assert case is not None and case.is_first_contact and case.contact_channel == "chat"
    assert case.exploitation_types == ["ForcedLabour"]
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert DataSubject.objects.get(pk=contact.subject_id).retention_anchor is None
    timeline = client.get(reverse("cases:timeline", args=[case.pk]))
    assert b'data-action="helpline.contact.linked"' in timeline.content
    assert b'data-action="helpline.contact.recorded"' in timeline.content
    detail = client.get(reverse("cases:detail", args=[case.pk]))
    assert contact.reference.encode() in detail.content


def test_many_contacts_link_to_one_case(cast, record):
    case = case_services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                                   person=case_services.PersonData(first_name="Ana"))
    client = signed_in(cast.caseworker_a)
    for _ in range(2):
        contact = record()
        response = client.post(reverse("helpline:link_case", args=[contact.pk]),
                               {"case": case.reference})
        assert response.status_code == 302
    assert Contact.objects.filter(case=case).count() == 2


def test_linking_to_a_case_of_another_organisation_is_refused(cast, record):
    other = case_services.case_open(org=cast.org_b, actor=cast.caseworker_b,
                                    person=case_services.PersonData(first_name="Ion"))
    contact = record()
    response = signed_in(cast.caseworker_a).post(reverse("helpline:link_case", args=[contact.pk]),
                                                 {"case": other.reference})
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.case is None
    with pytest.raises(ValidationError):
        services.contact_link_case(contact=contact, actor=cast.caseworker_a, case=other)


def test_others_cannot_open_a_case_from_it(cast, record):
    contact = record()
    for user in (cast.caseworker_b, cast.outsider):
        assert signed_in(user).post(
            reverse("helpline:open_case", args=[contact.pk])).status_code == 404
    contact.refresh_from_db()
    assert contact.case is None


def test_menu_shows_helpline_to_operators_only(cast):
    from bridgeway.core.registry import menu_for

    assert any(key == "helpline" for _u, _l, key in menu_for(cast.caseworker_a))
    assert not any(key == "helpline" for _u, _l, key in menu_for(cast.coordinator))
