"""A participant's month as an SVG picture: a grid, Monday first, a colour and a symbol
per day, so it reads without colour too (colour-blind eyes, a black-and-white printout).

Colours are SVG attributes, not style: the page's Content-Security-Policy forbids inline
style, and every bit of text is escaped (a participant's name is in the title).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from server.attendance.summary import (
    ABSENT,
    ANNOUNCED,
    EXCUSED,
    NOT_AGREED,
    PENDING,
    PRESENT,
    Day,
)

CELL = 44
PAD = 8
TOP = 58  # title and weekday names above the grid
LEGEND_ROW = 24
FONT = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip

# status → (fill, ink, symbol, legend); None for days that need no legend entry.
LOOKS: dict[str, tuple[str, str, str, str | None]] = {
    PRESENT: ("#cdeccf", "#14532d", "✓", "aanwezig"),
    EXCUSED: ("#d6e6fb", "#0b3d91", "M", "afgemeld"),
    ABSENT: ("#f9d3cf", "#8c1d18", "✗", "afwezig"),
    ANNOUNCED: ("#e7defa", "#4b2a85", "Z", "zelf afgemeld"),  # said so at the door
    NOT_AGREED: ("#ececef", "#55565b", "–", "geen werkdag"),
    PENDING: ("#ffffff", "#55565b", "", None),
}
FUTURE_LOOK = ("#ffffff", "#8a8b90", "", None)


def _text(x: float, y: float, content: str, size: int, fill: str, **extra: str) -> str:
    attributes = "".join(f" {name.replace('_', '-')}={quoteattr(v)}" for name, v in extra.items())
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" fill="{fill}"{attributes}>'
        f"{escape(content)}</text>"
    )


def month_picture(days: Sequence[Day], title: str) -> str:
    """The SVG of one month's days (all of them, in order); `title` names the picture."""
    first = days[0].day
    offset = first.weekday()  # Monday is 0
    weeks = (offset + len(days) + 6) // 7
    width = PAD * 2 + CELL * 7
    legend_top = TOP + weeks * CELL + 14
    legend_rows = (sum(1 for look in LOOKS.values() if look[3] is not None) + 1) // 2
    height = legend_top + LEGEND_ROW * legend_rows + PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family={quoteattr(FONT)}>',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _text(
            PAD, 24, f"{MONTHS[first.month - 1]} {first.year}", 17, "#1d1d1f", font_weight="bold"
        ),
    ]
    for column, name in enumerate(WEEKDAYS):
        x = PAD + column * CELL + CELL / 2
        parts.append(_text(x, TOP - 8, name, 12, "#5f6368", text_anchor="middle"))
    for index, day in enumerate(days):
        slot = offset + index
        x, y = PAD + (slot % 7) * CELL, TOP + (slot // 7) * CELL
        fill, ink, symbol, label = LOOKS.get(day.status, FUTURE_LOOK)
        outline = "#1d1d1f" if day.status == PENDING else "#c4c4c9"
        parts.append(
            f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" rx="4" '
            f'fill="{fill}" stroke="{outline}"/>'
        )
        parts.append(_text(x + 5, y + 14, str(day.day.day), 11, ink))
        if symbol:
            description = f"{day.day.day} {MONTHS[first.month - 1]}: {label}"
            parts.append(
                _text(
                    x + CELL / 2,
                    y + 34,
                    symbol,
                    18,
                    ink,
                    text_anchor="middle",
                    font_weight="bold",
                    aria_label=description,
                )
            )
    entries = [(s, look) for s, look in LOOKS.items() if look[3] is not None]
    for number, (_, (fill, ink, symbol, label)) in enumerate(entries):
        x = PAD + (number % 2) * (CELL * 7 / 2)
        y = legend_top + (number // 2) * LEGEND_ROW
        parts.append(
            f'<rect x="{x:g}" y="{y}" width="18" height="18" rx="3" '
            f'fill="{fill}" stroke="#c4c4c9"/>'
        )
        parts.append(
            _text(x + 9, y + 14, symbol, 13, ink, text_anchor="middle", font_weight="bold")
        )
        parts.append(_text(x + 26, y + 14, label or "", 13, "#1d1d1f"))
    parts.append("</svg>")
    return "\n".join(parts)
