"""Screens: who sees what, minimisation, revocation ending access at once, the forms."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bridgeway.cases import services as cases
from bridgeway.protection.models import AccessLogEntry
from bridgeway.protection.services import document_upload
from bridgeway.referrals import queries, services
from bridgeway.referrals.models import Referral
from tests.conftest import signed_in
from tests.referrals.conftest import SECRET_NOTE, SECRET_PHONE, counts, send

pytestmark = pytest.mark.django_db

NOBODY = ["caseworker_b", "admin_a", "dpo_a", "admin_b", "coordinator", "outsider",
          "platform_admin"]


@pytest.mark.parametrize("who,status", [
    ("caseworker_a", 200), ("supervisor_a", 200), ("agency_poc", 200),
    *[(w, 404) for w in NOBODY]])
def test_who_opens_a_referral(cast, referral, who, status):
    response = signed_in(getattr(cast, who)).get(reverse("referrals:detail", args=[referral.pk]))
    assert response.status_code == status
    if status == 404:
        assert referral.reference not in response.content.decode()
        assert "Ткаченко" not in response.content.decode()


def test_recipient_sees_exactly_the_shared_sections(cast, case, consent):
    cases.objective_add(case=case, actor=cast.caseworker_a, objective="Find a safe flat")
    referral = send(cast, case, sections=["identity", "needs"])
    body = signed_in(cast.agency_poc).get(reverse("referrals:detail",
                                                  args=[referral.pk])).content.decode()
    assert "Наталія" in body and "Ткаченко" in body and "Find a safe flat" in body
    assert SECRET_PHONE not in body and SECRET_NOTE not in body
    assert ">Contact<" not in body and ">Documents<" not in body
    entry = AccessLogEntry.objects.get(user=cast.agency_poc)
    assert entry.subject_id == case.subject_id and "outside_organisation" in entry.flags


def test_contact_only_shows_no_name(cast, case, consent):
    referral = send(cast, case, sections=["contact"])
    body = signed_in(cast.agency_poc).get(reverse("referrals:detail",
                                                  args=[referral.pk])).content.decode()
    assert SECRET_PHONE in body
    assert "Наталія" not in body and "Ткаченко" not in body and "1994" not in body


def test_the_sender_page_and_lists_show_no_names_to_the_recipient(cast, referral):
    body = signed_in(cast.agency_poc).get(reverse("referrals:list")).content.decode()
    assert referral.reference in body and "overdue" not in body
    assert referral.case.reference not in body
    Referral.objects.filter(pk=referral.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    body = signed_in(cast.caseworker_a).get(reverse("referrals:list")).content.decode()
    assert referral.reference in body and "overdue" in body


def test_revocation_ends_access_at_once(cast, case, consent):
    document = document_upload(subject=case.subject, actor=cast.caseworker_a,
                               uploaded=SimpleUploadedFile("passport.pdf", b"%PDF-1.4 test"))
    referral = send(cast, case, sections=["identity", "documents"])
    poc = signed_in(cast.agency_poc)
    doc_url = reverse("referrals:document", args=[referral.pk, document.pk])
    response = poc.get(doc_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    poc.post(reverse("referrals:accept", args=[referral.pk]))
    assert Referral.objects.get(pk=referral.pk).status == "accepted"
    linked = Referral.objects.get(pk=referral.pk).recipient_case
    signed_in(cast.caseworker_a).post(reverse("referrals:revoke", args=[referral.pk]))
    assert Referral.objects.get(pk=referral.pk).status == "revoked"
    assert poc.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert poc.get(doc_url).status_code == 404
    assert linked.organisation == cast.police


def test_documents_not_shared_are_404(cast, case, consent):
    document = document_upload(subject=case.subject, actor=cast.caseworker_a,
                               uploaded=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"))
    referral = send(cast, case, sections=["identity"])
    url = reverse("referrals:document", args=[referral.pk, document.pk])
    assert signed_in(cast.agency_poc).get(url).status_code == 404
    assert signed_in(cast.caseworker_b).get(url).status_code == 404


def test_refer_from_the_case_page(cast, case, consent):
    client = signed_in(cast.caseworker_a)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    new_url = reverse("referrals:new", args=[case.pk])
    assert new_url in page
    form = client.get(new_url).content.decode()
    assert "Consent given on" in form and "Police unit" in form
    response = client.post(new_url, {
        "recipient": cast.police.pk, "sections": ["identity", "victim_context"],
        "services": ["identification"], "reason": "AdditionalServicesRequired",
        "urgency": "urgent"})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == reverse("referrals:detail",
                                                                   args=[referral.pk])
    assert referral.sections == ["identity", "victim_context"] and referral.urgency == "urgent"
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert referral.reference in page and "Waiting for an answer" in page


@pytest.mark.parametrize("change,message", [
    ({"recipient": "own"}, "Select a valid choice"),
    ({"services": ["shelter"]}, "does not offer"),
    ({"deadline": "2020-01-01T10:00"}, "in the past"),
])
def test_form_bad_input(cast, case, consent, change, message):
    data = {"recipient": cast.police.pk, "sections": ["identity"], "services": ["identification"],
            "reason": "AdditionalServicesRequired", "urgency": "normal", **change}
    if data["recipient"] == "own":
        data["recipient"] = cast.org_a.pk
    client = signed_in(cast.caseworker_a)
    before = counts()
    response = client.post(reverse("referrals:new", args=[case.pk]), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert counts() == before


def test_form_without_consent(cast, case):
    data = {"recipient": cast.police.pk, "sections": ["identity"], "services": ["identification"],
            "reason": "AdditionalServicesRequired", "urgency": "normal"}
    client = signed_in(cast.caseworker_a)
    before = counts()
    response = client.post(reverse("referrals:new", args=[case.pk]), data)
    assert response.status_code == 400 and "No consent is recorded" in response.content.decode()
    assert counts() == before
    response = signed_in(cast.supervisor_a).post(reverse("referrals:new", args=[case.pk]),
                                                 {**data, "override_reason": "Danger tonight"})
    assert response.status_code == 302
    assert Referral.objects.get().override_by == cast.supervisor_a


def test_outsiders_cannot_open_the_refer_form(cast, case):
    for who in ["caseworker_b", "agency_poc", "coordinator", "outsider", "dpo_a"]:
        assert signed_in(getattr(cast, who)).get(
            reverse("referrals:new", args=[case.pk])).status_code == 404


def test_accept_twice_and_decline_on_screen(cast, case, consent):
    referral = send(cast, case)
    poc = signed_in(cast.agency_poc)
    poc.post(reverse("referrals:accept", args=[referral.pk]))
    before = counts()
    response = poc.post(reverse("referrals:accept", args=[referral.pk]), follow=True)
    assert "already accepted" in response.content.decode() and counts() == before
    services.referral_complete(referral=referral, actor=cast.agency_poc)  # one open at a time
    other = send(cast, case)
    response = poc.post(reverse("referrals:decline", args=[other.pk]), {"reason": ""})
    assert response.status_code == 400
    poc.post(reverse("referrals:decline", args=[other.pk]), {"reason": "no_capacity"})
    assert Referral.objects.get(pk=other.pk).status == "declined"
    assert poc.get(reverse("referrals:detail", args=[other.pk])).status_code == 200
    body = poc.get(reverse("referrals:detail", args=[other.pk])).content.decode()
    assert "Наталія" not in body  # declined: nothing of the person any more


def test_linked_case_shows_live_sections_to_a_cso_recipient(cast, case, consent):
    from bridgeway.orgs.models import OrganisationService

    OrganisationService.objects.create(organisation=cast.org_b, service="legal")
    referral = send(cast, case, to=cast.org_b, services_=["shelter"], sections=["identity"])
    services.referral_accept(referral=referral, actor=cast.caseworker_b)
    linked = Referral.objects.get(pk=referral.pk).recipient_case
    client = signed_in(cast.caseworker_b)
    body = client.get(reverse("cases:detail", args=[linked.pk])).content.decode()
    assert "Наталія" in body and referral.reference in body and SECRET_NOTE not in body
    services.referral_revoke(referral=referral, actor=cast.caseworker_a)
    body = client.get(reverse("cases:detail", args=[linked.pk])).content.decode()
    assert "Наталія" not in body


def test_linked_case_is_a_link_only_for_those_who_can_open_it(cast, case, consent):
    """Issue 18: an agency's point of contact was shown "Your linked case C-…" leading to a 404
    (agency contacts cannot open case files); a CSO's caseworker still gets the link."""
    referral = send(cast, case)
    services.referral_accept(referral=referral, actor=cast.agency_poc)
    linked = Referral.objects.get(pk=referral.pk).recipient_case
    body = signed_in(cast.agency_poc).get(reverse("referrals:detail", args=[referral.pk])) \
        .content.decode()
    assert reverse("cases:detail", args=[linked.pk]) not in body
    assert f"Your organisation's linked case: {linked.reference}" in body
    assert signed_in(cast.agency_poc).get(reverse("cases:detail", args=[linked.pk])) \
        .status_code == 404
    from bridgeway.orgs.models import OrganisationService

    OrganisationService.objects.create(organisation=cast.org_b, service="legal")
    other = send(cast, case, to=cast.org_b, services_=["shelter"])
    services.referral_accept(referral=other, actor=cast.caseworker_b)
    linked_b = Referral.objects.get(pk=other.pk).recipient_case
    body = signed_in(cast.caseworker_b).get(reverse("referrals:detail", args=[other.pk])) \
        .content.decode()
    assert reverse("cases:detail", args=[linked_b.pk]) in body
    assert f"Your linked case {linked_b.reference}" in body


def test_transfer_screen_needs_confirmation(cast, case, consent):
    referral = send(cast, case, to=cast.org_b, services_=["shelter"])
    services.referral_accept(referral=referral, actor=cast.caseworker_b)
    client = signed_in(cast.supervisor_a)
    url = reverse("referrals:transfer", args=[referral.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"confirm": "on"}).status_code == 302
    case.refresh_from_db()
    assert case.organisation == cast.org_b
    assert signed_in(cast.caseworker_a).get(url).status_code == 404


def test_settings_screen(cast):
    url = reverse("referrals:settings")
    for who in ["caseworker_a", "agency_poc", "outsider", "coordinator"]:
        assert signed_in(getattr(cast, who)).get(url).status_code == 404
    client = signed_in(cast.admin_a)
    assert client.get(url).status_code == 200
    response = client.post(url, {"urgent_hours": 6, "normal_working_days": 2,
                                 "low_working_days": 8, "organisation": cast.org_a.pk})
    assert response.status_code == 302
    assert queries.settings_for(cast.org_a).urgent_hours == 6
    response = client.post(url, {"urgent_hours": 6, "normal_working_days": 9,
                                 "low_working_days": 8, "organisation": cast.org_a.pk})
    assert response.status_code == 400


def test_subject_export_lists_referrals(cast, referral):
    from bridgeway.protection.export import _core_sections  # noqa: F401
    from bridgeway.protection.registry import export_providers

    sections = [s for p in export_providers() for s in p(referral.subject)]
    rows = next(s for s in sections if s["title"] == "Referrals")["rows"]
    assert rows[0]["Reference"] == referral.reference and rows[0]["To"] == "Police unit"
