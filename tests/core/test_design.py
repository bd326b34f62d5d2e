"""The design system (docs/design.md): its colour pairs meet WCAG AA, its CSS mirrors for
right-to-left languages because it uses only logical properties, it loads nothing from elsewhere,
and Arabic pages say so on <html>."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2] / "bridgeway"
CSS = (ROOT / "core" / "static" / "bridgeway" / "app.css").read_text()


def tokens() -> dict[str, str]:
    root = CSS[CSS.index(":root {"):CSS.index("}", CSS.index(":root {"))]
    return dict(re.findall(r"(--color-[\w-]+):\s*(#[0-9a-fA-F]{3,6})", root))


def luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


# (foreground, background, minimum): text needs 4.5:1, borders and focus rings 3:1.
PAIRS = [
    ("ink", "bg", 4.5), ("ink", "surface", 4.5), ("ink", "subtle", 4.5),
    ("muted", "bg", 4.5), ("muted", "surface", 4.5), ("muted", "subtle", 4.5),
    ("link", "bg", 4.5), ("link", "surface", 4.5),
    ("brand-ink", "brand", 4.5), ("brand-ink", "brand-strong", 4.5), ("brand", "surface", 4.5),
    ("ok", "ok-bg", 4.5), ("warn", "warn-bg", 4.5), ("danger", "danger-bg", 4.5),
    ("info", "info-bg", 4.5), ("danger", "surface", 4.5), ("danger", "bg", 4.5),
    ("ink", "ok-bg", 4.5), ("ink", "warn-bg", 4.5), ("ink", "danger-bg", 4.5),
    ("ink", "info-bg", 4.5),
    ("field", "surface", 3), ("field", "bg", 3), ("focus", "surface", 3), ("focus", "bg", 3),
]


@pytest.mark.parametrize(("fg", "bg", "minimum"), PAIRS, ids=[f"{f}-on-{b}" for f, b, _m in PAIRS])
def test_colour_pairs_meet_wcag_aa(fg, bg, minimum):
    colours = tokens()
    assert contrast(colours[f"--color-{fg}"], colours[f"--color-{bg}"]) >= minimum


def test_white_on_danger_and_brand_for_urgent_badges_and_buttons():
    colours = tokens()
    assert contrast("#ffffff", colours["--color-danger"]) >= 4.5
    assert contrast("#ffffff", colours["--color-brand"]) >= 4.5


PHYSICAL = re.compile(
    r"(?<![\w-])(margin|padding|border)-(left|right)\b|(?<![\w-])(left|right)\s*:"
    r"|text-align:\s*(left|right)|float:\s*(left|right)|clear:\s*(left|right)"
    r"|(?<![\w-])(width|height|min-width|max-width|min-height|max-height)\s*:")


# The design system, and the public help form's own small stylesheet built from its tokens.
PUBLIC_CSS = (ROOT / "helpline" / "static" / "helpline" / "public.css").read_text()
STYLESHEETS = {"app.css": CSS, "helpline/public.css": PUBLIC_CSS}


@pytest.mark.parametrize("name", STYLESHEETS)
def test_css_uses_logical_properties_only(name):
    """Physical directions (left/right, width/height) would not mirror in Arabic. Media queries
    still speak of the viewport's width, which is not a layout property."""
    rules = re.sub(r"@media[^{]*\{", "", re.sub(r"/\*.*?\*/", "", STYLESHEETS[name], flags=re.S))
    offending = sorted({m.group(0) for m in PHYSICAL.finditer(rules)})
    assert offending == []


@pytest.mark.parametrize("name", STYLESHEETS)
def test_no_asset_from_elsewhere(name):
    assert "@import" not in STYLESHEETS[name]
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", STYLESHEETS[name])


def _all_tokens(css: str) -> dict[str, str]:
    root = css[css.index(":root {"):css.index("}", css.index(":root {"))]
    root = re.sub(r"/\*.*?\*/", "", root, flags=re.S)
    return {name: " ".join(value.split()) for name, value in re.findall(r"(--[\w-]+):\s*([^;]+);", root)}


def test_the_public_form_stylesheet_uses_the_design_tokens_unchanged():
    """The public form does not load app.css (its first load stays small), so it carries the
    tokens it needs: each with the same value as in the design system, and so the same
    contrast ratios as tested above."""
    design, public = _all_tokens(CSS), _all_tokens(PUBLIC_CSS)
    assert public, "no tokens found in public.css"
    assert {name: value for name, value in public.items() if design.get(name) != value} == {}
    # and only colours from the tokens (white on danger/brand is tested above)
    literal = set(re.findall(r"#[0-9a-fA-F]{3,6}\b", PUBLIC_CSS.split("}", 1)[1]))
    assert literal <= {"#fff", "#ffd08a", "#7f1a14"}
    assert "#ffd08a" in CSS and "#7f1a14" in CSS


def test_templates_carry_no_inline_styles():
    """Inline styles would be refused by the Content-Security-Policy (style-src 'self') and
    escape the design system."""
    offenders = [str(p.relative_to(ROOT)) for p in ROOT.rglob("templates/**/*.html")
                 if re.search(r"\sstyle=", p.read_text())]
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "direction"), [("ar", ' dir="rtl"'), ("ru", ""), ("uk", ""),
                                                 ("en", "")])
def test_html_carries_the_language_and_direction(lang, direction):
    client = Client()
    client.post(reverse("set_language"), {"language": lang, "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert f'<html lang="{lang}"{direction}>' in page
