"""The shell is translated into all six interface languages (English is the source), the compiled
catalogues that ship in the repository match their sources (run `make messages` after editing a
.po file), and each catalogue carries its language's plural rule."""

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "bridgeway" / "locale"

CATALOGUES = ["uk", "ro", "fr", "ru", "ar"]


def source_msgids() -> set[tuple[str | None, str]]:
    """Every message of the finished catalogues: a new catalogue must carry them all."""
    ids = set()
    for lang in ("uk", "ro", "fr"):
        po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
        ids |= {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
    return ids


def test_six_interface_languages():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "uk", "ro", "fr", "ru", "ar"]
    assert translation.get_language_info("ar")["bidi"] is True
    assert not any(translation.get_language_info(code)["bidi"]
                   for code, _name in settings.LANGUAGES if code != "ar")


@pytest.mark.parametrize("lang", CATALOGUES)
def test_catalogue_is_complete_and_compiled(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    present = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
    assert sorted(source_msgids() - present, key=str) == [], f"{lang}: messages missing"
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                for e in mo}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{lang}: {entry.msgid!r} is not compiled"
        assert compiled[key] == (entry.msgstr, tuple(sorted(entry.msgstr_plural.items()))), \
            f"{lang}: compiled text of {entry.msgid!r} is stale"


# n -> which plural form a count takes (CLDR: one, few, many, ... in the catalogue's order).
PLURALS = {
    "uk": (4, {1: 0, 21: 0, 2: 1, 4: 1, 22: 1, 0: 2, 5: 2, 11: 2, 12: 2, 14: 2, 111: 2}),
    "ru": (4, {1: 0, 21: 0, 101: 0, 2: 1, 3: 1, 24: 1, 0: 2, 5: 2, 11: 2, 14: 2, 25: 2}),
    "ro": (3, {1: 0, 0: 1, 2: 1, 19: 1, 101: 1, 20: 2, 100: 2}),
    "fr": (3, {0: 0, 1: 0, 2: 2, 1_000_000: 1}),
    "ar": (6, {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 103: 3, 11: 4, 99: 4, 100: 5, 101: 5, 102: 5}),
}


@pytest.mark.parametrize("lang", ["uk", "ro", "fr", "ru", "ar"])
def test_catalogue_carries_its_languages_plural_rule(lang):
    """A wrong Plural-Forms header picks the wrong word for a count ("5 дело" instead of "5 дел")
    even when every message is translated; checked on the header itself, so it holds before
    the translations land."""
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    header = po.metadata["Plural-Forms"]
    nplurals = int(header.split("nplurals=")[1].split(";")[0])
    rule = gettext.c2py(header.split("plural=")[1].rstrip(";"))
    expected_n, forms = PLURALS[lang]
    assert nplurals == expected_n
    assert {n: rule(n) for n in forms} == forms

