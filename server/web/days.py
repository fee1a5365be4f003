"""Days in a page's address: '2026-11-25' read strictly, and the days either side of one,
within the days a workshop can have (the floor's day pages and "Vandaag" alike)."""

from __future__ import annotations

import re
from datetime import date, timedelta

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)  # what a workshop day can be


def parse_day(text: str) -> date | None:
    """A day from 'YYYY-MM-DD', or None for anything else."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:  # e.g. 2026-02-30
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def step(day: date, days: int) -> date | None:
    """The day `days` away, or None past the days a workshop can have."""
    other = day + timedelta(days=days)
    return other if FIRST_DAY <= other <= LAST_DAY else None
