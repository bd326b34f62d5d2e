"""What a person reads on a page, and the stored codes in it.

One pattern function for every test that looks for raw codes: the Django-client walk of every
role's pages (tests/core/test_words_everywhere.py), the readable audit and access logs, and every
page a browser test lands on (tests/e2e/conftest.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# A raw code as it would leak from the database onto a page.
RAW = {
    "CamelCase code": re.compile(r"(?<![\w/.-])(?:[A-Z][a-z0-9]+){2,}(?:[A-Z][A-Za-z0-9]*)?\b"
                                 r"|\b[A-Z]{2,}[A-Z][a-z]{2,}[A-Za-z]*\b"),
    "snake_case token": re.compile(r"(?<![\w/.@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?![\w@])"),
    "dotted code": re.compile(r"(?<![\w/@.-])[a-z]+\.[a-z_]+\.[a-z_]+\b(?![\w@/.-])"),
    "app.model and id": re.compile(r"\b[a-z]+\.[a-z]+ [0-9a-f]{8}-"),
    "Python list or dict": re.compile(r"\[\s*'|\{\s*'|'\s*\]|':\s"),
    "True/False/None": re.compile(r"\b(?:True|False|None)\b(?! [a-z])"),  # not "False alarm"
    "route name": re.compile(r"\b[a-z_]+:[a-z_]+\b(?!//)"),
}
BARE_CODE_IN_CELL = re.compile(r"^[A-Z]{2}$")
# Words that look like codes but are what a person should read:
ALLOWED = {
    # Names of products, formats and standards, spelt as their makers spell them.
    "WhatsApp", "KoboToolbox", "OpenAPI", "JavaScript", "LinkedIn", "GitHub", "PostgreSQL",
    "SQLite", "TOTP", "HTCDS", "CTDC", "XLSForm", "SafeRelease",
    # A family name ("McDonald") and an IANA time zone offered by name
    # (America/Argentina/ComodRivadavia).
    "McDonald", "ComodRivadavia",
    # The name of a field of a helpline's public form, shown to the administrator who chooses the
    # fields (the same name they write in their own form labels).
    "what_happened",
}


class PageText(HTMLParser):
    """The text a person reads, with the cells of tables apart (a bare code in a cell)."""

    SKIP = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.cells: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        if tag in ("td", "th"):
            self._cell = []
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "aria-label", "placeholder", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def raw_codes(html: str) -> list[str]:
    """What on the page reads as a stored code, as (kind: text) lines; [] when none."""
    reader = PageText()
    reader.feed(html)
    text = "\n".join(reader.parts)
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses
    text = re.sub(r"https?://\S+|/[\w/.-]+/", " ", text)  # addresses and paths shown as text
    found = []
    for kind, pattern in RAW.items():
        for match in pattern.finditer(text):
            if match.group(0) not in ALLOWED:
                found.append(f"{kind}: {match.group(0)!r}")
    found += [f"bare code in a cell: {cell!r}" for cell in reader.cells
              if BARE_CODE_IN_CELL.match(cell)]
    return sorted(set(found))
