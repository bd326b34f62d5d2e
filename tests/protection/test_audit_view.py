import pytest
from django.urls import reverse

from bridgeway.protection.models import AuditEvent
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_dpo_filters_the_organisations_events(cast):
    admin = signed_in(cast.admin_a)
    admin.post(reverse("orgs:invite", args=[cast.org_a.pk]),
               {"email": "n@example.org", "role": "caseworker"})
    client = signed_in(cast.dpo_a)
    url = reverse("protection:audit_log")
    page = client.get(url, {"organisation": cast.org_a.pk, "action": "orgs.invitation.created"})
    assert [r["event"].action for r in page.context["rows"]] == ["orgs.invitation.created"]
    assert page.context["rows"][0]["event"].actor == cast.admin_a
    assert "n@example.org" not in page.content.decode()  # payloads hold no addresses
    by_actor = client.get(url, {"organisation": cast.org_a.pk, "actor": cast.dpo_a.pk})
    assert all(r["event"].actor_id == cast.dpo_a.pk for r in by_actor.context["rows"])


def test_htmx_filter_returns_only_the_table(cast):
    client = signed_in(cast.dpo_a)
    response = client.get(reverse("protection:audit_log"), {"organisation": cast.org_a.pk},
                          HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "<table" in response.content.decode() or "No events match" in response.content.decode()


def test_bad_date_range_is_named(cast):
    client = signed_in(cast.dpo_a)
    page = client.get(reverse("protection:audit_log"), {
        "organisation": cast.org_a.pk, "since": "2026-05-01", "until": "2026-04-01"})
    assert page.context["form"].errors["until"]


def test_events_of_other_organisations_never_appear(cast):
    signed_in(cast.admin_b).post(reverse("orgs:invite", args=[cast.org_b.pk]),
                                 {"email": "b@example.org", "role": "caseworker"})
    page = signed_in(cast.dpo_a).get(reverse("protection:audit_log"))
    assert all(r["event"].organisation_id == cast.org_a.pk for r in page.context["rows"])
    assert AuditEvent.objects.filter(organisation=cast.org_b).exists()
