import pytest
import yaml
from django.urls import reverse
from rest_framework.test import APIClient

from bridgeway.accounts.models import ApiToken
from bridgeway.accounts.services import api_token_create
from bridgeway.orgs.models import Invitation, Membership, Organisation
from tests.conftest import api, signed_in

pytestmark = pytest.mark.django_db


def test_schema_is_served_and_describes_the_endpoints(client, db):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {"/api/v1/organisations/", "/api/v1/organisations/{id}/memberships/",
            "/api/v1/memberships/{id}/", "/api/v1/me/",
            "/api/v1/organisations/{org_pk}/audit-events/"} <= paths


def test_docs_page_is_served_by_the_app_itself(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html


def test_token_authentication_and_scoping(cast):
    client = api(cast.caseworker_a)
    me = client.get("/api/v1/me/").json()
    assert me["memberships"][0]["organisation"] == cast.org_a.pk
    names = {o["name"] for o in client.get("/api/v1/organisations/").json()["results"]}
    assert names == {"Org A", "Org B", "Police unit", "The Network"}
    assert client.get(f"/api/v1/organisations/{cast.hidden.pk}/").status_code == 404


def test_bad_tokens_are_refused(db, cast):
    client = APIClient()
    for value in ["Token nope", "Token bw_abc_def", "Token", "Token a b"]:
        client.credentials(HTTP_AUTHORIZATION=value)
        assert client.get("/api/v1/me/").status_code == 401
    token, secret = api_token_create(user=cast.caseworker_a, name="old")
    from django.utils import timezone

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/me/").status_code == 401


def test_only_the_digest_of_a_token_is_stored(cast):
    token, secret = api_token_create(user=cast.caseworker_a, name="x")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.digest, stored.prefix) and len(stored.digest) == 64


@pytest.mark.parametrize("who,status", [
    ("caseworker_a", 200), ("admin_a", 200), ("caseworker_b", 404), ("agency_poc", 404),
    ("coordinator", 404), ("outsider", 404),
])
def test_membership_list_is_for_own_members(cast, who, status):
    response = api(getattr(cast, who)).get(
        f"/api/v1/organisations/{cast.org_a.pk}/memberships/")
    assert response.status_code == status


def test_admin_patches_profile_and_bad_codes_name_the_field(cast):
    client = api(cast.admin_a)
    url = f"/api/v1/organisations/{cast.org_a.pk}/"
    response = client.patch(url, {"languages": ["ro", "xx"]}, format="json")
    assert response.status_code == 400
    assert "languages" in response.json() and "xx" in str(response.json())
    response = client.patch(url, {"country": "QQ"}, format="json")
    assert response.status_code == 400 and "country" in response.json()
    assert Organisation.objects.get(pk=cast.org_a.pk).country == "MD"
    response = client.patch(url, {"city": "Soroca", "services": [
        {"service": "shelter", "countries": ["MD"], "area": "north"}]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["services"][0]["service"] == "shelter"
    response = client.patch(url, {"city": "Orhei", "services": [
        {"service": "shelter", "countries": ["XX"]}]}, format="json")
    assert response.status_code == 400
    assert Organisation.objects.get(pk=cast.org_a.pk).city == "Soroca"  # nothing half-written


@pytest.mark.parametrize("who,status", [("caseworker_a", 403), ("admin_b", 403),
                                        ("outsider", 404)])
def test_others_cannot_patch_a_profile(cast, who, status):
    response = api(getattr(cast, who)).patch(
        f"/api/v1/organisations/{cast.org_a.pk}/", {"city": "X"}, format="json")
    assert response.status_code == status


def test_admin_invites_through_the_api_and_admin_of_b_cannot(cast, mailoutbox):
    url = f"/api/v1/organisations/{cast.org_a.pk}/invitations/"
    response = api(cast.admin_a).post(url, {"email": "api@example.org",
                                                     "role": "caseworker"}, format="json")
    assert response.status_code == 201
    assert "token" not in response.json()
    response = api(cast.admin_b).post(url, {"email": "b@example.org",
                                                     "role": "org_admin"}, format="json")
    assert response.status_code == 403
    response = api(cast.admin_a).post(url, {"email": "not-an-address",
                                                     "role": "caseworker"}, format="json")
    assert response.status_code == 400 and "email" in response.json()
    assert Invitation.objects.count() == 1 and len(mailoutbox) == 1


def test_membership_patch_is_for_the_organisations_admin(cast):
    m = Membership.objects.get(user=cast.caseworker_a, organisation=cast.org_a)
    url = f"/api/v1/memberships/{m.pk}/"
    assert api(cast.admin_b).patch(url, {"role": "org_admin"},
                                            format="json").status_code == 404
    assert api(cast.caseworker_a).patch(url, {"role": "org_admin"},
                                                 format="json").status_code == 404
    response = api(cast.admin_a).patch(url, {"role": "agency_poc"}, format="json")
    assert response.status_code == 400 and "role" in response.json()
    response = api(cast.admin_a).patch(url, {"role": "supervisor"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "supervisor"


@pytest.mark.parametrize("who,status", [("admin_a", 200), ("dpo_a", 200),
                                        ("caseworker_a", 403), ("admin_b", 404)])
def test_audit_events_api(cast, who, status):
    response = api(getattr(cast, who)).get(
        f"/api/v1/organisations/{cast.org_a.pk}/audit-events/?action=orgs.")
    assert response.status_code == status


def test_audit_events_filter_validation(cast):
    response = api(cast.admin_a).get(
        f"/api/v1/organisations/{cast.org_a.pk}/audit-events/?since=yesterday")
    assert response.status_code == 400 and "since" in response.json()


def test_session_writes_need_recent_reauthentication(cast):
    client = signed_in(cast.admin_a, reauthenticated=False)
    response = client.patch(f"/api/v1/organisations/{cast.org_a.pk}/",
                            data='{"city": "X"}', content_type="application/json")
    assert response.status_code == 403


def test_platform_admin_creates_organisations_through_the_api(cast):
    data = {"name": "IO Kyiv", "org_type": "InternationalOrganisation", "country": "UA"}
    assert api(cast.admin_a).post("/api/v1/organisations/", data,
                                           format="json").status_code == 403
    response = api(cast.platform_admin).post("/api/v1/organisations/", data,
                                                      format="json")
    assert response.status_code == 201
    response = api(cast.platform_admin).post(
        "/api/v1/organisations/", {**data, "name": "Other", "country": "Narnia"}, format="json")
    assert response.status_code == 400 and "country" in response.json()
