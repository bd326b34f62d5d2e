"""StaticSelect writes what Django's select template writes, from its kept options."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from bridgeway.core.forms import StaticSelect, StaticSelectMultiple
from bridgeway.orgs.codes import country_choices
from bridgeway.orgs.forms import DirectoryFilterForm


def _normalise(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


CHOICES = [("", "Any"), ("MD", "Moldova"), ("UA", "Ukraine"), ("x<&\"", "Odd <b>&\" label")]


@pytest.mark.parametrize("value", [None, "", "MD", "x<&\"", "unknown"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_c", "required": True, "aria-invalid": "true"},
                                   {"disabled": False, "class": "a \"b\""}])
def test_same_html_as_djangos_select(value, attrs):
    plain = forms.Select(choices=CHOICES).render("country", value, attrs,
                                                 renderer=DjangoTemplates())
    static = StaticSelect(choices=CHOICES).render("country", value, attrs)
    assert _normalise(static) == _normalise(plain)


@pytest.mark.parametrize("value", [None, [], ["MD"], ["MD", "UA"], ["nope"]])
def test_same_html_as_djangos_select_multiple(value):
    plain = forms.SelectMultiple(choices=CHOICES).render("langs", value, {"id": "l"},
                                                         renderer=DjangoTemplates())
    static = StaticSelectMultiple(choices=CHOICES).render("langs", value, {"id": "l"})
    assert _normalise(static) == _normalise(plain)


def test_options_follow_the_language_and_the_choices():
    with translation.override("fr"):
        french = StaticSelect(choices=country_choices()).render("c", "DE")
    english = StaticSelect(choices=country_choices()).render("c", "DE")
    assert "Allemagne</option>" in french and "Germany</option>" in english
    assert '<option value="DE" selected>' in french and english.count(" selected") == 1
    assert "Ukraine" not in StaticSelect(choices=CHOICES[:3]).render("c", None).replace(
        "Ukraine", "") and "UA" in StaticSelect(choices=CHOICES[:3]).render("c", None)


def test_the_directory_filter_keeps_its_choices_and_validation():
    form = DirectoryFilterForm({"country": "MD", "language": "ro", "serves": "ZZ"})
    assert not form.is_valid() and list(form.errors) == ["serves"]
    html = str(form["country"])
    assert '<option value="MD" selected>' in html and html.count("<option") == 250


def test_the_directory_filter_speaks_the_active_language():
    with translation.override("fr"):
        french = str(DirectoryFilterForm({"serves": "DE"})["serves"])
    english = str(DirectoryFilterForm()["serves"])
    assert '<option value="DE" selected>Allemagne</option>' in french
    assert '<option value="DE">Germany</option>' in english and " selected" in english  # "Any"
