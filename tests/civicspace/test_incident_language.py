"""Issue 18 item 9: an organisation's own words show which language they are in. An incident's
title and description carry the language they were written in (by default the reporter's
interface language); pages mark them with lang= (and dir="rtl" for Arabic), so a screen reader
reads Ukrainian as Ukrainian inside an English page, and Arabic keeps its direction."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from bridgeway.civicspace import services
from bridgeway.civicspace.models import Incident
from tests.civicspace.conftest import incident_data
from tests.civicspace.test_screens import _incident_body
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_pages_mark_the_title_and_description_with_their_language(cast, report):
    incident = report(title="Реєстрацію відмовлено", language="uk")
    page = signed_in(cast.caseworker_a).get(f"/civic-space/incidents/{incident.pk}/").content.decode()
    assert '<h1 lang="uk" dir="ltr">Реєстрацію відмовлено</h1>' in page
    listing = signed_in(cast.caseworker_a).get("/civic-space/").content.decode()
    assert 'lang="uk" dir="ltr">Реєстрацію відмовлено</a>' in listing


def test_arabic_text_keeps_its_direction_inside_a_left_to_right_page(cast, report):
    incident = report(title="رفض التسجيل", language="ar")
    page = signed_in(cast.caseworker_a).get(f"/civic-space/incidents/{incident.pk}/").content.decode()
    assert '<h1 lang="ar" dir="rtl">رفض التسجيل</h1>' in page


def test_unknown_language_shows_nothing_rather_than_a_guess(cast, report):
    incident = report()
    page = signed_in(cast.caseworker_a).get(f"/civic-space/incidents/{incident.pk}/").content.decode()
    assert f"<h1>{incident.title}</h1>" in page


def test_the_report_form_offers_the_interface_language_first(cast):
    client = signed_in(cast.caseworker_a)
    client.post("/i18n/language/", {"language": "ro", "next": "/"})
    page = client.get(f"/civic-space/report/?organisation={cast.org_a.pk}").content.decode()
    assert '<option value="ro" selected>' in page
    response = client.post("/civic-space/report/", _incident_body(cast, [], [], language="ro"))
    assert response.status_code == 302
    assert Incident.objects.get().language == "ro"


def test_a_language_that_is_not_offered_is_refused_naming_the_field(cast):
    before = Incident.objects.count()
    with pytest.raises(ValidationError) as err:
        services.incident_report(actor=cast.caseworker_a, reporting_org=cast.org_a,
                                 network=cast.network, data=incident_data(language="xx"))
    assert "Unknown language xx" in err.value.message_dict["language"][0]
    assert Incident.objects.count() == before
    response = signed_in(cast.caseworker_a).post(
        "/api/v1/civic-space/incidents/",
        {"title": "Raid", "started_on": "2026-03-05", "country": "MD", "actors": ["media"],
         "types": [incident_data().type_ids[0]], "description": "y", "language": "xx"},
        content_type="application/json")
    assert response.status_code == 400
    assert "language" in response.json()
    assert Incident.objects.count() == before


def test_the_api_takes_and_returns_the_language_and_a_patch_keeps_it(cast, report):
    client = signed_in(cast.caseworker_a)
    incident = report(language="fr")
    url = f"/api/v1/civic-space/incidents/{incident.pk}/"
    assert client.get(url).json()["language"] == "fr"
    response = client.patch(url, {"title": "Descente de police", "version": incident.version},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    assert Incident.objects.get(pk=incident.pk).language == "fr"


@pytest.mark.parametrize(("code", "expected"), [
    ("uk", ' lang="uk" dir="ltr"'), ("ar", ' lang="ar" dir="rtl"'), ("pt-BR", ' lang="pt-BR" dir="ltr"'),
    ("", ""), (None, ""), ('en" onclick="x', "")])
def test_lang_attr_filter(code, expected):
    with translation.override("en"):
        out = Template("{% load content_lang %}<p{{ code|lang_attr }}>").render(
            Context({"code": code}))
    assert out == f"<p{expected}>"
