"""Issue item 2, "Decisions can require supervisor approval (an organisation setting)": the
organisation administrator switches it on (screen and API, audited); pending decisions are then
approved or rejected by a supervisor who did not make them (screen and API)."""

import datetime as dt

import pytest
import yaml
from django.urls import reverse

from bridgeway.cases import services
from bridgeway.cases.indicator_sets import set_for
from bridgeway.cases.models import Case, CaseSettings, Decision
from bridgeway.orgs.models import Membership
from bridgeway.protection.models import AuditEvent
from tests.conftest import api, signed_in

pytestmark = pytest.mark.django_db

NOT_ADMIN = ["caseworker_a", "supervisor_a", "dpo_a", "caseworker_b", "admin_b", "agency_poc",
             "coordinator", "outsider"]


def settings_url(org):
    return f"{reverse('cases:settings')}?organisation={org.pk}"


def test_org_admin_switches_approval_on_from_the_organisation_page(cast):
    client = signed_in(cast.admin_a)
    org_page = client.get(reverse("orgs:detail", args=[cast.org_a.pk])).content.decode()
    assert settings_url(cast.org_a).replace("?", "?") in org_page.replace("&amp;", "&")
    page = client.get(settings_url(cast.org_a))
    assert page.status_code == 200
    assert "Identification decisions need a supervisor&#x27;s approval" in page.content.decode()
    response = client.post(reverse("cases:settings"), {"organisation": cast.org_a.pk,
                                                       "decisions_need_approval": "on"})
    assert response.status_code == 302
    assert CaseSettings.objects.get(organisation=cast.org_a).decisions_need_approval
    event = AuditEvent.objects.get(action="cases.settings.changed")
    assert event.payload == {"decisions_need_approval": True}
    assert event.organisation == cast.org_a
    client.post(reverse("cases:settings"), {"organisation": cast.org_a.pk})
    assert not CaseSettings.objects.get(organisation=cast.org_a).decisions_need_approval
    assert AuditEvent.objects.filter(action="cases.settings.changed").count() == 2


@pytest.mark.parametrize("who", NOT_ADMIN)
def test_only_the_org_admin_may_change_the_settings(cast, who):
    client = signed_in(getattr(cast, who))
    assert client.get(settings_url(cast.org_a)).status_code == 404
    assert client.post(reverse("cases:settings"), {"organisation": cast.org_a.pk,
                                                   "decisions_need_approval": "on"}) \
        .status_code == 404
    assert not CaseSettings.objects.filter(organisation=cast.org_a,
                                           decisions_need_approval=True).exists()


def test_org_admin_of_another_org_does_not_see_the_link(cast):
    page = signed_in(cast.admin_b).get(reverse("orgs:detail", args=[cast.org_a.pk]))
    assert reverse("cases:settings") not in page.content.decode()


def test_api_settings_read_and_change(cast):
    url = f"/api/v1/organisations/{cast.org_a.pk}/case-settings/"
    assert api(cast.admin_a).get(url).json() == {"decisions_need_approval": False}
    assert api(cast.supervisor_a).get(url).status_code == 200
    refused = api(cast.supervisor_a).put(url, {"decisions_need_approval": True}, format="json")
    assert refused.status_code == 403
    for who in ("caseworker_b", "admin_b", "agency_poc", "coordinator", "outsider"):
        assert api(getattr(cast, who)).get(url).status_code == 404
        assert api(getattr(cast, who)).put(url, {"decisions_need_approval": True},
                                           format="json").status_code == 404
    bad = api(cast.admin_a).put(url, {"decisions_need_approval": "perhaps"}, format="json")
    assert bad.status_code == 400 and "decisions_need_approval" in bad.json()
    assert not CaseSettings.objects.filter(decisions_need_approval=True).exists()
    ok = api(cast.admin_a).put(url, {"decisions_need_approval": True}, format="json")
    assert ok.status_code == 200 and ok.json() == {"decisions_need_approval": True}
    assert AuditEvent.objects.filter(action="cases.settings.changed").count() == 1


@pytest.fixture
def pending(cast):
    CaseSettings.objects.create(organisation=cast.org_a, decisions_need_approval=True)
    case = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Ion",
                                                         birth_date=dt.date(1990, 1, 1)))
    assessment = services.assessment_record(case=case, actor=cast.caseworker_a,
                                            indicator_set=set_for(child=False, sexual=False),
                                            entries=[])
    return services.decision_record(case=case, actor=cast.caseworker_a, assessment=assessment,
                                    status="ActualVictimOfTrafficking")


def test_api_supervisor_approves_a_pending_decision(cast, pending):
    assert pending.state == Decision.State.AWAITING_APPROVAL
    base = f"/api/v1/cases/{pending.case_id}/decisions/{pending.pk}"
    assert api(cast.caseworker_a).post(f"{base}/approve/").status_code == 403
    for who in ("caseworker_b", "agency_poc", "coordinator", "outsider", "dpo_a"):
        assert api(getattr(cast, who)).post(f"{base}/approve/").status_code == 404
    assert Decision.objects.get(pk=pending.pk).state == Decision.State.AWAITING_APPROVAL
    ok = api(cast.supervisor_a).post(f"{base}/approve/")
    assert ok.status_code == 200 and ok.json()["state"] == "in_force"
    assert Case.objects.get(pk=pending.case_id).trafficking_status == "ActualVictimOfTrafficking"
    again = api(cast.supervisor_a).post(f"{base}/reject/")
    assert again.status_code == 400 and "not waiting" in str(again.json())


def test_api_supervisor_rejects_a_pending_decision(cast, pending):
    url = f"/api/v1/cases/{pending.case_id}/decisions/{pending.pk}/reject/"
    response = api(cast.supervisor_a).post(url)
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    assert Case.objects.get(pk=pending.case_id).trafficking_status == ""
    assert AuditEvent.objects.filter(action="cases.decision.rejected").exists()
    missing = f"/api/v1/cases/{pending.case_id}/decisions/999999/approve/"
    assert api(cast.supervisor_a).post(missing).status_code == 404


def test_the_decider_cannot_review_their_own_decision(cast, pending):
    # The caseworker who decided has since become a supervisor.
    Membership.objects.filter(user=cast.caseworker_a, organisation=cast.org_a) \
        .update(role="supervisor")
    base = f"/api/v1/cases/{pending.case_id}/decisions/{pending.pk}"
    assert api(cast.caseworker_a).post(f"{base}/approve/").status_code == 403
    response = signed_in(cast.caseworker_a).post(
        reverse("cases:approve", args=[pending.case_id, pending.pk]), {"approve": "1"})
    assert response.status_code == 403
    assert Decision.objects.get(pk=pending.pk).state == Decision.State.AWAITING_APPROVAL
    review = reverse("cases:approve", args=[pending.case_id, pending.pk])
    own_page = signed_in(cast.caseworker_a).get(reverse("cases:detail", args=[pending.case_id]))
    assert review not in own_page.content.decode()
    other = signed_in(cast.supervisor_a).get(reverse("cases:detail", args=[pending.case_id]))
    assert review in other.content.decode()


def test_new_endpoints_are_in_the_schema(client):
    paths = set(yaml.safe_load(client.get(reverse("api-schema")).content)["paths"])
    for path in ("/api/v1/cases/{id}/decisions/{decision_id}/approve/",
                 "/api/v1/cases/{id}/decisions/{decision_id}/reject/",
                 "/api/v1/cases/{id}/person/",
                 "/api/v1/organisations/{org_pk}/case-settings/"):
        assert path in paths
