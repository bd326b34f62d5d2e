"""Consent recorded where it is needed: inside intake and inside the referral form, through the
consent page's service, all or nothing; the person's consent list shows each purpose once."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from bridgeway.cases.models import Case
from bridgeway.protection import services as protection
from bridgeway.protection.models import AuditEvent, Consent
from bridgeway.referrals.models import Referral
from tests.conftest import signed_in

TODAY = timezone.localdate


def _referral_data(cast, **extra):
    return {"recipient": cast.police.pk, "sections": ["identity"],
            "services": ["identification"], "reason": "AdditionalServicesRequired",
            "urgency": "normal", **extra}


def test_intake_records_consent_on_the_same_page(cast):
    client = signed_in(cast.caseworker_a)
    page = client.get(reverse("cases:intake")).content.decode()
    assert 'name="consent-purposes"' in page and f'value="{TODAY().isoformat()}"' in page
    response = client.post(reverse("cases:intake"), {
        "first_name": "Doina", "second_name": "Guțu", "birth_date": "1996-03-02",
        "consent-purposes": ["case_management", "statistics"], "consent-method": "written",
        "consent-given_on": TODAY().isoformat()})
    assert response.status_code == 302
    case = Case.objects.get()
    assert sorted(Consent.objects.filter(subject=case.subject).values_list("purpose", flat=True)) \
        == ["case_management", "statistics"]
    assert AuditEvent.objects.filter(action="protection.consent.recorded").count() == 2


def test_intake_with_bad_consent_names_the_field_and_opens_nothing(cast):
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("cases:intake"), {
        "first_name": "Doina", "second_name": "Guțu", "birth_date": "1996-03-02",
        "consent-purposes": ["case_management"], "consent-method": "oral_witnessed",
        "consent-given_on": TODAY().isoformat()})
    assert response.status_code == 400
    assert response.context["consent_form"].errors["witness_or_guardian"] == [
        "Name the witness or the guardian."]
    assert 'value="Doina"' in response.content.decode()  # what was typed stays
    assert not Case.objects.exists() and not Consent.objects.exists()
    # Without a tick, nothing about consent is recorded (it stays optional).
    response = client.post(reverse("cases:intake"), {
        "first_name": "Doina", "second_name": "Guțu", "birth_date": "1996-03-02",
        "consent-method": "written", "consent-given_on": TODAY().isoformat()})
    assert response.status_code == 302 and not Consent.objects.exists()


def test_referral_form_records_the_consent_it_needs(cast, case):
    client = signed_in(cast.caseworker_a)
    url = reverse("referrals:new", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'name="consent-purposes" value="referral"' in page
    assert 'value="case_management"' not in page  # only the referral purpose is offered here
    response = client.post(url, _referral_data(
        cast, **{"consent-purposes": ["referral"], "consent-method": "written",
                 "consent-given_on": TODAY().isoformat(),
                 "consent-recipient_type": "LawEnforcement"}))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent.recipient_type == "LawEnforcement"
    assert referral.consent.purpose == "referral" and referral.override_by is None


def test_referral_refused_keeps_no_consent_and_bad_consent_is_named(cast, case):
    client = signed_in(cast.caseworker_a)
    url = reverse("referrals:new", args=[case.pk])
    # Consent for another kind of organisation: the referral is refused and the consent typed
    # with it is not kept either.
    response = client.post(url, _referral_data(
        cast, **{"consent-purposes": ["referral"], "consent-method": "written",
                 "consent-given_on": TODAY().isoformat(), "consent-recipient_type": "NGO"}))
    assert response.status_code == 400 and "No consent is recorded" in response.content.decode()
    assert not Consent.objects.exists() and not Referral.objects.exists()
    future = (TODAY() + dt.timedelta(days=2)).isoformat()
    response = client.post(url, _referral_data(
        cast, **{"consent-purposes": ["referral"], "consent-method": "written",
                 "consent-given_on": future}))
    assert response.status_code == 400
    assert response.context["consent_form"].errors["given_on"] == [
        "The date consent was given cannot be in the future."]
    assert not Consent.objects.exists() and not Referral.objects.exists()
    # Someone who may not see the case gets a 404 from the form, consent or not.
    for other in (cast.caseworker_b, cast.agency_poc, cast.outsider):
        assert signed_in(other).post(url, _referral_data(
            cast, **{"consent-purposes": ["referral"], "consent-method": "written",
                     "consent-given_on": TODAY().isoformat()})).status_code == 404
    assert not Consent.objects.exists()


def test_the_consent_list_shows_each_purpose_once_with_its_history(cast, case):
    actor = cast.caseworker_a
    old = protection.consent_record(subject=case.subject, actor=actor, purpose="referral",
                                    method="written", given_on=TODAY() - dt.timedelta(days=40))
    protection.consent_withdraw(consent=old, actor=actor)
    protection.consent_record(subject=case.subject, actor=actor, purpose="referral",
                              method="written", given_on=TODAY() - dt.timedelta(days=2),
                              recipient_type="LawEnforcement")
    protection.consent_record(subject=case.subject, actor=actor, purpose="case_management",
                              method="written", given_on=TODAY() - dt.timedelta(days=40))
    page = signed_in(actor).get(reverse("protection:subject", args=[case.subject_id]))
    html = page.content.decode()
    lines = page.context["consent_lines"]
    assert [line["purpose"] for line in lines] == ["case_management", "referral"]
    referral = lines[1]
    assert referral["state"] == "given" and referral["recipient"] == "Law enforcement"
    assert len(referral["history"]) == 2
    assert html.count('<th scope="row">Referral to another organisation') == 1
    assert "History (2 records)" in html
