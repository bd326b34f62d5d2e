"""The fast form renderer writes exactly what Django's templates write, for every form of the
project, unbound and bound with errors (whitespace between tags aside). Forms that need arguments
get them from ARGUMENTS; none is skipped."""

import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

import bridgeway
from bridgeway.accounts.models import User
from bridgeway.civicspace.models import RestrictionType
from bridgeway.core.form_renderer import FastFormRenderer
from bridgeway.orgs.models import Organisation


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


def _people(cast):
    return [cast.caseworker_a, cast.supervisor_a]


def _orgs(cast):
    return Organisation.objects.filter(pk__in=[cast.org_a.pk, cast.network.pk]).order_by("name")


# The forms whose constructor needs the choices a view gives them: each rendered with choices
# from the cast (two options where the form hides a single one), so nothing is skipped.
ARGUMENTS = {
    "bridgeway.civicspace.forms.IncidentForm": lambda cast: {
        "networks": [cast.network, cast.org_a],
        "types": list(RestrictionType.objects.filter(network__isnull=True)[:3])},
    "bridgeway.civicspace.forms.ParticipationForm": lambda cast: {"organisations": _orgs(cast)},
    "bridgeway.civicspace.forms.RestrictionTypeForm": lambda cast: {
        "networks": [cast.network, cast.org_a]},
    "bridgeway.orgs.forms.InvitationForm": lambda cast: {"org": cast.org_a},
    "bridgeway.orgs.forms.MechanismCreateForm": lambda cast: {"conveners": _orgs(cast)},
    "bridgeway.orgs.forms.MechanismMemberForm": lambda cast: {"candidates": _orgs(cast)},
    "bridgeway.orgs.forms.MeetingForm": lambda cast: {"members": _orgs(cast)},
    "bridgeway.orgs.forms.NetworkMemberForm": lambda cast: {"candidates": _orgs(cast)},
    "bridgeway.orgs.forms.PointOfContactForm": lambda cast: {
        "candidates": User.objects.filter(pk__in=[p.pk for p in _people(cast)])},
    "bridgeway.orgs.forms.RoleForm": lambda cast: {"org": cast.org_a},
    "bridgeway.outreach.forms.RecordForm": lambda cast: {"orgs": list(_orgs(cast))},
    "bridgeway.outreach.forms.ActivityForm": lambda cast: {"orgs": list(_orgs(cast))},
    "bridgeway.outreach.forms.AccessForm": lambda cast: {"orgs": list(_orgs(cast))},
    "bridgeway.outreach.forms.TrainingForm": lambda cast: {"orgs": list(_orgs(cast))},
    "bridgeway.outreach.forms.FacilityForm": lambda cast: {
        "orgs": list(_orgs(cast)), "networks": [cast.network]},
    "bridgeway.outreach.forms.IncidentForm": lambda cast: {"networks": [cast.network]},
    "bridgeway.surveys.forms.SurveyForm": lambda cast: {
        "networks": Organisation.objects.filter(pk=cast.network.pk)},
    "bridgeway.protection.forms.AccessLogFilterForm": lambda cast: {
        "orgs": _orgs(cast), "people": _people(cast)},
    "bridgeway.protection.forms.AuditFilterForm": lambda cast: {
        "orgs": _orgs(cast), "actions": [("cases.case.opened", "Case opened"),
                                         ("cases.note.added", "Note added")],
        "people": _people(cast)},
}


def _needs_arguments(cls) -> bool:
    try:
        cls(renderer=DjangoTemplates())
    except TypeError:
        return True
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(FORMS))
def test_same_html_as_django_templates(path, request):
    cls = FORMS[path]
    kwargs = ARGUMENTS[path](request.getfixturevalue("cast")) if path in ARGUMENTS else {}
    plain, fast = _render_both(lambda r: cls(renderer=r, **kwargs))
    assert fast == plain
    bound_plain, bound_fast = _render_both(lambda r: cls(data={}, renderer=r, **kwargs))
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


@pytest.mark.django_db
def test_every_form_that_needs_arguments_is_given_them():
    """A new form whose constructor needs arguments is listed in ARGUMENTS, not skipped."""
    assert {path for path, cls in FORMS.items() if _needs_arguments(cls)} == set(ARGUMENTS)
    assert len(FORMS) > 50
