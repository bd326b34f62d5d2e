"""Organisations' own words (an incident's title, a form's labels) carry the language they are
written in, which may differ from the interface's: `<h1{{ incident.language|lang_attr }}>` adds
`lang="uk"` (and `dir="rtl"` for a right-to-left language) when the language is known, nothing
when it is not. Screen readers then pronounce the text in its language, and Arabic text keeps
its direction inside a left-to-right page (and the other way round)."""

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info

register = template.Library()

# A BCP 47 tag as forms carry them (en, uk, pt-BR, sr-Latn); anything else is ignored.
TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")


def _bidi(code: str) -> bool:
    try:
        return bool(get_language_info(code)["bidi"])
    except KeyError:
        return code.split("-")[0].lower() in {"ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv"}


@register.filter
def lang_attr(code: object) -> SafeString | str:
    code = str(code or "").strip()
    if not TAG.match(code):
        return ""
    if _bidi(code):
        return format_html(' lang="{}" dir="rtl"', code)
    return format_html(' lang="{}" dir="ltr"', code)
