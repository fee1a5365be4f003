"""Each participant's recall plan for the snapshot (issue 16, docs/learning.md).

A participant MET a word when they checked in (any door of the site) on a day it was the
site's word of the day. The plan is "as of today": the words of days before today, and the
cards as they stand, judged at the end of today (a card due this afternoon is due at
check-out). So the snapshot's bytes follow its ETag — the site's door data version (which
a new card bumps) and the day — and a check-in never has to change the version: the word
of a day a participant came joins their plan the next morning. Today's word is never asked:
they have just seen it.

A fixed number of queries for the whole site however many participants: its past words,
who has the check on, the days each one came on a word day (one scan of the site's
check-ins since the first past word day), and every card of the site. A check-in that
arrives late for an earlier day is in the plan from the next version or day on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from fsrs import Card
from sqlalchemy import Connection, select, text

from server.learning.answers import stored_card
from server.learning.cards import is_due, recall_chance
from server.schema import CHECK_INS, events, participants, word_cards, words
from sync.protocol import RecallPlan, SnapshotWord
from sync.recall import MAX_DUE, MAX_MET, RIGHT, WordsPlan, word_key

# What a plan needs of a card row: not its counts and times of change (a datetime each).
CARD_COLUMNS = ("participant_id", "word", "state", "step", "stability", "difficulty",
                "due_at", "last_review_at", "last_answer")  # fmt: skip


@dataclass
class Learner:
    """What the plan of one participant is made of."""

    met: dict[str, date] = field(default_factory=dict)  # word key → the last day they met it
    cards: dict[str, Card | None] = field(default_factory=dict)
    known: int = 0


@lru_cache(maxsize=4096)  # a plan asks it for each word met: the same few hundred days
def day_start(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(timezone))


def past_words(conn: Connection, site_id: str, today: date) -> dict[date, Any]:
    """The site's words of the days before today, by day."""
    rows = conn.execute(
        select(words).where(words.c.site_id == site_id, words.c.day < today).order_by(words.c.day)
    )
    return {row.day: row for row in rows}


def met_days(
    conn: Connection, site_id: str, today: date, days: set[date]
) -> list[tuple[str, date]]:
    """(participant id, day) for each of `days` (days with a word, before today) on which
    they checked in at the site: one range of the partial index of check-ins (migration
    0018), the table itself unread. Not a join with `words`: the databases then read the
    site's check-ins once per word day (60 days, 2 000 people: 13 s on SQLite)."""
    if not days:
        return []
    rows = conn.execute(
        select(events.c.participant_id, events.c.workshop_day)
        .distinct()
        .where(
            events.c.site_id == site_id,
            events.c.workshop_day >= min(days),
            events.c.workshop_day < today,
            text(CHECK_INS),  # as written, so the partial index of check-ins answers it
            events.c.participant_id.is_not(None),
        )
    )
    return [(pid, day) for pid, day in rows if day in days]


def learners(
    conn: Connection, site_id: str, today: date, keys: dict[date, str]
) -> dict[str, Learner]:
    """Per participant of the site with the check on: the words met and their cards."""
    checked = set(
        conn.execute(
            select(participants.c.id).where(
                participants.c.site_id == site_id,
                participants.c.active.is_(True),
                participants.c.word_check.is_(True),
            )
        ).scalars()
    )
    found: dict[str, Learner] = {}
    for pid, day in met_days(conn, site_id, today, set(keys)):
        if pid in checked and day in keys:
            met = found.setdefault(pid, Learner()).met
            key = keys[day]
            met[key] = max(day, met.get(key, day))
    card = [word_cards.c[name] for name in CARD_COLUMNS]
    for row in conn.execute(select(*card).where(word_cards.c.site_id == site_id)):
        learner = found.get(row.participant_id)
        if learner is None:
            continue  # met nothing here (yet), or the check is off
        learner.cards[row.word] = stored_card(row)
        learner.known += row.last_answer == RIGHT
    return found


def plan_of(learner: Learner, at: datetime, timezone: str, *, besides: str | None) -> WordsPlan:
    """The plan: due words most likely forgotten first (never-answered ones by the
    forgetting curve from the last day they met them), all met words newest first."""
    due = []
    for key, day in learner.met.items():
        card = learner.cards.get(key)
        if key != besides and is_due(card, at):
            due.append((recall_chance(card, at, met_at=day_start(day, timezone)), key))
    met = sorted(learner.met, key=lambda k: (learner.met[k], k), reverse=True)
    return WordsPlan(
        due=tuple(key for _, key in sorted(due)[:MAX_DUE]),
        met=tuple(met[:MAX_MET]),
        known=learner.known,
    )


def recall_for(
    conn: Connection, site_id: str, today: date, timezone: str, shown: Iterable[SnapshotWord]
) -> tuple[list[RecallPlan], list[SnapshotWord]]:
    """The site's plans, and the words they name that `shown` (the snapshot's days) lacks."""
    by_day = past_words(conn, site_id, today)
    keys = {day: word_key(row.word) for day, row in by_day.items()}
    latest = {keys[day]: row for day, row in sorted(by_day.items())}  # the latest day wins
    shown_keys = {word_key(w.word) for w in shown}
    todays = next((word_key(w.word) for w in shown if w.day == today), None)
    at = day_start(today + timedelta(days=1), timezone)  # as of the end of today
    plans: list[RecallPlan] = []
    named: set[str] = set()
    for pid, learner in sorted(learners(conn, site_id, today, keys).items()):
        plan = plan_of(learner, at, timezone, besides=todays)
        plans.append(
            RecallPlan(participant_id=pid, due=list(plan.due), met=list(plan.met), known=plan.known)
        )
        named.update(plan.due, plan.met)
    extra = [
        SnapshotWord.of(row)
        for key, row in sorted(latest.items())
        if key in named and key not in shown_keys
    ]
    return plans, extra
