import datetime as dt

import pytest
from django.utils import timezone

from bridgeway.cases import services as cases
from bridgeway.orgs.models import OrganisationService
from bridgeway.protection import services as protection
from bridgeway.protection.models import AuditEvent
from bridgeway.referrals import services
from bridgeway.referrals.models import Referral

SECRET_PHONE = "+37369000111"
SECRET_NOTE = "Hides at her cousin's flat"


@pytest.fixture
def offers(cast):
    OrganisationService.objects.create(organisation=cast.police, service="identification")
    OrganisationService.objects.create(organisation=cast.org_b, service="shelter")
    OrganisationService.objects.create(organisation=cast.org_b, service="psychological")


@pytest.fixture
def case(cast, offers):
    case = cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                           person=cases.PersonData(first_name="Наталія", second_name="Ткаченко",
                                                   birth_date=dt.date(1994, 7, 12),
                                                   phone=SECRET_PHONE, gender="Feminine",
                                                   citizenship="UA"),
                           exploitation_types=["ForcedLabour"])
    cases.note_add(case=case, actor=cast.caseworker_a, body=SECRET_NOTE)
    return case


def give_consent(case, actor, recipient_type=""):
    return protection.consent_record(subject=case.subject, actor=actor, purpose="referral",
                                     method="written",
                                     given_on=timezone.localdate() - dt.timedelta(days=1),
                                     recipient_type=recipient_type)


@pytest.fixture
def consent(cast, case):
    return give_consent(case, cast.caseworker_a)


def send(cast, case, *, to=None, actor=None, sections=("identity",), services_=("identification",),
         **kw):
    params = {"reason": "AdditionalServicesRequired", "urgency": "normal"}
    params.update(kw)
    return services.referral_send(case=case, actor=actor or cast.caseworker_a,
                                  recipient=to or cast.police, sections=list(sections),
                                  services=list(services_), **params)


@pytest.fixture
def referral(cast, case, consent):
    return send(cast, case)


def counts():
    return (Referral.objects.count(), AuditEvent.objects.count())
