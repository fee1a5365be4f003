"""Helpers for the recall tests (issue 16): words planned on past days at north, check-ins
on those days and word_recall answers pushed as a door pushes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, select

from server.administration.plan import Plan, load_plan
from server.db import writing
from server.learning.answers import stored_card
from server.schema import word_cards
from sync.protocol import SnapshotWord
from tests.server.conftest import World, wire

# Monday 2 November 2026 onwards: a word a day (the pictograms exist in sync/pictograms).
FIRST_DAY = date(2026, 11, 2)
WORDS = ("hamer", "zaag", "bezem", "emmer", "sleutel", "ladder", "helm", "lamp", "brood",
         "appel", "stoel", "deur", "fiets", "schaar", "koffie", "wiel", "doos", "plant",
         "pan", "mes", "kwast", "verf", "zon", "boom")  # fmt: skip


def word_day(n: int) -> date:
    return FIRST_DAY + timedelta(days=n)


def plan_words(engine: Engine, site: str = "north", days: int = len(WORDS)) -> None:
    """WORDS[n] on FIRST_DAY + n, for `days` days (the last ones reach past today)."""
    with writing(engine) as conn:
        load_plan(conn, site, Plan(words=[
            SnapshotWord(day=word_day(n), word=WORDS[n], article="de", translations={},
                         pictogram=WORDS[n])
            for n in range(days)
        ]))  # fmt: skip


def noon(day: date, minutes: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def check_in(seq: int, day: date, participant: str = "p-amal", **fields: Any) -> dict[str, Any]:
    at = datetime(day.year, day.month, day.day, 7, 30, tzinfo=UTC)
    return wire(seq, kind="check_in", participant_id=participant, badge_uid=None,
                wall_at=at.isoformat(), workshop_day=day.isoformat(), **fields)  # fmt: skip


def recalled(
    seq: int, word: str, answer: str, at: datetime, participant: str = "p-amal", **fields: Any
) -> dict[str, Any]:
    ms = None if answer == "skipped" else 2100
    return wire(seq, kind="word_recall", participant_id=participant, badge_uid=None,
                wall_at=at.isoformat(), workshop_day=at.date().isoformat(),
                detail={"word": word, "answer": answer, "response_ms": ms}, **fields)  # fmt: skip


def push(
    client: TestClient, world: World, *records: dict[str, Any], token: str | None = None
) -> list[tuple[str, Any]]:
    answer = client.post(
        "/api/v1/records", json={"records": list(records)}, headers=world.auth(token)
    )
    assert answer.status_code == 200, answer.text
    return [(r["status"], r["reason"]) for r in answer.json()["results"]]


def card_rows(conn: Connection, participant: str = "p-amal") -> dict[str, Any]:
    rows = conn.execute(select(word_cards).where(word_cards.c.participant_id == participant))
    return {row.word: row for row in rows}


def cards(engine: Engine, participant: str = "p-amal") -> dict[str, Any]:
    """word → (fsrs Card or None, rights, wrongs, skips, last_answer)."""
    with engine.connect() as conn:
        return {
            word: (stored_card(row), row.rights, row.wrongs, row.skips, row.last_answer)
            for word, row in card_rows(conn, participant).items()
        }
