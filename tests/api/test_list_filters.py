"""Every API list refuses a filter value it cannot use, and a parameter it does not have, with a
400 naming the parameter (never a full list that silently ignored the filter); the list pages
say so instead of showing everything."""

import pytest
from django.urls import reverse

from bridgeway.cases import services as cases
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def _urls(cast):
    return {
        "cases": "/api/v1/cases/",
        "referrals": "/api/v1/referrals/",
        "organisations": "/api/v1/organisations/",
        "task-forces": "/api/v1/task-forces/",
        "incidents": "/api/v1/civic-space/incidents/",
        "assessments": "/api/v1/civic-space/assessments/",
        "audit": f"/api/v1/organisations/{cast.org_a.pk}/audit-events/",
        "access": f"/api/v1/organisations/{cast.org_a.pk}/access-log/",
    }


BAD = [
    ("cases", "caseworker_a", "status", "sideways"),
    ("cases", "caseworker_a", "opened_from", "yesterday"),
    ("referrals", "caseworker_a", "direction", "sideways"),
    ("referrals", "caseworker_a", "status", "lost"),
    ("organisations", "caseworker_a", "org_type", "Pirates"),
    ("organisations", "caseworker_a", "country", "XX"),
    ("organisations", "caseworker_a", "service", "teleportation"),
    ("task-forces", "caseworker_a", "level", "galactic"),
    ("incidents", "caseworker_a", "status", "nonsense"),
    ("incidents", "caseworker_a", "country", "Atlantis"),
    ("assessments", "caseworker_a", "country", "Atlantis"),
    ("audit", "admin_a", "since", "last-week"),
    ("audit", "admin_a", "actor", "someone"),
    ("access", "dpo_a", "user", "someone"),
    ("access", "dpo_a", "flagged", "perhaps"),
]


@pytest.mark.parametrize("name,who,param,value", BAD)
def test_unknown_filter_value_is_a_400_naming_the_parameter(cast, name, who, param, value):
    response = signed_in(getattr(cast, who)).get(_urls(cast)[name], {param: value})
    assert response.status_code == 400, (name, response.content[:300])
    assert list(response.json()) == [param]


@pytest.mark.parametrize("name,who", sorted({(n, w) for n, w, _p, _v in BAD}))
def test_unknown_parameter_is_a_400_naming_it_and_known_ones_still_work(cast, name, who):
    client = signed_in(getattr(cast, who))
    response = client.get(_urls(cast)[name], {"directon": "incoming"})
    assert response.status_code == 400 and list(response.json()) == ["directon"]
    assert client.get(_urls(cast)[name], {"page": 1}).status_code == 200
    # An empty value means no filter, as a form sends it.
    assert client.get(_urls(cast)[name] + "?status=&country=").status_code == 200


def test_referral_direction_garbage_no_longer_lists_everything(cast):
    cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                    person=cases.PersonData(first_name="Ana"))
    client = signed_in(cast.caseworker_a)
    assert client.get("/api/v1/referrals/", {"direction": "outgoing"}).status_code == 200
    response = client.get("/api/v1/referrals/", {"direction": "<script>"})
    assert response.status_code == 400 and "direction" in response.json()
    assert "results" not in response.json()


# --- list pages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url_name,who,params,shown", [
    ("cases:list", "caseworker_a", {"status": "sideways"}, "C-"),
    ("orgs:directory", "caseworker_a", {"org_type": "Pirates"}, "Org B"),
    ("orgs:mechanisms", "caseworker_a", {"level": "galactic"}, None),
    ("civicspace:list", "caseworker_a", {"status": "nonsense"}, None),
    ("protection:audit_log", "admin_a", {"since": "last-week"}, None),
    ("protection:access_log", "dpo_a", {"user": "someone"}, None),
])
def test_list_page_says_the_filter_is_unknown_and_lists_nothing(cast, url_name, who, params,
                                                                 shown):
    case = cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                           person=cases.PersonData(first_name="Ana"))
    client = signed_in(getattr(cast, who))
    url = reverse(url_name)
    if shown == "C-":
        shown = case.reference
        assert shown in client.get(url).content.decode()
    elif shown:
        assert shown in client.get(url).content.decode()
    response = client.get(url, params)
    body = response.content.decode()
    assert response.status_code == 400
    assert "values this list does not know" in body
    if shown:
        assert shown not in body


def test_incident_exports_refuse_an_unknown_filter_value(cast, client):
    response = signed_in(cast.caseworker_a).get(
        reverse("civicspace:export", args=["csv"]), {"family": "nonsense"})
    assert response.status_code == 400 and "family" in response.content.decode()
    public = client.get(reverse("civicspace_public:export", args=["csv"]), {"actor": "aliens"})
    assert public.status_code == 400 and "actor" in public.content.decode()


@pytest.mark.parametrize("url,who", [
    ("/api/v1/notifications/", "caseworker_a"),
    ("/api/v1/tasks/", "caseworker_a"),
    ("/api/v1/indicator-sets/", "caseworker_a"),
    ("/api/v1/civic-space/restriction-types/", "caseworker_a"),
    ("/api/v1/civic-space/consultations/", "caseworker_a"),
    ("erasure", "dpo_a"),
])
def test_a_list_without_filters_refuses_a_parameter_instead_of_ignoring_it(cast, url, who):
    if url == "erasure":
        url = f"/api/v1/organisations/{cast.org_a.pk}/erasure-requests/"
    client = signed_in(getattr(cast, who))
    response = client.get(url, {"unread": "1"})
    assert response.status_code == 400 and list(response.json()) == ["unread"]
    assert client.get(url, {"page": "1"}).status_code == 200
