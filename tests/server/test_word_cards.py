"""POST /api/v1/records with word_recall answers (issue 16): the server keeps each
participant's word card from all their answers in honest-time order, exactly once, and
sets a bad answer aside alone with its reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fsrs import Card, Rating, Scheduler
from sqlalchemy import Engine, func, select

from server.administration import operations as admin
from server.db import writing
from server.schema import events, rejected_records
from sync.protocol import RECALL, UNDERSTANDS_HEADER
from tests.server.conftest import NOW, World, wire
from tests.server.recall_world import cards, check_in, noon, plan_words, push, recalled, word_day

ANSWERS = ("right", "wrong", "skipped", "right", "right", "wrong", "right")


def py_fsrs(answers: list[tuple[datetime, str]]) -> Card:
    """py-fsrs's own Scheduler with the settings of docs/learning.md, reviewed by hand."""
    scheduler = Scheduler(
        desired_retention=0.85, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )
    card = None
    for at, answer in sorted(answers):
        if answer == "skipped":
            continue
        card = card or Card(card_id=1, due=at)
        rating = Rating.Good if answer == "right" else Rating.Again
        card, _ = scheduler.review_card(card, rating, at)
    assert card is not None
    return card


def same_card(stored: Card | None, expected: Card) -> None:
    assert stored is not None
    got, want = stored.to_dict(), expected.to_dict()
    for name in ("stability", "difficulty"):
        assert got.pop(name) == pytest.approx(want.pop(name), rel=1e-12)
    assert got == want


def sequence() -> list[tuple[datetime, str]]:
    """ANSWERS a few days apart, over three weeks before NOW."""
    return [(noon(word_day(3 * n)), answer) for n, answer in enumerate(ANSWERS)]


def test_card_equals_py_fsrs_review_sequence(
    client: TestClient, world: World, engine: Engine
) -> None:
    records = [recalled(n + 1, "hamer", a, at) for n, (at, a) in enumerate(sequence())]
    assert push(client, world, *records) == [("accepted", None)] * len(records)
    card, rights, wrongs, skips, last = cards(engine)["hamer"]
    same_card(card, py_fsrs(sequence()))
    assert (rights, wrongs, skips, last) == (4, 2, 1, "right")


def test_answers_arriving_out_of_order_give_the_same_card(
    client: TestClient, world: World, engine: Engine
) -> None:
    """Pushed newest first, one push each: the card is the card of the answers in time
    order, not in arrival order."""
    records = [recalled(n + 1, "zaag", a, at) for n, (at, a) in enumerate(sequence())]
    for record in reversed(records):
        assert push(client, world, record) == [("accepted", None)]
    same_card(cards(engine)["zaag"][0], py_fsrs(sequence()))


def test_only_skips_keep_counts_and_no_card(
    client: TestClient, world: World, engine: Engine
) -> None:
    push(client, world, recalled(1, "bezem", "skipped", noon(word_day(5))))
    assert cards(engine)["bezem"] == (None, 0, 0, 1, "skipped")


def test_a_repeated_push_changes_no_card(client: TestClient, world: World, engine: Engine) -> None:
    record = recalled(1, "hamer", "right", noon(word_day(5)))
    push(client, world, record)
    before = cards(engine)
    assert push(client, world, record) == [("duplicate", None)]
    assert cards(engine) == before and before["hamer"][1] == 1


def test_the_answer_of_a_jumped_clock_counts_at_its_honest_time(
    client: TestClient, world: World, engine: Engine
) -> None:
    """A door whose clock jumped a year ahead (not synchronised): the answer is ordered by
    the time reckoned from its boot's monotonic clock, not by the wall time it sent."""
    first = noon(word_day(3))
    honest = noon(word_day(9))
    jumped = recalled(2, "hamer", "wrong", honest + timedelta(days=365), clock_synced=False)
    jumped["monotonic"] = wire(wall_at=honest.isoformat())["monotonic"]
    later = recalled(3, "hamer", "right", noon(word_day(15)))
    push(client, world, recalled(1, "hamer", "right", first), jumped, later)
    expected = py_fsrs([(first, "right"), (honest, "wrong"), (noon(word_day(15)), "right")])
    same_card(cards(engine)["hamer"][0], expected)


@pytest.mark.parametrize(
    ("detail", "fields", "reason"),
    [
        ({"word": "De Hamer", "answer": "right", "response_ms": 900}, {},
         "word_recall: word must be a word key, not 'De Hamer'"),
        ({"word": "hamer", "answer": "maybe", "response_ms": 900}, {},
         "word_recall: answer must be one of right, wrong, skipped, not 'maybe'"),
        ({"word": "hamer", "answer": "skipped", "response_ms": 900}, {},
         "word_recall: a skipped check has no response time"),
        ({"word": "hamer", "answer": "right", "response_ms": -1}, {},
         "word_recall: response_ms must be 0…60000, not -1"),
        ({"word": "hamer", "answer": "right", "response_ms": 900, "shown": ["zaag"]}, {},
         "word_recall: unexpected fields ['shown']"),
        ({"word": "hamer", "answer": "right", "response_ms": 900}, {"participant_id": None},
         "word_recall needs participant_id"),
        ({"word": "hamer", "answer": "right", "response_ms": 900},
         {"participant_id": "p-nobody"}, "unknown participant"),
        ({"word": "hamer", "answer": "right", "response_ms": 900},
         {"participant_id": "p-olena"}, "participant belongs to another site"),
        # A long bad value quoted in the reason: cut to the 200 characters kept beside the
        # record (PostgreSQL refused the whole push with a 500 before: schemathesis found it).
        ({"word": "De " + "x" * 197, "answer": "right", "response_ms": 900}, {},
         "word_recall: word must be a word key, not 'De " + "x" * 153 + "…"),
    ],
)  # fmt: skip
def test_a_bad_answer_is_set_aside_alone_with_its_reason(
    client: TestClient,
    world: World,
    engine: Engine,
    detail: dict[str, Any],
    fields: dict[str, Any],
    reason: str,
) -> None:
    bad = wire(2, kind="word_recall", badge_uid=None, detail=detail, **fields)
    good = recalled(3, "zaag", "right", NOW)
    answers = push(client, world, wire(1), bad, good)
    assert answers == [("accepted", None), ("rejected", reason), ("accepted", None)]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar() == 2
        kept = conn.execute(select(rejected_records.c.reason)).scalars().all()
    assert kept == [reason]
    assert set(cards(engine)) == {"zaag"}


def test_two_doors_one_offline_for_a_week_converge(
    client: TestClient, world: World, engine: Engine
) -> None:
    """Amal answers at the front door while the back door is offline for a week; when the
    back door syncs, her cards are the cards of all her answers in time order, and both
    doors get the same plan."""
    plan_words(engine)
    with writing(engine) as conn:
        back = admin.add_kiosk(conn, "north", "north-back", "Back door", NOW)
    push(client, world, *[check_in(20 + d, word_day(d)) for d in (0, 1, 5, 6)])
    front_answers = [(noon(word_day(d)), w, a) for d, w, a in (
        (2, "hamer", "right"), (4, "zaag", "wrong"), (9, "hamer", "wrong"), (11, "zaag", "right"),
    )]  # fmt: skip
    back_answers = [(noon(word_day(d), 30), w, a) for d, w, a in (
        (3, "hamer", "wrong"), (5, "zaag", "right"), (7, "hamer", "right"), (8, "zaag", "skipped"),
    )]  # fmt: skip
    for n, (at, word, answer) in enumerate(front_answers):
        push(client, world, recalled(n + 1, word, answer, at))  # online: as they happen
    offline = [
        recalled(n + 1, w, a, at, boot_id="back-boot") for n, (at, w, a) in enumerate(back_answers)
    ]
    assert push(client, world, *offline, token=back) == [("accepted", None)] * 4
    everything = front_answers + back_answers
    for word in ("hamer", "zaag"):
        mine = [(at, a) for at, w, a in everything if w == word]
        same_card(cards(engine)[word][0], py_fsrs(mine))
    snapshots = [
        client.get("/api/v1/snapshot", headers={**world.auth(token), UNDERSTANDS_HEADER: RECALL})
        for token in (world.north_token, back)
    ]
    front_plan, back_plan = (s.json()["recall"] for s in snapshots)
    assert front_plan == back_plan
    assert front_plan[0]["participant_id"] == "p-amal" and "zaag" in front_plan[0]["met"]
