"""GET /api/v1/snapshot with the recall plans (issue 16): each participant's due words,
the one most likely forgotten first, and the words they met; only to a door that
understands RECALL, never for a participant or site with the check switched off, and a new
ETag once an answer arrives."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from server.administration.plan import Plan, load_plan
from server.db import writing
from server.schema import participants, sites
from sync.protocol import PICTOGRAMS, RECALL, UNDERSTANDS_HEADER, SnapshotWord
from tests.server.conftest import World
from tests.server.recall_world import check_in, noon, plan_words, push, recalled, word_day

TODAY = date(2026, 11, 25)  # day 23 of recall_world's words
# Amal came on days 0 (hamer), 5 (ladder), 14 (koffie), 20 (kwast), 22 (zon) and today;
# today's word is "kwast" again. Dawit came on day 1 (zaag) only.
AMAL_DAYS = (0, 5, 14, 20, 22, 23)


@pytest.fixture
def history(client: TestClient, world: World, engine: Engine) -> None:
    plan_words(engine)
    with writing(engine) as conn:
        today = SnapshotWord(
            day=TODAY, word="De kwast", article="de", translations={}, pictogram="kwast"
        )
        load_plan(conn, "north", Plan(words=[today]))
    visits = [check_in(n + 1, word_day(d)) for n, d in enumerate(AMAL_DAYS)]
    visits.append(check_in(20, word_day(1), participant="p-dawit"))
    push(client, world, *visits)
    push(
        client,
        world,
        recalled(30, "hamer", "right", noon(word_day(15))),
        recalled(31, "hamer", "right", noon(word_day(22))),
        recalled(32, "ladder", "wrong", noon(word_day(10))),
        recalled(33, "koffie", "skipped", noon(word_day(16))),
    )


def pull(client: TestClient, world: World, understood: str, etag: str | None = None) -> Any:
    headers = {**world.auth(), UNDERSTANDS_HEADER: understood}
    if etag:
        headers["If-None-Match"] = etag
    return client.get("/api/v1/snapshot", headers=headers)


def plans(answer: Any) -> dict[str, dict[str, Any]]:
    return {p["participant_id"]: p for p in answer.json()["recall"]}


def test_plan_names_due_words_most_forgotten_first(
    history: None, client: TestClient, world: World
) -> None:
    """Due: ladder (answered wrong 13 days ago), koffie (met 9 days ago, only skipped),
    zon (met yesterday, never asked). Not hamer: right twice, not due yet. Not kwast:
    it is today's word. Met: every word of a day she came, newest first."""
    answer = pull(client, world, f"{PICTOGRAMS},{RECALL}")
    amal = plans(answer)["p-amal"]
    assert amal["due"] == ["ladder", "koffie", "zon"]
    assert amal["met"] == ["zon", "kwast", "koffie", "ladder", "hamer"]
    assert amal["known"] == 1
    assert answer.json()["site"]["word_check"] is True


def test_recall_words_are_the_planned_words_the_door_lacks(
    history: None, client: TestClient, world: World
) -> None:
    snapshot = pull(client, world, f"{PICTOGRAMS},{RECALL}").json()
    shown = {w["word"] for w in snapshot["words"]}
    extra = {w["word"]: w for w in snapshot["recall_words"]}
    assert set(extra) == {"zon", "koffie", "ladder", "hamer", "zaag"}  # zaag: Dawit's
    assert not shown & set(extra) and "De kwast" in shown
    assert extra["hamer"]["pictogram"] == "hamer" and extra["hamer"]["day"] == "2026-11-02"
    without_pictograms = pull(client, world, RECALL).json()["recall_words"]
    assert all("pictogram" not in w for w in without_pictograms)


def test_a_door_that_does_not_understand_recall_gets_none(
    history: None, client: TestClient, world: World
) -> None:
    snapshot = pull(client, world, PICTOGRAMS).json()
    assert "recall" not in snapshot and "recall_words" not in snapshot
    assert "word_check" not in snapshot["site"]


def test_the_check_switched_off_gives_no_plan(
    history: None, client: TestClient, world: World, engine: Engine
) -> None:
    with writing(engine) as conn:
        conn.execute(
            update(participants).where(participants.c.id == "p-amal").values(word_check=False)
        )
    assert set(plans(pull(client, world, RECALL))) == {"p-dawit"}
    with writing(engine) as conn:
        conn.execute(update(sites).where(sites.c.id == "north").values(word_check=False))
    snapshot = pull(client, world, RECALL).json()
    assert snapshot["recall"] == [] and snapshot["recall_words"] == []
    assert snapshot["site"]["word_check"] is False


def test_an_answer_gives_the_doors_a_new_plan(
    history: None, client: TestClient, world: World
) -> None:
    first = pull(client, world, RECALL)
    etag = first.headers["etag"]
    assert pull(client, world, RECALL, etag).status_code == 304
    push(client, world, recalled(40, "ladder", "right", noon(TODAY, -60)))
    again = pull(client, world, RECALL, etag)
    assert again.status_code == 200 and again.headers["etag"] != etag
    assert "ladder" not in plans(again)["p-amal"]["due"]
