"""Cleaning and checking the free text a contact holds (operator's summary, public form answers,
phone numbers, handles, e-mail addresses), and the repeat-caller blind index."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.utils.translation import gettext as _

from bridgeway.helpline.codes import ReachKind
from bridgeway.protection import blind

# Line breaks and tabs are text; every other control character (NUL included) is refused.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")
_HANDLE = re.compile(r"^[\w.+\-]{2,64}$")


def clean_text(value: object, *, field: str, limit: int, errors: dict[str, list[str]],
               multiline: bool = True) -> str:
    """The text as stored, or "" with a message under `field` in `errors`: Unicode NFC;
    invisible format characters (zero-width, bidi overrides such as U+202E) removed; control
    characters refused; at most `limit` characters. HTML stays text: pages escape it."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append(_("Enter text."))
        return ""
    text = unicodedata.normalize("NFC", value)
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text):
        errors.setdefault(field, []).append(_("Remove the control characters from this text."))
        return ""
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not multiline:
        text = " ".join(text.split())
    if len(text) > limit:
        errors.setdefault(field, []).append(
            _("This text is longer than %(limit)s characters.") % {"limit": limit})
        return ""
    return text


def normalise_reach(kind: str, value: str, *, country: str) -> str:
    """The phone number (E.164), handle or e-mail in one normal form, or ValueError."""
    if kind == ReachKind.PHONE:
        try:
            number = phonenumbers.parse(value, (country or "").upper() or None)
        except phonenumbers.NumberParseException:
            raise ValueError(_("This is not a phone number we can read; add the country "
                               "code (+…).")) from None
        if not phonenumbers.is_possible_number(number):
            raise ValueError(_("This is not a phone number we can read; add the country "
                               "code (+…)."))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == ReachKind.EMAIL:
        if not _EMAIL.match(value):
            raise ValueError(_("Enter an e-mail address such as name@example.org."))
        return value.casefold()
    if kind == ReachKind.HANDLE:
        handle = value.lstrip("@").casefold()
        if not _HANDLE.match(handle):
            raise ValueError(_("Enter the handle as the messenger shows it (letters, digits, "
                               "dots, dashes)."))
        return handle
    raise ValueError(_("Choose whether this is a phone number, a handle or an e-mail address."))


def reach_digest(organisation_id: int, kind: str, normalised: str) -> str:
    """Keyed per organisation (protection.blind): the same number at two organisations gives
    two unrelated digests."""
    return blind.digest(organisation_id, "helpline_reach", kind, normalised)


def guess_kind(value: str) -> str:
    if "@" in value.strip()[1:]:
        return ReachKind.EMAIL
    if re.fullmatch(r"[+0-9 ()./\-]{5,}", value.strip()):
        return ReachKind.PHONE
    return ReachKind.HANDLE
