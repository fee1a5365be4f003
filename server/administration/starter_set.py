"""The starter set: 120 Dutch workplace words a site loads into its planning in one step.

The words are data (starter_words.json beside this module: its header says where they come
from and under which licence), in the order a beginner can follow — the first days, safety,
tools, cleaning, the kitchen, time, the body, work, the way here, outside — and that order
is the planning's. Their translations are machine-quality: stored as planned words without
a `word_checks` row, so the Vertalingen page shows every one as unchecked until a native
speaker checks it there.

Loading fills the site's next workdays (Monday to Friday: a site has no opening days of its
own) from a start day, one word a day. A day that already has a word keeps it and is
skipped; a starter word already planned at the site from the start day on is not planned
again, so loading twice plans nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from server.administration.operations import require_site
from server.administration.rights import record_audit
from server.db import writing
from server.schema import words
from sync.protocol import SnapshotWord

DATA = Path(__file__).with_name("starter_words.json")
WORKDAYS = (1, 2, 3, 4, 5)  # ISO weekdays the workshops are open, as the planning page assumes


@dataclass(frozen=True)
class StarterWord:
    word: str
    article: str | None  # "de", "het", or None for a verb, an adjective, a greeting
    sentence: str
    pictogram: str  # a name in sync/pictograms
    theme: str  # the starter set's group, e.g. "Veiligheid"; shown on the planning page
    translations: dict[str, str]  # per kiosk language but Dutch; unchecked


@dataclass(frozen=True)
class Loaded:
    """What one load did: words planned, days passed over because they had a word, and
    starter words left out because the site had them planned already."""

    placed: int
    days_skipped: int
    already_planned: int
    first: date | None  # the first and last day a word was planned on, if any
    last: date | None


@cache
def starter_words() -> tuple[StarterWord, ...]:
    """The set, in planning order."""
    data: dict[str, Any] = json.loads(DATA.read_text("utf-8"))
    return tuple(StarterWord(**entry) for entry in data["words"])


def languages() -> tuple[str, ...]:
    """The languages every starter word has a meaning in."""
    return tuple(json.loads(DATA.read_text("utf-8"))["languages"])


def is_workday(day: date) -> bool:
    return day.isoweekday() in WORKDAYS


def next_workday(after: date) -> date:
    """The first workday after `after`: the default start of a load."""
    day = after + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def _workdays(start: date) -> Iterator[date]:
    day = start
    while True:
        if is_workday(day):
            yield day
        day += timedelta(days=1)


def _key(word: str) -> str:
    return word.strip().casefold()


def load_starter(
    conn: Connection, site_id: str, start: date, *, actor: str, at: datetime
) -> Loaded:
    """Plan the starter words on the site's workdays from `start`, never replacing a word;
    one audit line."""
    require_site(conn, site_id)
    ahead = {
        row.day: _key(row.word)
        for row in conn.execute(
            select(words.c.day, words.c.word).where(
                words.c.site_id == site_id, words.c.day >= start
            )
        )
    }
    planned = set(ahead.values())
    todo = [w for w in starter_words() if _key(w.word) not in planned]
    placed: list[date] = []
    skipped = 0
    days = _workdays(start)
    for starter in todo:
        day = next(days)
        while day in ahead:
            skipped += 1
            day = next(days)
        if _insert(conn, site_id, day, starter):
            placed.append(day)
    detail = {
        "word": "starter",
        "from": start.isoformat(),
        "placed": len(placed),
        "days_skipped": skipped,
        "already_planned": len(starter_words()) - len(todo),
    }
    record_audit(conn, at, actor, "word", None, detail)
    first, last = (placed[0], placed[-1]) if placed else (None, None)
    return Loaded(len(placed), skipped, len(starter_words()) - len(todo), first, last)


def _insert(conn: Connection, site_id: str, day: date, starter: StarterWord) -> bool:
    """Plan `starter` on `day` unless a word came there meanwhile (another load at the same
    moment): never replace one. Checked by the door's own model first."""
    word = SnapshotWord.model_validate(
        {
            "day": day,
            "word": starter.word,
            "article": starter.article,
            "sentence": starter.sentence,
            "translations": starter.translations,
            "pictogram": starter.pictogram,
        }
    )
    values = {"site_id": site_id, **word.model_dump(), "theme": starter.theme}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(words)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["site_id", "day"])
    )
    return bool(conn.execute(stmt).rowcount)


def load(engine: Engine, site_id: str, start: date, *, actor: str, at: datetime) -> Loaded:
    """`load_starter` in a write transaction of its own (the planning page's button)."""
    with writing(engine) as conn:
        return load_starter(conn, site_id, start, actor=actor, at=at)
