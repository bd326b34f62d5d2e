"""The shell is translated into Ukrainian, Romanian and French, and the compiled catalogues that
ship in the repository match their sources (run `make messages` after editing a .po file)."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "bridgeway" / "locale"


@pytest.mark.parametrize("lang", ["uk", "ro", "fr"])
def test_catalogue_is_complete_and_compiled(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
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
