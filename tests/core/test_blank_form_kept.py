"""Issue 19 (session 28): blank forms written once per language (core.forms.BlankFormKept) read
exactly as Django writes them, in each language, and a form sent back with errors, or given
initial values, is written afresh (its errors and values shown)."""

import pytest
from django import forms
from django.utils import translation

from bridgeway.cases.forms import FormalDecisionForm, NoteForm, ServiceForm
from bridgeway.core.forms import BlankFormKept
from bridgeway.referrals.forms import DeclineForm

KEPT = [NoteForm, ServiceForm, FormalDecisionForm, DeclineForm]


def written_by_django(form) -> str:
    return forms.Form.render(form)


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("form_class", KEPT, ids=lambda c: c.__name__)
def test_blank_form_is_what_django_writes(form_class, lang):
    with translation.override(lang):
        first, again = str(form_class()), str(form_class())
        assert first == again == written_by_django(form_class())
    with translation.override("en" if lang == "uk" else "uk"):
        assert str(form_class()) != first  # another language, other words


def test_bound_form_shows_its_errors_and_values():
    with translation.override("en"):
        str(ServiceForm())  # the blank one kept
        sent = ServiceForm({"service": "shelter", "provider_other": "Casa <Speranța>"})
        assert not sent.is_valid()
        html = str(sent)
        assert "This field is required." in html and "Casa &lt;Speranța&gt;" in html
        assert html == written_by_django(sent)
        given = ServiceForm(initial={"provider_other": "Casa Speranța"})
        assert 'value="Casa Speranța"' in str(given)
        assert 'value="Casa Speranța"' not in str(ServiceForm())


def test_kept_forms_are_marked():
    assert all(issubclass(c, BlankFormKept) for c in KEPT)
