"""Blind indexes: keyed HMAC-SHA256 of normalised values, so exact and fuzzy search and
duplicate warnings work without any plaintext column.

Keys are derived per organisation from BRIDGEWAY_BLIND_INDEX_KEY, so the same name held by two
organisations gives two unrelated digests: a dump cannot link people across organisations.

Names get three kinds of entry: the whole normalised name (exact), each word (token), and each
word's phonetic key (phonetic). The phonetic key first transliterates any script to Latin
(anyascii), then folds the spellings that transliteration and migration produce for the same
sound (Hryhorii / Grigoriy / Григорій, Serhii / Sergiy / Serghei, Olena / Elena), then drops
vowels. It is a heuristic for duplicate warnings, not proof of identity.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from django.conf import settings

_SPACES = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^0-9a-z\u0400-\u04ff\u0370-\u03ff]+")
# Longest first: these are spellings of one sound across transliteration systems.
_FOLDS = [
    ("shch", "s"), ("sch", "s"), ("sh", "s"), ("zh", "j"), ("kh", "h"), ("ch", "c"),
    ("ts", "c"), ("tz", "c"), ("ph", "f"), ("gh", "g"), ("ck", "k"), ("q", "k"), ("w", "v"),
    ("x", "ks"), ("y", "i"), ("j", "i"), ("h", "g"), ("z", "s"), ("d", "t"), ("b", "p"),
]
_VOWELS = set("aeiou")


def clean(value: str) -> str:
    """The text as a person would read it: Unicode NFC, format characters (category Cf: zero-width
    space and joiners, BOM, soft hyphen, bidi controls) removed, white space collapsed. Stored
    names and every blind index go through this, so an invisible character can neither split a
    name into another person nor make a blank one look filled in."""
    composed = unicodedata.normalize("NFC", value or "")
    visible = "".join(ch for ch in composed if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", visible).strip()


def normalise(value: str) -> str:
    """Cleaned (see `clean`), case-folded, accents stripped; the script is kept."""
    decomposed = unicodedata.normalize("NFKD", clean(value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def tokens(value: str) -> list[str]:
    return [t for t in _NON_ALNUM.split(normalise(value)) if t]


def phonetic(token: str) -> str:
    latin = re.sub(r"[^a-z]", "", anyascii(token).lower())
    for src, dst in _FOLDS:
        latin = latin.replace(src, dst)
    # c is k unless before e or i (Romance and transliterated Slavic spellings agree on that).
    latin = re.sub(r"c(?![ei])", "k", latin)
    consonants = [ch for ch in latin if ch not in _VOWELS]
    out: list[str] = []
    for ch in consonants:
        if not out or out[-1] != ch:
            out.append(ch)
    key = "".join(out)
    return key or latin[:1]


def digits(value: str) -> str:
    """Identity numbers and phone numbers: letters and digits only, upper case."""
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


@lru_cache(maxsize=256)
def _org_key(organisation_id: int, field: str) -> bytes:
    return hmac.new(settings.BLIND_INDEX_KEY, f"bridgeway.blind|{organisation_id}|{field}".encode(),
                    hashlib.sha256).digest()


def digest(organisation_id: int, field: str, kind: str, normalised: str) -> str:
    key = _org_key(organisation_id, field)
    return hmac.new(key, f"{kind}|{normalised}".encode(), hashlib.sha256).hexdigest()


def name_entries(organisation_id: int, field: str, value: str) -> list[tuple[str, str]]:
    """(kind, digest) pairs for a person's name."""
    entries = {("exact", digest(organisation_id, field, "exact", normalise(value)))}
    for token in tokens(value):
        entries.add(("token", digest(organisation_id, field, "token", token)))
        entries.add(("phonetic", digest(organisation_id, field, "phonetic", phonetic(token))))
    return sorted(entries)


def identifier_entries(organisation_id: int, field: str, value: str) -> list[tuple[str, str]]:
    return [("exact", digest(organisation_id, field, "exact", digits(value)))]
