"""One label registry and one set of date filters: a stored code reads as a word in the
reader's language, a date with the day before the month (or as the language writes it), a
deadline in the organisation's time zone with the zone named; forms take the local format."""

import datetime as dt
import zoneinfo

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone, translation

from bridgeway.core import dates
from bridgeway.core.labels import audit_sentence, label, labels, register_codes

BIRTH = dt.date(1998, 4, 12)


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


@pytest.mark.parametrize("code,kind,word", [
    ("law_enforcement", "civicspace.actor", "Law enforcement"),
    ("ThroughFamilyOrFamilyEvents", "cases.recruitment_method", None),
    ("AtWork", None, None),
    ("TransgenderNonConforming", "stats.gender", "Transgender or non-conforming"),
    ("LawEnforcement", "orgs.org_type", "Law enforcement"),
    ("MD", "country", "Moldova, Republic of"),
    ("ro", "language", "Romanian"),
    ("review_started", "civicspace.version_action", "Review started"),
    ("cases.case.opened", "audit", "Case opened"),
    ("caseworker", "orgs.role", "Caseworker"),
])
def test_every_kind_of_stored_code_reads_as_a_word(code, kind, word):
    shown = label(code, kind)
    assert shown and shown != code
    if word:
        assert shown == word


def test_words_follow_the_readers_language():
    with translation.override("uk"):
        assert label("MD", "country") not in ("MD", "Moldova, Republic of")
        assert label("ro", "language") not in ("ro", "Romanian")


def test_an_unknown_code_is_shown_as_it_is_and_empty_stays_empty():
    assert label("NoSuchThing", "cases.gender") == "NoSuchThing"
    assert label(None, "country") == "" and label("", "country") == ""
    assert label(True) == "yes" and label(False) == "no"
    assert labels(["MD", "RO"], "country") == ["Moldova, Republic of", "Romania"]


def test_an_app_registers_its_own_code_set():
    register_codes("tests.colour", {"dark_red": "Dark red"})
    assert render('{{ c|label:"tests.colour" }}', c="dark_red") == "Dark red"
    assert render('{{ cs|labels:"tests.colour" }}', cs=["dark_red", "dark_red"]) == \
        "Dark red, Dark red"


def test_a_translated_sentence_with_a_broken_placeholder_still_reads():
    from bridgeway.core.labels import _fill

    filled = _fill("%(who)s opened %(subject)s and %(nope)s", who="Ana <b>", subject="case C-1")
    assert "Ana &lt;b&gt; opened case C-1 and %(nope)s" == filled
    sentence = audit_sentence("tests.thing.done", "Thing done", "Ana", ("case C-1", "/c/1/"))
    assert sentence == 'Ana: Thing done, <a href="/c/1/">case C-1</a>'


@pytest.mark.parametrize("language,shown", [
    ("en", "12 Apr 1998"), ("uk", "12.04.1998"), ("ro", "12.04.1998"), ("fr", "12/04/1998"),
])
def test_a_birth_date_has_the_day_before_the_month(language, shown):
    with translation.override(language):
        assert render("{{ d|day }}", d=BIRTH) == shown
        assert dates.day(BIRTH) == shown


def test_times_are_in_the_organisations_zone_and_deadlines_name_the_zone():
    moment = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Europe/Chisinau")):
        assert render("{{ t|when }}", t=moment) == "7 Dec 2026, 17:00"
        assert render("{{ t|due }}", t=moment) == "7 Dec 2026, 17:00 EET"
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Asia/Dubai")):
        assert dates.due(moment) == "7 Dec 2026, 19:00 Asia/Dubai"  # no letters: the name
    with translation.override("en"), timezone.override(dt.UTC):
        assert dates.due(moment) == "7 Dec 2026, 15:00 UTC"


@pytest.mark.parametrize("language,typed", [
    ("en", "12/04/1998"), ("en", "12 Apr 1998"), ("en", "1998-04-12"), ("uk", "12.04.1998"),
    ("ro", "12.04.1998"), ("fr", "12/04/1998"),
])
def test_forms_accept_the_local_format(language, typed):
    class BirthForm(forms.Form):
        born = forms.DateField()

    with translation.override(language):
        form = BirthForm({"born": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["born"] == BIRTH


def test_a_date_picker_gets_an_iso_value_in_every_language():
    from bridgeway.protection.forms import AuditFilterForm

    with translation.override("uk"):
        html = str(AuditFilterForm(initial={"since": BIRTH}, orgs=[], actions=[], people=[])
                   ["since"])
    assert 'value="1998-04-12"' in html


def test_time_zone_names_are_checked_against_the_zone_database():
    assert dates.is_time_zone("Europe/Chisinau")
    assert not dates.is_time_zone("Mars/Olympus_Mons")
    assert not dates.is_time_zone("")
    assert not dates.is_time_zone(None)


def _all_form_classes():
    import importlib
    import pkgutil

    import bridgeway

    for module in pkgutil.walk_packages(bridgeway.__path__, "bridgeway."):
        if module.name.endswith(".forms") or ".views" in module.name:
            importlib.import_module(module.name)
    seen, stack = set(), [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return [c for c in seen if c.__module__.startswith("bridgeway.")]


def test_every_date_picker_of_every_form_shows_its_value_in_every_language():
    """A date input of type "date" shows only an ISO value: in Ukrainian, where dates are typed
    12.04.1998, a picker given that would show nothing."""
    checked = 0
    for cls in _all_form_classes():
        for name, field in getattr(cls, "base_fields", {}).items():
            widget = field.widget
            if getattr(widget, "input_type", "") != "date":
                continue
            with translation.override("uk"):
                assert widget.format_value(BIRTH) == "1998-04-12", f"{cls.__name__}.{name}"
            checked += 1
    assert checked >= 10
