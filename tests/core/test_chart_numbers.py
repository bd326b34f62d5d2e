"""A chart's SVG coordinates are numbers for the browser, not for the reader: in a language with a
decimal comma (Ukrainian, French, Russian) they must still be written with a dot, or the browser
drops the attribute and the bars and labels pile up at the top."""

import re

from django.template.loader import render_to_string
from django.utils import translation

from bridgeway.core.charts import bar_chart


def test_svg_coordinates_keep_a_decimal_point_in_every_language():
    chart = bar_chart("c", "Victims by year", [("2024", 1234), ("2025", 7)])
    for lang in ("en", "uk", "fr", "ru", "ar", "ro"):
        with translation.override(lang):
            html = render_to_string("core/_chart.html", {"chart": chart})
        coords = re.findall(r'\s(?:x|y|width|height)="([^"]*)"', html)
        assert coords, lang
        for value in coords:
            assert re.fullmatch(r"-?\d+(\.\d+)?|100%", value), (lang, value)
        # The second bar's label sits at 28 * 1 + 22 * 0.7 = 43.4, written the browser's way.
        assert 'y="43.4"' in html, lang
