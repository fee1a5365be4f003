"""Keeping the word cards from the recall answers as they arrive (issue 16, docs/learning.md).

A push's newly stored word_recall records name (participant, word) pairs; each pair's card
is rebuilt from ALL that participant's answers to the word, ordered by honest time (the
answer of a door that was offline for a week lands in its place), and written in the same
transaction as the records. A card rests on a handful of answers, so rebuilding it whole
is cheap and makes the arrival order irrelevant: two doors converge to one card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsrs import Card, State
from sqlalchemy import Connection, delete, func, select

from server.learning.cards import Given, card_of
from server.schema import events, participants, word_cards
from server.sql import member_of, upsert
from sync.recall import RIGHT, SKIPPED, WORD_RECALL, WRONG


@dataclass(frozen=True)
class StoredAnswer:
    """One stored word_recall record, as the cards need it."""

    event_id: str
    participant_id: str
    word: str
    at: datetime  # honest time
    answer: str
    response_ms: int | None = None


def answers_of(conn: Connection, participant_ids: Iterable[str]) -> list[StoredAnswer]:
    """Every stored word_recall answer of these participants, by honest time (then id)."""
    ids = sorted(set(participant_ids))
    if not ids:
        return []
    rows = conn.execute(
        select(
            events.c.id,
            events.c.participant_id,
            events.c.wall_at,
            events.c.corrected_wall_at,
            events.c.detail,
        ).where(events.c.kind == WORD_RECALL, member_of(conn, events.c.participant_id, ids))
    )
    found = [
        StoredAnswer(
            event_id=row.id,
            participant_id=row.participant_id,
            word=str(row.detail.get("word")),
            at=row.wall_at if row.corrected_wall_at is None else row.corrected_wall_at,
            answer=str(row.detail.get("answer")),
            response_ms=row.detail.get("response_ms"),
        )
        for row in rows
    ]
    return sorted(found, key=lambda a: (a.at, a.event_id))


def card_row(answers: list[StoredAnswer]) -> dict[str, Any]:
    """The word_cards columns of one participant's answers to one word (in time order):
    the FSRS card, the counts, and the last answer that said something of memory (right or
    wrong; only skips: skipped)."""
    card = card_of(Given(a.at, a.answer) for a in answers)
    said = [a for a in answers if a.answer in (RIGHT, WRONG)]
    last = said[-1] if said else answers[-1]
    return {
        **_card_columns(card),
        "rights": sum(a.answer == RIGHT for a in answers),
        "wrongs": sum(a.answer == WRONG for a in answers),
        "skips": sum(a.answer == SKIPPED for a in answers),
        "last_answer": last.answer,
        "last_answered_at": last.at,
    }


def _card_columns(card: Card | None) -> dict[str, Any]:
    if card is None:
        return dict.fromkeys(
            ("state", "step", "stability", "difficulty", "due_at", "last_review_at")
        )
    return {
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due_at": card.due,
        "last_review_at": card.last_review,
    }


def note_answers(conn: Connection, pairs: Iterable[tuple[str, str]], now: datetime) -> None:
    """Rebuild the cards of these (participant id, word key) pairs from all their answers:
    called by the ingest for the records it has just stored, after their honest times, and
    by the retention after it deleted old answers (a pair with none left loses its card:
    nothing derived outlives the answers it came from)."""
    wanted = set(pairs)
    if not wanted:
        return
    named = sorted({pid for pid, _ in wanted})
    # Two doors' pushes may bring answers of one participant at once. Each rebuild reads all
    # their answers, so on PostgreSQL (read committed) one would miss the other's answer not
    # yet committed, and the last upsert would win with a card short of an answer. Locking
    # the participants' rows first (in id order: no deadlock) makes the second rebuild wait
    # for the first to commit and then read its answer too. FOR NO KEY UPDATE: the events'
    # foreign keys (FOR KEY SHARE) are not held up. SQLite has one writer at a time anyway.
    sites: dict[str, str] = {
        row.id: row.site_id
        for row in conn.execute(
            select(participants.c.id, participants.c.site_id)
            .where(member_of(conn, participants.c.id, named))
            .order_by(participants.c.id)
            .with_for_update(key_share=True)
        )
    }
    grouped: dict[tuple[str, str], list[StoredAnswer]] = {}
    for answer in answers_of(conn, sites):
        key = (answer.participant_id, answer.word)
        if key in wanted:
            grouped.setdefault(key, []).append(answer)
    for participant_id, word in sorted(wanted - set(grouped)):
        conn.execute(
            delete(word_cards).where(
                word_cards.c.participant_id == participant_id, word_cards.c.word == word
            )
        )
    for (participant_id, word), answers in sorted(grouped.items()):
        if participant_id not in sites:
            continue  # erased meanwhile
        row = {"participant_id": participant_id, "word": word, "site_id": sites[participant_id]}
        upsert(conn, word_cards, ["participant_id", "word"],
               {**row, **card_row(answers), "updated_at": now})  # fmt: skip


def count_cards(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(word_cards)).scalar_one())


def stored_card(row: Any) -> Card | None:
    """The card of a word_cards row (or any row with its card columns); None: only skips."""
    if row.due_at is None:
        return None
    return Card(
        card_id=1,
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due_at,
        last_review=row.last_review_at,
    )
