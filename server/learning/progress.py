"""What a participant's recall checks say about the words they met, for their coach
(issue 16, docs/learning.md): never a ranking, never beside anyone else's.

- words met: the words of the days they checked in (at their site);
- checks shown / answered: every word_recall of theirs, and those answered right or wrong;
- model recall: the model's mean chance, now, that they recall a word they met: FSRS-6
  with the forgetting curve calibrated on the site's answers (server/learning/calibration:
  the meeting is the card's first review, an exposure; the default curve below
  calibration.MIN_ANSWERS answers); `model_answers` says which (0: the default);
- 30-day recall: among the checks answered 30 days or more after they last saw the word
  (met it on its day, or were asked it — a skip too), the share right corrected for
  guessing among four pictures, (p − 0.25) / 0.75, within 0…1; with how many checks it
  rests on, and what the model predicted for those same checks from the card before each,
  with the curve fitted on the site's answers before the check's day (never on the check).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, func, select

from server.learning import calibration
from server.learning.answers import StoredAnswer, answers_of
from server.learning.calibration import MEET, Event, SiteFit
from server.schema import events, participants, word_cards, words
from server.sql import member_of
from sync.recall import RIGHT, WRONG, word_key
from sync.record import OPENS_SESSION

LONG_AFTER = timedelta(days=30)
GUESS = 0.25  # one of four pictures
# The fits per site and day (and data), a few kept; the server's request threads share them.
_FITS: dict[tuple[object, ...], SiteFit] = {}
_FITS_LOCK = threading.Lock()
_KEEP_FITS = 32


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
    # Of those checks, how many were right: a cohort's figure pools these counts, never the
    # per-participant figures kept within 0…1 (which lifts a pooled figure near 0).
    recall_30d_right: int = 0
    # The answered checks of the site the model's curve was fitted to (for "now"); 0: the
    # default curve (fewer than calibration.MIN_ANSWERS).
    model_answers: int = 0

    @property
    def model_note(self) -> str:
        if self.model_answers:
            return f"model: fitted to this site's {self.model_answers} answers"
        return "model: default"


def guess_corrected(share_right: float) -> float:
    return min(1.0, max(0.0, (share_right - GUESS) / (1 - GUESS)))


def meetings_of(conn: Connection, participant_ids: list[str]) -> list[tuple[str, datetime, str]]:
    """(participant, honest time of the check-in, word key) for each check-in on a day with
    a word of the day at the site it was made at, by time."""
    if not participant_ids:
        return []
    rows = conn.execute(
        select(events.c.participant_id, events.c.wall_at, events.c.corrected_wall_at,
               words.c.word)
        .join(
            words,
            and_(words.c.site_id == events.c.site_id, words.c.day == events.c.workshop_day),
        )
        .where(
            member_of(conn, events.c.participant_id, participant_ids),
            events.c.kind.in_(sorted(OPENS_SESSION)),
        )
    )  # fmt: skip
    found = [
        (row.participant_id,
         row.wall_at if row.corrected_wall_at is None else row.corrected_wall_at,
         word_key(row.word))
        for row in rows
    ]  # fmt: skip
    return sorted(found, key=lambda m: (m[1], m[0], m[2]))


def progress_of(conn: Connection, participant_id: str, at: datetime) -> WordProgress:
    """The participant's word progress as of `at` (aware): what was known by then."""
    return progresses_of(conn, [participant_id], at)[participant_id]


def progresses_of(
    conn: Connection, participant_ids: list[str], at: datetime
) -> dict[str, WordProgress]:
    """progress_of for several participants: each site's meetings and answers read (and
    its curve fitted) once, however many of its participants are asked for."""
    rows = conn.execute(
        select(participants.c.id, participants.c.site_id).where(
            member_of(conn, participants.c.id, participant_ids)
        )
    )
    sites = {row.id: row.site_id for row in rows}
    found: dict[str, WordProgress] = {}
    for site in sorted({sites.get(pid) for pid in participant_ids}, key=str):
        asked = [pid for pid in participant_ids if sites.get(pid) == site]
        people = set(asked)
        # A site with fewer answers than a fit needs (its word cards count them all) keeps
        # the default curve: then only the asked participants' own history is read.
        fitting = site is not None and answers_at(conn, site) >= calibration.MIN_ANSWERS
        if fitting:
            people |= set(
                conn.execute(
                    select(participants.c.id).where(participants.c.site_id == site)
                ).scalars()
            )
        all_met = [m for m in meetings_of(conn, sorted(people)) if m[1] <= at]
        all_checks = [a for a in answers_of(conn, people) if a.at <= at]
        fit = site_fit(site, at, all_met, all_checks) if fitting else SiteFit((), ())
        for pid in asked:
            met = [(when, key) for who, when, key in all_met if who == pid]
            checks = [a for a in all_checks if a.participant_id == pid]
            found[pid] = progress_from(met, checks, at, fit)
    return found


def answers_at(conn: Connection, site: object) -> int:
    """Every answered check (right or wrong) of the site's participants, from their word
    cards: cheap, and never fewer than the answers a fit would count."""
    total = conn.execute(
        select(func.coalesce(func.sum(word_cards.c.rights + word_cards.c.wrongs), 0))
        .join(participants, participants.c.id == word_cards.c.participant_id)
        .where(participants.c.site_id == site)
    ).scalar()
    return int(total or 0)


def site_fit(
    site: object,
    at: datetime,
    met: list[tuple[str, datetime, str]],
    checks: list[StoredAnswer],
) -> SiteFit:
    """The calibration of the site's curve on these meetings and answers, kept per site and
    day for as long as they stay the same (a late door's answers make a new fit)."""
    data = hash((tuple(met), tuple((a.participant_id, a.word, a.at, a.answer) for a in checks)))
    key = (site, at.date(), data)
    with _FITS_LOCK:
        found = _FITS.get(key)
    if found is None:
        cards: dict[tuple[str, str], list[Event]] = {}
        for pid, when, word in met:
            cards.setdefault((pid, word), []).append(Event(when, MEET))
        for a in checks:
            if a.answer in (RIGHT, WRONG):
                kind = calibration.RIGHT if a.answer == RIGHT else calibration.WRONG
                cards.setdefault((a.participant_id, a.word), []).append(Event(a.at, kind))
        found = calibration.fit_site(cards.values())
        with _FITS_LOCK:
            if len(_FITS) >= _KEEP_FITS:
                _FITS.pop(next(iter(_FITS)))
            _FITS[key] = found
    return found


def progress_from(
    met: list[tuple[datetime, str]],
    checks: list[StoredAnswer],
    at: datetime,
    fit: SiteFit | None = None,
) -> WordProgress:
    """The figures from the meetings and checks (both by time, none after `at`); the
    model's curve from `fit` (None: the default curve throughout)."""
    fit = fit or SiteFit((), ())
    last_met: dict[str, datetime] = {}
    last_seen: dict[str, datetime] = {}
    history: dict[str, list[Event]] = {}  # the card's meetings and answers so far
    long_after: list[tuple[bool, float]] = []  # (right, the model's chance before)
    # Meetings before checks at the same instant: a check follows its check-in.
    timeline = sorted(
        [(when, 0, key, None) for when, key in met] + [(a.at, 1, a.word, a) for a in checks],
        key=lambda item: (item[0], item[1]),
    )
    for when, _, key, check in timeline:
        if check is None:
            last_met[key] = last_seen[key] = when
            history.setdefault(key, []).append(Event(when, MEET))
            continue
        seen = last_seen.get(key)
        if check.answer in (RIGHT, WRONG) and seen is not None and when - seen >= LONG_AFTER:
            curve = fit.curve_before(when.date())
            chance = calibration.chance(history.get(key, []), when, curve)
            long_after.append((check.answer == RIGHT, chance))
        if check.answer in (RIGHT, WRONG):
            kind = calibration.RIGHT if check.answer == RIGHT else calibration.WRONG
            history.setdefault(key, []).append(Event(when, kind))
        last_seen[key] = when
    answered = sum(c.answer in (RIGHT, WRONG) for c in checks)
    now = fit.curve_before(at.date() + timedelta(days=1))  # the answers up to now
    chances = [calibration.chance(history[k], at, now) for k in last_met]
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
        model_answers=now.answers,
        recall_30d_right=sum(r for r, _ in long_after),
    )
