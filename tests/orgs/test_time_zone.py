"""An organisation's time zone: its members' pages show times in it, with the zone on every
deadline; a zone that does not exist is refused with a message naming the field, and nothing
is saved."""

import datetime as dt

import pytest
from django.urls import reverse

from bridgeway.orgs import services
from bridgeway.orgs.models import Organisation
from tests.conftest import api, signed_in

pytestmark = pytest.mark.django_db


def _edit(client, org, **changes):
    data = {"name": org.name, "org_type": org.org_type, "country": org.country,
            "languages": org.languages, "time_zone": org.time_zone}
    data.update(changes)
    return client.post(reverse("orgs:edit", args=[org.pk]), data)


def test_an_administrator_sets_the_time_zone(cast):
    response = _edit(signed_in(cast.admin_a), cast.org_a, time_zone="Europe/Chisinau")
    assert response.status_code == 302
    cast.org_a.refresh_from_db()
    assert cast.org_a.time_zone == "Europe/Chisinau"


def test_a_zone_that_does_not_exist_is_refused_naming_the_field(cast):
    response = _edit(signed_in(cast.admin_a), cast.org_a, time_zone="Mars/Olympus_Mons")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "time_zone" in errors and "Time zone" in errors["time_zone"][0]
    assert Organisation.objects.get(pk=cast.org_a.pk).time_zone == ""


def test_the_service_and_the_api_refuse_it_too(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.organisation_update(org=cast.org_a, actor=cast.admin_a,
                                     data={"time_zone": "Europe/Atlantis"})
    assert "Europe/Atlantis" in refused.value.message_dict["time_zone"][0]
    response = api(cast.admin_a).patch(f"/api/v1/organisations/{cast.org_a.pk}/",
                                       {"time_zone": "Nowhere/Else"}, format="json")
    assert response.status_code == 400 and "time_zone" in response.json()
    assert Organisation.objects.get(pk=cast.org_a.pk).time_zone == ""


def test_only_an_administrator_sets_it(cast):
    # A member who is not its administrator, and another organisation's, are refused (the
    # organisation is listed in the directory, so its existence is no secret).
    assert _edit(signed_in(cast.caseworker_a), cast.org_a,
                 time_zone="Europe/Chisinau").status_code == 403
    assert _edit(signed_in(cast.admin_b), cast.org_a,
                 time_zone="Europe/Chisinau").status_code == 403
    assert Organisation.objects.get(pk=cast.org_a.pk).time_zone == ""


def test_a_referral_deadline_is_shown_in_the_organisations_zone_with_the_zone(cast):
    from bridgeway.cases import services as cases
    from bridgeway.orgs.models import OrganisationService
    from tests.referrals.conftest import give_consent, send

    OrganisationService.objects.create(organisation=cast.police, service="identification")
    case = cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                           person=cases.PersonData(first_name="Ana", second_name="Rusu"))
    give_consent(case, cast.caseworker_a)
    Organisation.objects.filter(pk=cast.org_a.pk).update(time_zone="Europe/Chisinau")
    referral = send(cast, case)
    deadline = dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC)
    type(referral).objects.filter(pk=referral.pk).update(deadline=deadline)
    page = signed_in(cast.caseworker_a).get(reverse("referrals:detail", args=[referral.pk]))
    assert "9 Dec 2026, 17:00 EET" in page.content.decode()
    # The police unit has no zone set: the platform's (UTC), named as such.
    page = signed_in(cast.agency_poc).get(reverse("referrals:detail", args=[referral.pk]))
    assert "9 Dec 2026, 15:00 UTC" in page.content.decode()
