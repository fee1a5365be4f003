"""The recall answers and word cards under the participant's rights (issue 16): retention
deletes old answers and rebuilds or deletes the cards made from them, the export holds
both, the erasure leaves nothing."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from server.administration.rights import apply_retention, erase_participant, export_participant
from server.db import writing
from server.learning.cards import Given, card_of
from tests.server.conftest import NOW, HeldClock, World
from tests.server.recall_world import cards, noon, push, recalled
from tests.server.test_rights import amal_everywhere, naming

LONG_AGO = NOW - timedelta(days=400)


def test_retention_rebuilds_the_cards_from_the_answers_kept(
    client: TestClient, world: World, engine: Engine, clock: HeldClock
) -> None:
    clock.now = LONG_AGO
    push(
        client,
        world,
        recalled(1, "hamer", "wrong", LONG_AGO - timedelta(hours=1)),
        recalled(2, "zaag", "right", LONG_AGO - timedelta(hours=1)),
    )
    clock.now = NOW
    recent = noon(NOW.date() - timedelta(days=3))
    push(client, world, recalled(3, "hamer", "right", recent))
    with writing(engine) as conn:
        counts = apply_retention(conn, NOW, 365)
    assert counts["events"] == 2 and counts["word_cards"] == 1
    kept = cards(engine)
    assert set(kept) == {"hamer"}  # zaag's only answer is gone, and its card with it
    assert kept["hamer"][0] == card_of([Given(recent, "right")])
    assert kept["hamer"][1:] == (1, 0, 0, "right")


def test_export_holds_the_answers_and_cards(
    client: TestClient, world: World, engine: Engine
) -> None:
    push(client, world, recalled(1, "hamer", "right", noon(NOW.date())))
    with engine.connect() as conn:
        data = export_participant(conn, "p-amal", NOW)
    (answer,) = data["word_answers"]
    assert answer["detail"] == {"word": "hamer", "answer": "right", "response_ms": 2100}
    assert [c["word"] for c in data["word_cards"]] == ["hamer"]
    assert data["word_cards"][0]["rights"] == 1
    assert all(t["kind"] != "word_recall" for t in data["taps"])
    json.dumps(data)  # JSON-ready


def test_erasure_leaves_no_answer_or_card(client: TestClient, world: World, engine: Engine) -> None:
    amal_everywhere(client, world, engine)
    push(client, world, recalled(20, "hamer", "wrong", noon(NOW.date())))
    assert cards(engine)
    with writing(engine) as conn:
        counts = erase_participant(conn, "p-amal", "admin (cli)", NOW)
    assert counts["word_cards"] == 1 and cards(engine) == {}
    assert naming(engine, "p-amal", "Amal") == []
