"""How the server words things for people: Dutch dates and hours, and a request's
validation errors in one sentence (shared by pages, the API, the digest and load-plan)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def dutch_date(day: date) -> str:
    """'woensdag 25 november 2026'."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def clock(moment: datetime | None, tz: str = "Europe/Amsterdam") -> str:
    """'08:58' in the site's time; '–' for nothing."""
    if moment is None:
        return "–"
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M")


def hours(seconds: float) -> str:
    """'6,5' — hours with a decimal comma, as the Dutch write them."""
    return f"{seconds / 3600:.1f}".replace(".", ",")


def describe(errors: list[Any], limit: int = 3) -> str:
    """Pydantic errors in one sentence: where and what, the first few."""
    parts = []
    for error in errors[:limit]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    more = f" (and {len(errors) - limit} more)" if len(errors) > limit else ""
    return "invalid request: " + "; ".join(parts) + more
