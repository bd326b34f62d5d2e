"""Server-rendered bar charts, shared by every module that draws one. SVG with sizes as
attributes, because the CSP forbids inline styles and public pages must work without
JavaScript; every chart comes with its data table (template `core/_chart.html`)."""

from __future__ import annotations

from collections.abc import Sequence

from bridgeway.core.smallcells import shown_count

BAR, GAP, LABEL_W, WIDTH = 22, 6, 200, 440


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int | str]], *,
              unit: str = "", empty: str = "", suppress_below: int = 0) -> dict:
    """`rows` are (label, count). With `suppress_below` = k, a count from 1 to k-1 is shown as
    "<k" and drawn without a bar, so a small number never appears, not even as a length. A
    count given as text (already suppressed by the caller) is shown as it is, without a bar."""
    from django.utils.translation import gettext as _

    def shown(n: int | str) -> str | int:
        # A str is a count its caller already suppressed (e.g. "<11"): no number, no bar.
        if isinstance(n, str):
            return n
        return shown_count(n, suppress_below)

    def drawn(n: int | str) -> int | None:
        # The count a bar is drawn for: a number shown as a number (not "<k", not text).
        return n if isinstance(n, int) and not isinstance(shown(n), str) else None

    top = max((v for _label, n in rows if (v := drawn(n)) is not None), default=0) or 1
    bars = []
    for i, (label, n) in enumerate(rows):
        y = i * (BAR + GAP)
        value = drawn(n)
        w = 0 if value is None else max(1, round((WIDTH - LABEL_W - 40) * value / top))
        bars.append({"label": label, "n": shown(n), "y": y, "text_y": y + BAR * 0.7, "w": w,
                     "n_x": LABEL_W + w + 4})
    return {"id": chart_id, "title": title, "rows": [(label, shown(n)) for label, n in rows],
            "bars": bars, "width": WIDTH, "label_w": LABEL_W,
            "unit": unit or _("Count"), "empty": empty or _("No data."),
            "height": max(1, len(rows)) * (BAR + GAP)}
