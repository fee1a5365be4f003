"""demo-data: the server's snapshot of the demo site is what door_data() describes."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kiosk.recall import pick_check
from server.db import writing
from server.demo.build import DEMO_TOKEN, load_demo
from server.demo.data import DEMO_KEYS, PEOPLE, door_data
from sync.protocol import PICTOGRAMS, RECALL, UNDERSTANDS_HEADER, Snapshot
from sync.roster import DoorData
from tests.server.conftest import NOW

TODAY = NOW.date()
LANGUAGES = {"ar", "ti", "fa", "so", "uk", "tr", "en"}


@pytest.fixture
def demo(client: TestClient, engine: Engine, tmp_path: Path) -> DoorData:
    with writing(engine) as conn:
        load_demo(conn, TODAY, NOW, tmp_path)
    # As today's kiosks ask: understanding pictograms and the recall check.
    headers = {
        "Authorization": f"Bearer {DEMO_TOKEN}",
        UNDERSTANDS_HEADER: f"{PICTOGRAMS},{RECALL}",
    }
    answer = client.get("/api/v1/snapshot", headers=headers)
    assert answer.status_code == 200, answer.text
    return DoorData.from_dict(Snapshot.model_validate(answer.json()).door_data_dict())


def _without_recall(data: DoorData) -> DoorData:
    """The server reckons the recall plans from the demo's past weeks; the offline file
    makes its own (server.demo.data)."""
    return dataclasses.replace(data, recall={}, recall_words=())


def test_demo_snapshot_equals_door_data(demo: DoorData) -> None:
    assert _without_recall(demo) == _without_recall(DoorData.from_dict(door_data(TODAY)))


@pytest.mark.parametrize("source", ["server", "offline"])
def test_demo_door_checks_a_word_at_amals_check_out(demo: DoorData, source: str) -> None:
    """Amal (key 1) met past words of the day with pictograms and answered some: the demo
    door has a check for her check-out, from the server's plan and from the offline file."""
    data = demo if source == "server" else DoorData.from_dict(door_data(TODAY))
    plan = data.recall["p-amal"]
    assert len(plan.met) >= 4 and plan.due
    check = pick_check("p-amal", data, set(), random.Random(1))
    assert check is not None and check.key in plan.met
    assert all(w.pictogram for w in check.choices) and len(check.choices) == 4
    if source == "server":
        assert plan.known >= 1  # some answered right in the past weeks


def test_demo_people_words_and_one_birthday(demo: DoorData) -> None:
    people = [demo.participants[pid] for pid, *_ in PEOPLE]
    assert len(people) == 12 and len(demo.supervisors) == 2
    assert [p.display_name for p in people if p.has_birthday(TODAY)] == ["Farid"]
    assert all(2 <= len(p.agreed_weekdays) <= 3 for p in people)
    assert len(demo.words) == 7 and all(w.symbol and w.article for w in demo.words)
    assert all(set(w.translations) == LANGUAGES for w in demo.words)


def test_demo_loaded_twice_changes_nothing(demo: DoorData, engine: Engine, tmp_path) -> None:
    with writing(engine) as conn:
        load_demo(conn, TODAY, NOW, tmp_path)
    assert _without_recall(demo) == _without_recall(DoorData.from_dict(door_data(TODAY)))


@pytest.mark.parametrize("day", ["2026-02-28", "2028-02-29", "2026-03-21", "2026-12-31"])
def test_demo_door_data_one_birthday_any_day(day: str) -> None:
    today = date.fromisoformat(day)
    data = DoorData.from_dict(door_data(today))
    assert [p.id for p in data.participants.values() if p.has_birthday(today)] == ["p-farid"]


def test_demo_keys_nine_participants_then_supervisor() -> None:
    data = DoorData.from_dict(door_data(TODAY))
    assert [data.holder_name(uid) for uid in DEMO_KEYS] == [
        "Amal", "Dawit", "Farid", "Hodan", "Olena", "Emre", "Grace", "Zahra", "Yonas", "Marieke",
    ]  # fmt: skip


def test_an_evening_demo_keeps_its_door_open() -> None:
    """After 17:00 the server closes a session at closing time, so an evening demo showed
    nobody inside ("Aanwezig: 0" in the demo test at 19:50): the demo site then closes at
    23:30, and at 17:00 like a workshop during the day."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from server.demo.build import demo_closing

    amsterdam = ZoneInfo("Europe/Amsterdam")
    assert demo_closing(datetime(2026, 12, 4, 10, 0, tzinfo=amsterdam)).hour == 17
    assert demo_closing(datetime(2026, 12, 4, 19, 50, tzinfo=amsterdam)).isoformat() == "23:30:00"
