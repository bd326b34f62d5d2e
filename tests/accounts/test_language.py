import pytest
from django.urls import reverse

from tests.conftest import signed_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_language_choice_is_saved_for_the_user_and_follows_them(cast):
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("set_language"), {"language": "uk", "next": "/orgs/"})
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    cast.caseworker_a.refresh_from_db()
    assert cast.caseworker_a.preferred_language == "uk"
    # A new session on another device, with no cookie and an English browser:
    other = signed_in(cast.caseworker_a)
    page = other.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="uk">' in page.content.decode()
    assert "Довідник" in page.content.decode()


@pytest.mark.parametrize("lang,word", [("ro", "Deconectați-vă"), ("fr", "Se déconnecter"),
                                       ("uk", "Вийти")])
def test_shell_is_translated(cast, lang, word):
    client = signed_in(cast.caseworker_a)
    client.post(reverse("set_language"), {"language": lang})
    assert word in client.get(reverse("home")).content.decode()


def test_unknown_language_is_refused(cast):
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("set_language"), {"language": "xx"})
    assert response.status_code == 400
    cast.caseworker_a.refresh_from_db()
    assert cast.caseworker_a.preferred_language == ""


def test_next_cannot_send_people_elsewhere(cast):
    client = signed_in(cast.caseworker_a)
    response = client.post(reverse("set_language"),
                           {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_anonymous_visitors_switch_by_cookie(client, db):
    client.post(reverse("set_language"), {"language": "ro"})
    page = client.get(reverse("account_login"))
    assert '<html lang="ro">' in page.content.decode()


def test_country_names_follow_the_language(cast):
    user = MembershipFactory(organisation=cast.org_a, role="researcher").user
    client = signed_in(user)
    client.post(reverse("set_language"), {"language": "fr"})
    page = client.get(reverse("orgs:detail", args=[cast.org_b.pk])).content.decode()
    assert "Roumanie" in page
