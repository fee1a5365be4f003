"""The recall check at the door (issue 16): which word is asked and with which pictures
(kiosk.recall.pick_check), what an answer records, which answers the door counts on top
of the server's plan; then the Door on a real journal: never at check-in, at a participant's
own check-out when a word is due, and each answer one word_recall record."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hardware.feedback import QuietIndicator
from kiosk.decide import Outcome
from kiosk.door import Door
from kiosk.recall import answer, answered_keys, drawable, pick_check, right_keys
from kiosk.word_views import check_view, my_words_view
from sync.clock import WORKSHOP_TZ, HeldClock
from sync.journal import Journal
from sync.recall import CHOICES, RIGHT, SKIPPED, WORD_RECALL, WRONG, detail_problem
from sync.record import Record
from sync.roster import DoorData

TUESDAY = datetime(2026, 11, 24, 9, 0, tzinfo=WORKSHOP_TZ)
AMAL_BADGE, SANNE_BADGE = "04000002", "04000001"
# Words met on earlier days, each with a pictogram; "trap" has no picture at all.
MET = {
    "hamer": ("de", "hamer"), "bezem": ("de", "bezem"), "emmer": ("de", "emmer"),
    "deur": ("de", "deur"), "fiets": ("de", "fiets"), "koffie": ("de", "koffie"),
}  # fmt: skip


def recall_words(day: date) -> list[dict[str, Any]]:
    """The words a plan names, as a snapshot sends them (`recall_words`): one a day back."""
    words = [
        {"day": (day - timedelta(days=n + 1)).isoformat(), "word": word, "article": article,
         "pictogram": key, "sentence": "", "translations": {}}
        for n, (key, (article, word)) in enumerate(MET.items())
    ]  # fmt: skip
    words.append({"day": (day - timedelta(days=30)).isoformat(), "word": "trap",
                  "article": "de", "sentence": "", "translations": {}})  # fmt: skip
    return words


def plan(due: list[str], *, known: int = 2, pid: str = "p-amal") -> dict[str, Any]:
    return {"participant_id": pid, "due": due, "met": [*MET, "trap"], "known": known}


def data(due: list[str] | None = None, **plan_fields: Any) -> DoorData:
    return DoorData.from_dict(
        {
            "participants": [
                {"id": "p-amal", "display_name": "Amal", "language": "ar"},
                {"id": "p-sanne", "display_name": "Sanne", "language": "nl"},
            ],
            "badges": [
                {"uid": AMAL_BADGE, "holder_id": "p-amal"},
                {"uid": SANNE_BADGE, "holder_id": "p-sanne"},
            ],
            "recall_words": recall_words(TUESDAY.date()),
            "recall": [plan(due if due is not None else ["emmer", "hamer"], **plan_fields)],
        }
    )


# -- pure: the pick ----------------------------------------------------------------------
def test_the_check_asks_the_first_due_word_among_four_words_met() -> None:
    check = pick_check("p-amal", data(), set(), random.Random(1))
    assert check is not None and check.key == "emmer"
    keys = [c.word for c in check.choices]
    assert len(keys) == CHOICES and len(set(keys)) == CHOICES and "emmer" in keys
    assert set(keys) <= set(MET)  # the others are words they met, never "trap" (no picture)


def test_a_word_answered_since_the_plan_is_not_asked_again() -> None:
    check = pick_check("p-amal", data(), {"emmer"}, random.Random(1))
    assert check is not None and check.key == "hamer"
    assert pick_check("p-amal", data(), {"emmer", "hamer"}, random.Random(1)) is None


def test_a_due_word_without_a_picture_is_passed_over() -> None:
    assert not drawable(data().word_of("trap"))  # type: ignore[arg-type]
    check = pick_check("p-amal", data(["trap", "deur"]), set(), random.Random(1))
    assert check is not None and check.key == "deur"


def test_too_few_words_met_with_a_picture_asks_nothing() -> None:
    few = replace(data(), recall={"p-amal": replace(data().recall["p-amal"],
                                                    met=("emmer", "hamer", "trap"))})  # fmt: skip
    assert pick_check("p-amal", few, set(), random.Random(1)) is None


def test_no_plan_no_check() -> None:
    assert pick_check("p-sanne", data(), set(), random.Random(1)) is None


def test_where_the_right_picture_sits_changes() -> None:
    places = {
        [c.word for c in check.choices].index("emmer")
        for seed in range(40)
        if (check := pick_check("p-amal", data(), set(), random.Random(seed))) is not None
    }
    assert places == {0, 1, 2, 3}


# -- pure: the answer --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("chosen", "ms", "detail"),
    [
        ("emmer", 1800, {"word": "emmer", "answer": RIGHT, "response_ms": 1800}),
        ("deur", 2400, {"word": "emmer", "answer": WRONG, "response_ms": 2400}),
        (None, None, {"word": "emmer", "answer": SKIPPED, "response_ms": None}),
        ("emmer", 90_000, {"word": "emmer", "answer": RIGHT, "response_ms": 60_000}),
    ],
)
def test_an_answer_records_right_wrong_or_skipped(
    chosen: str | None, ms: int | None, detail: dict[str, Any]
) -> None:
    door_data = data()
    check = pick_check("p-amal", door_data, set(), random.Random(1))
    assert check is not None
    decision = answer(check, door_data.participants["p-amal"], HeldClock(TUESDAY).now(),
                      chosen, ms)  # fmt: skip
    assert decision.outcome is Outcome.WORD_RECALL and decision.detail == detail
    assert detail_problem(WORD_RECALL, decision.detail) is None


def recall_record(seq: int, word: str, outcome: str, *, day: date, synced: bool) -> Record:
    at = datetime(day.year, day.month, day.day, 15, 0, tzinfo=WORKSHOP_TZ)
    return Record(
        kind=WORD_RECALL, wall_at=at, workshop_day=day, clock_synced=True, boot_id="b",
        monotonic=float(seq), participant_id="p-amal",
        detail={"word": word, "answer": outcome,
                "response_ms": None if outcome == SKIPPED else 1000},
        id=f"r{seq}", seq=seq, synced_at=at if synced else None,
    )  # fmt: skip


def test_answered_and_right_keys_are_what_the_plan_cannot_know_yet() -> None:
    today, before = TUESDAY.date(), TUESDAY.date() - timedelta(days=7)
    records = [
        recall_record(1, "bezem", RIGHT, day=before, synced=True),  # the plan knows it
        recall_record(2, "hamer", RIGHT, day=before, synced=False),  # a week offline
        recall_record(3, "emmer", RIGHT, day=today, synced=True),  # today, synced already
        recall_record(4, "deur", SKIPPED, day=today, synced=False),  # asked: counts
        recall_record(5, "hamer", WRONG, day=today, synced=False),  # then forgot it
    ]
    assert answered_keys(records, today) == {"p-amal": {"hamer", "emmer", "deur"}}
    assert right_keys(records, today) == {"p-amal": {"emmer"}}


def test_the_check_view_shows_the_dutch_word_and_four_pictures() -> None:
    check = pick_check("p-amal", data(), set(), random.Random(1))
    assert check is not None
    view = check_view(check)
    assert view.screen == "recall" and view.timeout == 5.0
    assert view.title.dutch == "de emmer" and view.title.own is None
    assert view.recall is not None and view.recall.asked.key == "emmer"
    assert [p.pictogram for p in view.recall.choices] == [c.pictogram for c in check.choices]


def test_my_words_shows_the_words_met_and_the_count_in_their_language() -> None:
    door_data = data(known=3)
    view = my_words_view("p-amal", door_data.recall["p-amal"], door_data, "ar", {"hamer"})
    assert view.words is not None
    assert [p.key for p in view.words.pictures] == [*MET, "trap"]
    assert [p.key for p in view.words.pictures if p.mark] == ["hamer"]
    assert view.words.count.dutch == "Je kent 3 van de 7 woorden"
    assert view.words.count.own == "تعرف 3 من 7 كلمة"
    assert view.title.dutch == "Mijn woorden" and view.title.own == "كلماتي"


# -- the Door on a real journal ------------------------------------------------------------
@pytest.fixture
def door(tmp_path: Path) -> Any:
    journal = Journal(tmp_path / "journal.db", kiosk_id="door-test")
    journal.store_door_data(data(), source="test")
    clock = HeldClock(TUESDAY)
    door = Door(journal=journal, clock=clock, feedback=QuietIndicator(),
                rng=random.Random(3))  # fmt: skip
    yield door, clock
    journal.close()


def test_never_a_check_at_check_in_and_one_at_the_own_check_out(door: Any) -> None:
    door, clock = door
    check_in = door.tap(AMAL_BADGE)
    assert check_in.decision.outcome is Outcome.CHECK_IN and check_in.recall is None
    clock.advance(4 * 3600)
    check_out = door.tap(AMAL_BADGE)
    assert check_out.decision.outcome is Outcome.CHECK_OUT
    assert check_out.recall is not None and check_out.recall.key == "emmer"
    # Sanne has no plan: her check-out asks nothing.
    door.tap(SANNE_BADGE)
    clock.advance(4 * 3600)
    assert door.tap(SANNE_BADGE).recall is None


def test_an_answer_is_one_record_and_the_next_check_out_asks_the_next_word(door: Any) -> None:
    door, clock = door
    door.tap(AMAL_BADGE)
    clock.advance(4 * 3600)
    check = door.tap(AMAL_BADGE).recall
    door.answer_recall(check, "emmer", 1750)
    (record,) = door.journal.of_kind(WORD_RECALL)
    assert record.participant_id == "p-amal"
    assert record.detail == {"word": "emmer", "answer": RIGHT, "response_ms": 1750}
    assert door.words_right("p-amal") == {"emmer"}
    clock.advance(60)
    door.tap(AMAL_BADGE)  # back in, out again: "emmer" is answered, "hamer" is next
    clock.advance(3600)
    again = door.tap(AMAL_BADGE).recall
    assert again is not None and again.key == "hamer"
    door.answer_recall(again, None, None)  # skipped
    clock.advance(60)
    door.tap(AMAL_BADGE)
    clock.advance(3600)
    assert door.tap(AMAL_BADGE).recall is None  # both due words asked today


def test_a_restarted_door_remembers_what_it_asked(door: Any, tmp_path: Path) -> None:
    door, clock = door
    door.tap(AMAL_BADGE)
    clock.advance(4 * 3600)
    door.answer_recall(door.tap(AMAL_BADGE).recall, "deur", 3000)
    again = Door(journal=door.journal, clock=clock, feedback=QuietIndicator())
    assert again.recall_answered == {"p-amal": {"emmer"}}
    assert again.words_right("p-amal") == set()  # it was wrong
