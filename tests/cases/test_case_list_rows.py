"""Issue 19 (session 29): the case list writes its table rows in Python
(cases.views._case_list_html) instead of a dozen template nodes per row. Its HTML must stay what
the template wrote: compared here with the old row template on a name that needs escaping, a
child, an anonymous first contact, an erased person, a case without caseworkers and one with
two, in English and in Ukrainian."""

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from bridgeway.cases import services
from bridgeway.protection.services import subject_erase
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

# The rows as the template wrote them before (bridgeway/cases/templates/cases/list.html).
OLD_ROWS = """{% load i18n %}<tbody>{% for c in rows %}
  <tr><td><a href="{{ c.url }}">{{ c.reference }}</a>{% if c.is_child %} <span class="tag">{% translate "child" %}</span>{% endif %}</td>
    <td>{% if c.anonymous %}<span class="muted">{% translate "anonymous" %}</span>{% elif c.erased %}<span class="muted">{% translate "erased" %}</span>{% else %}{{ c.name }}{% endif %}</td>
    <td><span class="tag status-{{ c.status_code }}">{{ c.status }}</span></td><td>{{ c.opened_on|day }}</td>
    <td>{{ c.assignees|default:"—" }}</td></tr>
  {% endfor %}</tbody>"""  # noqa: E501


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_case_list_rows_are_the_templates_rows(cast, case, lang):
    services.case_assign(case=case, actor=cast.supervisor_a,
                         users=[cast.caseworker_a, cast.supervisor_a])
    services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                       person=services.PersonData(first_name='Ana & "Ion"',
                                                  second_name="<b>Rusu</b>"))
    services.first_contact_open(org=cast.org_a, actor=cast.caseworker_a, channel="phone")
    gone = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Vasile", second_name="Lungu"))
    subject_erase(subject=gone.subject, actor=cast.dpo_a)
    gone.assignees.clear()
    cast.supervisor_a.preferred_language = lang
    cast.supervisor_a.save()

    response = signed_in(cast.supervisor_a).get(reverse("cases:list"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = response.context["rows"]
    assert len(rows) == 4 and any(r["anonymous"] for r in rows) and any(r["erased"] for r in rows)
    with translation.override(lang):
        expected = engines["django"].from_string(OLD_ROWS).render({"rows": rows})
    assert expected in html
    assert "Ana &amp; &quot;Ion&quot; &lt;b&gt;Rusu&lt;/b&gt;" in html
    assert "<td>—</td>" in html  # a case without caseworkers
    assert "Vasile" not in html


def test_a_child_is_tagged(cast, case):
    case.is_child = True
    case.save(update_fields=["is_child"])
    html = signed_in(cast.supervisor_a).get(reverse("cases:list")).content.decode()
    assert f'{case.reference}</a> <span class="tag">child</span>' in html
