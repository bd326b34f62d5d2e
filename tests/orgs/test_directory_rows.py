"""Issue 19 (session 28): the directory writes its table rows in Python (orgs.views._directory_rows)
instead of forty template lookups per row. Its HTML must stay what the template wrote: compared
here with the old row template on names and cities that need escaping, an unlisted organisation,
one without services, one without a city, in English and in Ukrainian."""

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from bridgeway.orgs.models import OrganisationService
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

# The rows as the template wrote them before (bridgeway/orgs/templates/orgs/directory.html).
OLD_ROWS = """{% load i18n orgs_tags %}<tbody>
  {% for org in orgs %}
  <tr>
    <td><a href="{% url 'orgs:detail' org.pk %}">{{ org.name }}</a>{% if not org.listed_in_directory %} <span class="tag">{% translate "unlisted" %}</span>{% endif %}</td>
    <td>{{ org.get_org_type_display }}</td>
    <td>{{ org.country|country_name }}{% if org.city %}, {{ org.city }}{% endif %}</td>
    <td>{% for s in org.services.all %}<span class="tag">{{ s.get_service_display }}</span>{% empty %}<span class="muted">—</span>{% endfor %}</td>
  </tr>
  {% endfor %}
  </tbody>"""


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_directory_rows_are_the_templates_rows(cast, lang):
    cast.org_a.name = 'Org A & "Friends" <Chișinău>'
    cast.org_a.city = "Bălți & <north>"
    cast.org_a.listed_in_directory = False  # its own caseworker still sees it, tagged
    cast.org_a.save()
    OrganisationService.objects.create(organisation=cast.org_a, service="shelter")
    OrganisationService.objects.create(organisation=cast.org_a, service="legal")
    cast.org_b.city = ""
    cast.org_b.save()
    cast.caseworker_a.preferred_language = lang
    cast.caseworker_a.save()

    response = signed_in(cast.caseworker_a).get(reverse("orgs:directory"))
    assert response.status_code == 200
    html = response.content.decode()
    orgs = list(response.context["page"].object_list)
    assert {cast.org_a, cast.org_b} <= set(orgs)
    with translation.override(lang):
        expected = engines["django"].from_string(OLD_ROWS).render({"orgs": orgs})
    assert expected in html
    assert "Org A &amp; &quot;Friends&quot; &lt;Chișinău&gt;" in html
    assert '<span class="muted">—</span>' in html  # an organisation without services
