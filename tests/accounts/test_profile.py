import pytest
from django.urls import reverse

from bridgeway.protection.models import AuditEvent
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_own_settings_save_the_name_and_language_with_an_audit_event_without_the_name(cast):
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("accounts:settings"), {"full_name": "Ana Renamed",
                                                          "preferred_language": "ro"})
    assert response.status_code == 302
    cast.caseworker_a.refresh_from_db()
    assert cast.caseworker_a.full_name == "Ana Renamed"
    assert cast.caseworker_a.preferred_language == "ro"
    changed = AuditEvent.objects.get(action="accounts.user.profile_changed")
    assert changed.payload == {"fields": ["full_name"]}
    assert "Renamed" not in str(changed.payload)
    assert AuditEvent.objects.filter(action="accounts.user.language_changed").count() == 1


def test_saving_unchanged_settings_records_nothing(cast):
    user = cast.caseworker_a
    client = signed_in(user)
    client.post(reverse("accounts:settings"), {"full_name": user.full_name,
                                               "preferred_language": "en"})
    client.post(reverse("accounts:settings"), {"full_name": user.full_name,
                                               "preferred_language": "en"})
    assert not AuditEvent.objects.filter(action="accounts.user.profile_changed").exists()
    assert AuditEvent.objects.filter(action="accounts.user.language_changed").count() <= 1


def test_an_empty_name_is_refused_and_nothing_changes(cast):
    user = cast.caseworker_a
    before = user.full_name
    response = signed_in(user).post(reverse("accounts:settings"), {"full_name": "",
                                                                   "preferred_language": "ro"})
    assert response.status_code == 200 and response.context["form"].errors["full_name"]
    user.refresh_from_db()
    assert user.full_name == before and user.preferred_language == ""
