"""Indicator sets in the reader's language. Translations are data of the set, not of the
interface catalogues: a set carries them under "translations" ({language: {"label",
"provenance", "dimensions": {dimension id: label}, "indicators": {indicator id: text}}}), so an
imported national set brings its own. What a language lacks is shown in English and flagged, so
a caseworker knows the wording was not translated rather than meeting silent English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bridgeway.cases.identification import dimension_label, strength_label

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_TEXT_KEYS = ("label", "provenance")
_MAP_KEYS = ("dimensions", "indicators")


def language_of(lang: str | None = None) -> str:
    return (lang or get_language() or "en").lower()


def translations_for(data: dict, lang: str) -> tuple[dict, bool]:
    """The set's translations into `lang` (or its base language: "pt" for "pt-br") and whether
    the set has that language at all. English is the set's own text."""
    all_langs = data.get("translations") or {}
    if not isinstance(all_langs, dict):
        return {}, False
    for code in (lang, lang.split("-")[0]):
        if isinstance(all_langs.get(code), dict):
            return all_langs[code], True
    return {}, False


@dataclass
class ShownText:
    text: str
    fallback: bool = False  # shown in English because the language has no translation of it


@dataclass
class LocalisedSet:
    language: str
    label: ShownText
    provenance: ShownText
    dimensions: list[dict] = field(default_factory=list)
    has_language: bool = True  # False: the set has no translation into this language at all
    missing: int = 0  # how many labels fell back to English

    @property
    def flagged(self) -> bool:
        return self.language != "en" and (not self.has_language or self.missing > 0)

    def texts(self) -> dict[str, str]:
        """Indicator id → shown text."""
        return {i["id"]: i["text"] for d in self.dimensions for i in d["indicators"]}

    def dimension_labels(self) -> dict[str, str]:
        return {d["id"]: d["label"] for d in self.dimensions}


def localise(data: dict, *, label: str = "", provenance: str = "",
             lang: str | None = None) -> LocalisedSet:
    """The set's label, provenance, dimensions and indicators in `lang` (default: the active
    language), each with a flag where English stands in for a missing translation."""
    lang = language_of(lang)
    english = lang == "en" or lang.startswith("en-")
    tr, has = ({}, True) if english else translations_for(data, lang)
    counter = {"missing": 0}

    def shown(value, english_text: str, *, counted: bool = True) -> ShownText:
        if english or not english_text:
            return ShownText(english_text)
        if isinstance(value, str) and value.strip():
            return ShownText(value)
        if counted:
            counter["missing"] += 1
        return ShownText(english_text, fallback=True)

    dim_tr: dict = tr["dimensions"] if isinstance(tr.get("dimensions"), dict) else {}
    ind_tr: dict = tr["indicators"] if isinstance(tr.get("indicators"), dict) else {}
    dims = []
    for dim in data.get("dimensions", []):
        own = dim.get("label", "")
        # The shipped dimension labels are also in the interface catalogues: a set without its
        # own translation of one still reads in the reader's language where the catalogue has it.
        d_label = shown(dim_tr.get(dim["id"]), own or dim["id"])
        if d_label.fallback:
            catalogue = dimension_label(dim["id"], own)
            if catalogue != (own or dim["id"]):
                d_label = ShownText(catalogue)
                counter["missing"] -= 1
        indicators = []
        for ind in dim.get("indicators", []):
            text = shown(ind_tr.get(ind["id"]), ind.get("text", ind["id"]))
            indicators.append({**ind, "text": text.text, "fallback": text.fallback,
                               "strength_label": strength_label(ind.get("strength", ""))})
        dims.append({"id": dim["id"], "label": d_label.text, "fallback": d_label.fallback,
                     "indicators": indicators})
    return LocalisedSet(
        language=lang, label=shown(tr.get("label"), label or data.get("label", "")),
        provenance=shown(tr.get("provenance"), provenance or data.get("provenance", ""),
                         counted=False),
        dimensions=dims, has_language=has, missing=counter["missing"])


def localised_label(indicator_set, lang: str | None = None) -> str:
    """A set's name in the reader's language (English where the set has none)."""
    lang = language_of(lang)
    if lang == "en":
        return indicator_set.label
    tr, _has = translations_for(indicator_set.data, lang)
    value = tr.get("label")
    return value if isinstance(value, str) and value.strip() else indicator_set.label


def validate_translations(data: dict) -> list[str]:
    """Problems with a set's "translations", each naming the language and the key. A language
    that lacks some labels is not a problem (they are shown in English, flagged); an id the set
    does not have is (most likely a typo that would leave the real one untranslated)."""
    translations = data.get("translations")
    if translations is None:
        return []
    if not isinstance(translations, dict):
        return [_("translations must be an object: {language: {label, dimensions, "
                  "indicators}}.")]
    problems: list[str] = []
    dim_ids = {d.get("id") for d in data.get("dimensions", []) if isinstance(d, dict)}
    ind_ids = {i.get("id") for d in data.get("dimensions", []) if isinstance(d, dict)
               for i in d.get("indicators", []) if isinstance(i, dict)}
    for lang, tr in translations.items():
        where = f"translations.{lang}"
        if not isinstance(lang, str) or not _LANGUAGE.match(lang):
            problems.append(_("%(where)s: %(lang)r is not a language code such as \"uk\" or "
                              "\"pt-br\".") % {"where": "translations", "lang": lang})
            continue
        if not isinstance(tr, dict):
            problems.append(_("%(where)s must be an object.") % {"where": where})
            continue
        unknown_keys = sorted(set(tr) - {*_TEXT_KEYS, *_MAP_KEYS})
        if unknown_keys:
            problems.append(_("%(where)s: unknown key(s) %(keys)s; use label, provenance, "
                              "dimensions or indicators.")
                            % {"where": where, "keys": ", ".join(unknown_keys)})
        for key in _TEXT_KEYS:
            if key in tr and not isinstance(tr[key], str):
                problems.append(_("%(where)s must be text.") % {"where": f"{where}.{key}"})
        for key, known in (("dimensions", dim_ids), ("indicators", ind_ids)):
            if key not in tr:
                continue
            mapping = tr[key]
            if not isinstance(mapping, dict):
                problems.append(_("%(where)s must be an object: {id: text}.")
                                % {"where": f"{where}.{key}"})
                continue
            unknown = sorted(k for k in mapping if k not in known)
            if unknown:
                problems.append(_("%(where)s names id(s) the set does not have: %(ids)s.")
                                % {"where": f"{where}.{key}", "ids": ", ".join(unknown[:10])})
            not_text = sorted(k for k, v in mapping.items() if not isinstance(v, str))
            if not_text:
                problems.append(_("%(where)s: the text of %(ids)s must be text.")
                                % {"where": f"{where}.{key}", "ids": ", ".join(not_text[:10])})
    return problems
