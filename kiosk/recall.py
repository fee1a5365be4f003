"""Which word the door checks at a participant's check-out, and the record an answer makes
(issue 16; the record kind and its detail are sync.recall's). Pure Python.

The server's plan names the due words, the one most likely forgotten first; the door asks
the first it can draw that the participant has not answered yet at this door since (an
unsynced answer, or one of today: the plan does not know them yet). The three other
pictures are words they have met, drawn at random, so where the right one sits teaches
nothing.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.decide import Decision, Outcome, Tap
from sync.clock import Instant
from sync.recall import CHOICES, MAX_RESPONSE_MS, RIGHT, SKIPPED, WORD_RECALL, WRONG
from sync.record import Record
from sync.roster import DoorData, Participant, WordOfTheDay


@dataclass(frozen=True)
class RecallCheck:
    """One check: the word asked (`key`, and the word to play and show), and the pictures
    in the order the door shows them, the word's among them."""

    participant_id: str
    key: str
    word: WordOfTheDay
    choices: tuple[WordOfTheDay, ...]

    def is_right(self, chosen: str) -> bool:
        return chosen == self.key


def drawable(word: WordOfTheDay) -> bool:
    """A word the check can show as a picture: the workshop's photo, a pictogram or a
    symbol. A word without one cannot be asked, nor shown beside the asked one."""
    return bool(word.photo or word.pictogram or word.symbol)


def pick_check(
    participant_id: str,
    data: DoorData,
    answered: Collection[str],
    rng: random.Random,
) -> RecallCheck | None:
    """The check for this participant's check-out, or None (no plan, nothing due that the
    door can draw, or fewer than three other words met with a picture)."""
    plan = data.recall.get(participant_id)
    if plan is None:
        return None
    for key in plan.due:
        if key in answered:
            continue
        word = data.word_of(key)
        if word is None or not drawable(word):
            continue
        others = [w for w in _words(data, plan.met, besides=key) if drawable(w)]
        if len(others) < CHOICES - 1:
            return None  # too few words met yet: no check rather than a guess among two
        choices = [word, *rng.sample(others, CHOICES - 1)]
        rng.shuffle(choices)
        return RecallCheck(participant_id, key, word, tuple(choices))
    return None


def _words(data: DoorData, keys: Iterable[str], *, besides: str) -> list[WordOfTheDay]:
    seen, words = {besides}, []
    for key in keys:
        word = data.word_of(key) if key not in seen else None
        seen.add(key)
        if word is not None:
            words.append(word)
    return words


def answer(
    check: RecallCheck,
    participant: Participant,
    at: Instant,
    chosen: str | None,
    response_ms: int | None,
) -> Decision:
    """The record of an answer: `chosen` the key of the picture touched, None when the
    time ran out or the next person tapped (skipped: no response time)."""
    if chosen is None:
        outcome, ms = SKIPPED, None
    else:
        outcome = RIGHT if check.is_right(chosen) else WRONG
        ms = max(0, min(int(response_ms or 0), MAX_RESPONSE_MS))
    detail = {"word": check.key, "answer": outcome, "response_ms": ms}
    return Decision(Outcome.WORD_RECALL, Tap("", at), participant=participant, detail=detail)


def answered_keys(records: Iterable[Record], today: date) -> dict[str, set[str]]:
    """Per participant, the words answered at this door that the server's plan may not know
    yet: unsynced answers, and today's. A skipped check counts too: it was asked."""
    keys: dict[str, set[str]] = {}
    for record in records:
        if record.kind != WORD_RECALL or record.participant_id is None:
            continue
        if record.synced_at is None or record.workshop_day == today:
            keys.setdefault(record.participant_id, set()).add(str(record.detail.get("word")))
    return keys


def right_keys(records: Iterable[Record], today: date) -> dict[str, set[str]]:
    """Per participant, the words whose last answer at this door that the plan may not know
    yet (as answered_keys) was right: "mijn woorden" marks them. A wrong answer after a
    right one takes the mark away again; a skipped check changes nothing."""
    keys: dict[str, set[str]] = {}
    for record in sorted(records, key=lambda r: r.seq):
        if record.kind != WORD_RECALL or record.participant_id is None:
            continue
        if record.synced_at is None or record.workshop_day == today:
            mark(keys, record.participant_id, record.detail)
    return keys


def mark(keys: dict[str, set[str]], participant_id: str, detail: Mapping[str, Any]) -> None:
    """Fold one answer into right_keys' marks."""
    word, outcome = str(detail.get("word")), detail.get("answer")
    if outcome == RIGHT:
        keys.setdefault(participant_id, set()).add(word)
    elif outcome == WRONG:
        keys.get(participant_id, set()).discard(word)
