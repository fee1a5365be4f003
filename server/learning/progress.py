"""What a participant's recall checks say about the words they met, for their coach
(issue 16, docs/learning.md): never a ranking, never beside anyone else's.

- words met: the words of the days they checked in (at their site);
- checks shown / answered: every word_recall of theirs, and those answered right or wrong;
- model recall: the FSRS model's mean chance, now, that they recall a word they met (a
  word never answered: by the forgetting curve from the last time they met it);
- 30-day recall: among the checks answered 30 days or more after they last saw the word
  (met it on its day, or were asked it — a skip too), the share right corrected for
  guessing among four pictures, (p − 0.25) / 0.75, within 0…1; with how many checks it
  rests on, and what the model predicted for those same checks from the card before each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, select

from server.learning.answers import StoredAnswer, answers_of
from server.learning.cards import Given, card_of, recall_chance
from server.schema import events, words
from sync.recall import RIGHT, WRONG, word_key
from sync.record import OPENS_SESSION

LONG_AFTER = timedelta(days=30)
GUESS = 0.25  # one of four pictures


@dataclass(frozen=True)
class WordProgress:
    words_met: int
    checks_shown: int  # every word_recall, skipped ones too
    checks_answered: int  # right or wrong
    share_answered: float | None  # answered / shown; None: never shown
    model_recall: float | None  # None: no word met
    recall_30d: float | None  # guess-corrected; None: no check 30 days after
    recall_30d_checks: int
    model_recall_30d: float | None


def guess_corrected(share_right: float) -> float:
    return min(1.0, max(0.0, (share_right - GUESS) / (1 - GUESS)))


def meetings_of(conn: Connection, participant_id: str) -> list[tuple[datetime, str]]:
    """(honest time of the check-in, word key) for each check-in on a day with a word of
    the day at the site it was made at, by time."""
    rows = conn.execute(
        select(events.c.wall_at, events.c.corrected_wall_at, words.c.word)
        .join(
            words,
            and_(words.c.site_id == events.c.site_id, words.c.day == events.c.workshop_day),
        )
        .where(
            events.c.participant_id == participant_id,
            events.c.kind.in_(sorted(OPENS_SESSION)),
        )
    )
    found = [
        (row.wall_at if row.corrected_wall_at is None else row.corrected_wall_at,
         word_key(row.word))
        for row in rows
    ]  # fmt: skip
    return sorted(found)


def progress_of(conn: Connection, participant_id: str, at: datetime) -> WordProgress:
    """The participant's word progress as of `at` (aware): what was known by then."""
    met = [(when, key) for when, key in meetings_of(conn, participant_id) if when <= at]
    checks = [a for a in answers_of(conn, [participant_id]) if a.at <= at]
    return progress_from(met, checks, at)


def progress_from(
    met: list[tuple[datetime, str]], checks: list[StoredAnswer], at: datetime
) -> WordProgress:
    """The figures from the meetings and checks (both by time, none after `at`)."""
    last_met: dict[str, datetime] = {}
    last_seen: dict[str, datetime] = {}
    given: dict[str, list[Given]] = {}
    long_after: list[tuple[bool, float]] = []  # (right, the model's chance before)
    # Meetings before checks at the same instant: a check follows its check-in.
    timeline = sorted(
        [(when, 0, key, None) for when, key in met] + [(a.at, 1, a.word, a) for a in checks],
        key=lambda item: (item[0], item[1]),
    )
    for when, _, key, check in timeline:
        if check is None:
            last_met[key] = last_seen[key] = when
            continue
        seen = last_seen.get(key)
        if check.answer in (RIGHT, WRONG) and seen is not None and when - seen >= LONG_AFTER:
            chance = recall_chance(card_of(given.get(key, [])), when, met_at=last_met.get(key))
            long_after.append((check.answer == RIGHT, chance))
        given.setdefault(key, []).append(Given(when, check.answer))
        last_seen[key] = when
    answered = sum(c.answer in (RIGHT, WRONG) for c in checks)
    chances = [recall_chance(card_of(given.get(k, [])), at, met_at=m) for k, m in last_met.items()]
    return WordProgress(
        words_met=len(last_met),
        checks_shown=len(checks),
        checks_answered=answered,
        share_answered=answered / len(checks) if checks else None,
        model_recall=sum(chances) / len(chances) if chances else None,
        recall_30d=(
            guess_corrected(sum(r for r, _ in long_after) / len(long_after)) if long_after else None
        ),
        recall_30d_checks=len(long_after),
        model_recall_30d=(sum(c for _, c in long_after) / len(long_after) if long_after else None),
    )
