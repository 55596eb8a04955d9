"""Charts as SVG drawn on the server: no script, no font or file from elsewhere, no inline
style (the site's Content-Security-Policy forbids it; presentation attributes are not styles).

`stacked_bars` draws one horizontal bar per row, its segments the shares of the row's total,
a `<title>` per segment carrying the numbers (a browser shows it on hover, a screen reader
reads it) and a legend below. The `viewBox` lets the picture scale to a phone's width; the
table beside each chart is the accessible copy of its numbers. Labels are escaped here: a
school's name is typed by people.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Distinguishable colours, darkest for the first category (Tốt / Hoàn thành xuất sắc).
PALETTE = ("#1b5e20", "#43a047", "#9ccc65", "#fbc02d", "#e53935", "#8e24aa", "#3949ab", "#6d4c41")
NOT_SHOWN = "#bdbdbd"  # a segment whose numbers are withheld (see `Segment.series`)
UNKNOWN = "#eeeeee"

WIDTH = 640
LABEL_WIDTH = 170
BAR_WIDTH = WIDTH - LABEL_WIDTH - 10
ROW_HEIGHT = 26
BAR_HEIGHT = 18
LEGEND_ROW = 20
FONT = 'font-family="sans-serif" font-size="12"'


@dataclass(frozen=True)
class Segment:
    series: int  # index into the legend; -1: withheld numbers, drawn grey
    value: float  # any unit: the row's segments are drawn as shares of their sum
    title: str  # what the segment's tooltip says, e.g. "Khối 10 · Tốt: 12 (30,0%)"


@dataclass(frozen=True)
class Bar:
    label: str
    segments: Sequence[Segment]


def _text(text: str, limit: int = 26) -> str:
    text = str(text)
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def stacked_bars(bars: Sequence[Bar], legend: Sequence[str], *, title: str,
                 withheld: str = "") -> str:
    """The SVG (a string, ready to place in a page) of `bars`, each segment coloured by its
    series; `withheld` labels the grey segment in the legend when any bar has one."""
    legend_items = list(enumerate(legend))
    if withheld and any(s.series < 0 for b in bars for s in b.segments):
        legend_items.append((-1, withheld))
    legend_rows = (len(legend_items) + 1) // 2
    height = max(len(bars), 1) * ROW_HEIGHT + 10 + legend_rows * LEGEND_ROW + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" class="chart"><title>{escape(title)}</title>'
    ]
    for row, bar in enumerate(bars):
        y = row * ROW_HEIGHT + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 5}" text-anchor="end" {FONT}>'
            f"<title>{escape(bar.label)}</title>{_text(bar.label)}</text>"
        )
        total = sum(max(s.value, 0) for s in bar.segments)
        if not total:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" '
                f'fill="{UNKNOWN}"><title>{escape(bar.label)}: 0</title></rect>'
            )
            continue
        x = float(LABEL_WIDTH)
        for segment in bar.segments:
            if segment.value <= 0:
                continue
            width = BAR_WIDTH * segment.value / total
            parts.append(
                f'<rect x="{x:.2f}" y="{y}" width="{width:.2f}" height="{BAR_HEIGHT}" '
                f'fill="{_colour(segment.series)}"><title>{escape(segment.title)}</title></rect>'
            )
            x += width
    top = max(len(bars), 1) * ROW_HEIGHT + 10
    for i, (series, label) in enumerate(legend_items):
        x = 10 + (i % 2) * (WIDTH // 2)
        y = top + (i // 2) * LEGEND_ROW
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{_colour(series)}"/>'
            f'<text x="{x + 18}" y="{y + 11}" {FONT}>{_text(label, 44)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _colour(series: int) -> str:
    return NOT_SHOWN if series < 0 else PALETTE[series % len(PALETTE)]
