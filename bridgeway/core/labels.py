"""Words, not codes: the one place that turns a stored code into the label a person reads, in
their language.

`core` imports no app, so every app registers its code sets here from its `hooks.py` (see
docs/architecture.md, "Registries"):

- `register_codes(kind, source)`: a named code set. `source` is a `TextChoices` class, a dict
  {code: label} (lazy translations), or a function `code -> label | None` (countries and
  languages come from pycountry that way). `label(code, kind)` reads one; in a template
  `{{ value|label:"kind" }}` and `{{ values|labels:"kind" }}` (comma-separated words).
- `register_objects(model_label, describe)`: how an object named by the audit log
  ("referrals.referral" + id) reads and where it leads. `describe(ids) -> {id: (text, url)}`
  answers a whole page at once (one query per kind of object, not one per row).
- `register_details(keys, action=None)`: audit payload keys -> (label, kind), kind being a code
  set name, "bool", "plain", or an object model label ("accounts.user") resolved as above.
  Keys nobody registered are left out of what a person reads, never shown raw.
- `register_sentences(codes)`: an audit code -> a sentence with `%(who)s` and `%(subject)s`
  ("%(who)s accepted referral %(subject)s"). A code without one reads "who: label, subject".
- `register_views(views)`: a route name -> the sentence the access log shows for a read made
  by that screen ("%(who)s opened the case list"); an unregistered screen reads generically.

An unknown code is returned as it is (an honest code beats a wrong word), and the raw-code test
(tests/core/test_words_everywhere.py, and every page a browser test lands on; the
pattern is tests/rawcodes.py) fails on any page that shows one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

Source = Any  # a TextChoices class, a mapping {code: label} or a function code -> label | None
Describe = Callable[[list[str]], Mapping[str, tuple[str, str]]]

_sets: dict[str, Source] = {}
_objects: dict[str, Describe] = {}
_details: dict[tuple[str | None, str], tuple[Any, str]] = {}
_sentences: dict[str, Any] = {}
_views: dict[str, Any] = {}


def register_codes(kind: str, source: Source) -> Source:
    """Registers (or replaces: an app reloaded in a test) the code set `kind`."""
    _sets[kind] = source
    return source


def register_objects(model_label: str, describe: Describe) -> Describe:
    _objects[model_label] = describe
    return describe


def register_details(keys: Mapping[str, tuple[Any, str]], *, action: str | None = None) -> None:
    for key, spec in keys.items():
        _details[(action, key)] = spec


def register_sentences(codes: Mapping[str, Any]) -> Mapping[str, Any]:
    _sentences.update(codes)
    return codes


def register_views(views: Mapping[str, Any]) -> Mapping[str, Any]:
    _views.update(views)
    return views


def code_sets() -> list[str]:
    return sorted(_sets)


def _lookup(source: Source, code: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(code)
    members = getattr(source, "_value2member_map_", None)
    if members is not None:  # a Choices enum: its member by value, without raising
        member = members.get(code)
        if member is None and code.lstrip("-").isdigit():
            member = members.get(int(code))  # IntegerChoices
        return getattr(member, "label", None)
    if callable(source):
        return source(code)
    return None


def label(code: Any, kind: str | None = None) -> str:
    """The translated label of `code` in the set `kind`; without `kind`, the first set that
    knows it. None and "" read as ""; an unknown code as it is; a boolean as yes / no."""
    if code is None or code == "":
        return ""
    if isinstance(code, bool):
        return _("yes") if code else _("no")
    if isinstance(code, list | tuple):
        return ", ".join(label(c, kind) for c in code)
    text = str(code)
    sources = [_sets[kind]] if kind in _sets else ([] if kind else list(_sets.values()))
    for source in sources:
        found = _lookup(source, text)
        if found not in (None, ""):
            return str(found)
    return text


def labels(codes: Iterable[Any] | None, kind: str | None = None) -> list[str]:
    return [label(c, kind) for c in (codes or [])]


def known(code: Any, kind: str) -> bool:
    source = _sets.get(kind)
    return source is not None and _lookup(source, str(code)) not in (None, "")


# --- objects and audit payloads ------------------------------------------------------------

def describe_objects(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(model label, id): (text, url)} for the objects named, one call per kind of object. An
    object of an unregistered kind, or one gone meanwhile, is left out (the caller words it)."""
    wanted: dict[str, set[str]] = {}
    for model_label, pk in pairs:
        if model_label and pk:
            wanted.setdefault(model_label, set()).add(str(pk))
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for model_label, ids in wanted.items():
        describe = _objects.get(model_label)
        if describe is None:
            continue
        for pk, shown in describe(sorted(ids)).items():
            found[(model_label, str(pk))] = shown
    return found


def detail_spec(action: str, key: str) -> tuple[Any, str] | None:
    return _details.get((action, key)) or _details.get((None, key))


def details(action: str, payload: Mapping[str, Any] | None,
            objects: Mapping[tuple[str, str], tuple[str, str]]) -> list[tuple[str, str]]:
    """An audit payload as (label, words) pairs; keys nobody labelled are left out."""
    rows = []
    for key, value in (payload or {}).items():
        spec = detail_spec(action, key)
        if spec is None or value is None or value == "" or value == []:
            continue
        name, kind = spec
        values = value if isinstance(value, list) else [value]
        if kind == "plain":
            shown = ", ".join(str(v) for v in values)
        elif kind == "bool":
            shown = _("yes") if value else _("no")
        elif kind in _objects:
            shown = ", ".join(objects.get((kind, str(v)), (_("(removed)"), ""))[0] for v in values)
        else:
            shown = ", ".join(labels(values, kind))
        rows.append((str(name), shown))
    return rows


def payload_objects(action: str, payload: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The objects a payload names by id (users, organisations), to describe in one batch."""
    pairs = []
    for key, value in (payload or {}).items():
        spec = detail_spec(action, key)
        if spec and spec[1] in _objects:
            pairs += [(spec[1], str(v)) for v in (value if isinstance(value, list) else [value])
                      if v not in (None, "")]
    return pairs


def audit_sentence(action: str, action_label: str, who: str,
                   subject: tuple[str, str] | list[tuple[str, str]] | None) -> SafeString:
    """One audit event (or a group of events: one action on many subjects at once) as a
    sentence, each subject linked where it has a page. A sentence that names its subject is
    used only when there is one; otherwise the event reads "who: label"."""
    if isinstance(subject, list):
        subject = subject or None
    link = _subjects_html(subject) if isinstance(subject, list) else _subject_html(subject)
    sentence = _sentences.get(action)
    if sentence is not None and (subject is not None or "%(subject)s" not in str(sentence)):
        return _fill(str(sentence), who=who, subject=link)
    if subject is None:
        return format_html(_("{who}: {action}"), who=who, action=action_label)
    return format_html(_("{who}: {action}, {subject}"), who=who, action=action_label, subject=link)


def view_sentence(view_name: str, via: str, who: str) -> str:
    """A read recorded in the access log, as a sentence ("Maria Ionescu opened a case")."""
    sentence = _views.get(view_name)
    if sentence is None:
        if via == "api":
            sentence = _("%(who)s read personal data through the API")
        elif via in ("export", "download"):
            sentence = _("%(who)s downloaded personal data")
        else:
            sentence = _("%(who)s opened a page showing personal data")
    return _PLACEHOLDER.sub(lambda m: who if m.group(1) == "who" else "", str(sentence))


def view_known(view_name: str) -> bool:
    return view_name in _views


def view_names() -> dict[str, Any]:
    return dict(_views)


MANY_SHOWN = 20  # subjects named in one grouped sentence; the rest are counted


def _subjects_html(subjects: list[tuple[str, str]]) -> SafeString:
    from django.utils.html import format_html_join
    from django.utils.translation import ngettext

    shown = format_html_join(", ", "{}", ((_subject_html(s),) for s in subjects[:MANY_SHOWN]))
    more = len(subjects) - MANY_SHOWN
    if more > 0:
        return format_html("{} {}", shown, ngettext("and %(n)d more", "and %(n)d more", more)
                           % {"n": more})
    return shown


def sentence_registered(action: str) -> bool:
    return action in _sentences


def _subject_html(subject: tuple[str, str] | None) -> SafeString:
    if subject is None:
        return format_html("{}", "")
    text, url = subject
    return format_html('<a href="{}">{}</a>', url, text) if url else format_html("{}", text)


_PLACEHOLDER = re.compile(r"%\((who|subject)\)s")


def _fill(sentence: str, **parts: Any) -> SafeString:
    """Fills a translated sentence's placeholders with escaped parts (the sentence itself is the
    project's own text); a translation with a broken placeholder falls back to the parts."""
    pieces = _PLACEHOLDER.split(sentence)
    out = [format_html("{}", pieces[0])]
    for i in range(1, len(pieces), 2):
        out.append(format_html("{}", parts[pieces[i]]))
        out.append(format_html("{}", pieces[i + 1]))
    return SafeString("".join(out))


# --- field names (an audit event's "fields changed") ------------------------------------------

def _field_names() -> dict[str, Any]:
    """Every model field's name -> its verbose name, read from Django's app registry (not by
    importing an app): the first model that has the name wins; names that are codes of several
    models mean the same thing there (country, status, title...)."""
    from django.apps import apps

    names: dict[str, Any] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            verbose = getattr(field, "verbose_name", None)
            if verbose and field.name not in names:
                names[field.name] = verbose
    return names


_FIELDS: dict[str, Any] = {}


def field_label(name: str) -> str | None:
    from django.utils.text import capfirst

    if not _FIELDS:
        _FIELDS.update(_field_names())
    verbose = _FIELDS.get(name)
    return str(capfirst(verbose)) if verbose is not None else None


register_codes("field", field_label)


# --- references people type (C-2026-0012, R-…, P-…) ---------------------------------------------

FindReference = Callable[[str], list[tuple[str, str]]]
_references: list[FindReference] = []


def register_references(find: FindReference) -> FindReference:
    """`find(text) -> [(model label, id), ...]`: the objects a reference typed by a person names
    (a case's reference names the case and its person). Used by the audit and access logs'
    "subject" filter."""
    if find not in _references:
        _references.append(find)
    return find


def find_references(text: str) -> list[tuple[str, str]]:
    text = (text or "").strip()
    if not text or len(text) > 40:
        return []
    found: list[tuple[str, str]] = []
    for find in _references:
        found += [(label_, str(pk)) for label_, pk in find(text)]
    return found
