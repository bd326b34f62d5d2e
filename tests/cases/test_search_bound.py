"""Issue 19: the name search looks at the cases of a bounded number of matching people, and
says so when more match (nobody is left out silently)."""

from django.test import override_settings
from django.urls import reverse

from bridgeway.cases import services
from tests.conftest import signed_in


def _open(cast, first):
    return services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name=first,
                                                         second_name="Melnyk"))


def test_a_common_name_is_bounded_and_says_so(cast):
    opened = {_open(cast, name).pk for name in ("Ana", "Ion", "Olena")}
    _other = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                                person=services.PersonData(first_name="Ana",
                                                           second_name="Rusu"))
    client = signed_in(cast.supervisor_a)
    url = reverse("cases:list")
    with override_settings(BRIDGEWAY_NAME_SEARCH_LIMIT=2):
        bounded = client.post(url, {"q": "Melnic", "fuzzy": "on"})
    assert bounded.status_code == 200
    shown = {c.pk for c in bounded.context["page"].object_list}
    assert len(shown) == 2 and shown <= opened
    page = bounded.content.decode()
    assert "More than 2 people match this name" in page and "Melnyk" not in page.split(
        "More than")[1][:200]
    with override_settings(BRIDGEWAY_NAME_SEARCH_LIMIT=3):
        exact = client.post(url, {"q": "Melnic", "fuzzy": "on"})
    assert {c.pk for c in exact.context["page"].object_list} == opened
    assert "people match this name" not in exact.content.decode()
