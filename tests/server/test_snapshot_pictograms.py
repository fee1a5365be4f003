"""The snapshot names each task's and word's pictogram — for a kiosk that says it
understands them; a kiosk of before pictograms gets the snapshot it can read, and a
snapshot of before pictograms still loads at the door."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from server.administration.operations import AdminError
from server.administration.plan import Plan, load_plan
from server.db import writing
from sync.protocol import PICTOGRAMS, UNDERSTANDS_HEADER, Snapshot, SnapshotTask, SnapshotWord
from sync.roster import DoorData
from tests.server.conftest import World

TODAY = date(2026, 11, 25)
UNDERSTANDS = {UNDERSTANDS_HEADER: PICTOGRAMS}


def planned(engine) -> None:
    plan = Plan(
        tasks=[
            SnapshotTask(day=TODAY, text="Fietsen repareren", pictogram="fiets"),
            SnapshotTask(day=TODAY, text="Ramen lappen"),
        ],
        words=[SnapshotWord(day=TODAY, word="bezem", article="de", pictogram="bezem")],
    )
    with writing(engine) as conn:
        load_plan(conn, "north", plan)


def test_snapshot_carries_the_pictogram(client: TestClient, world: World, engine) -> None:
    planned(engine)
    answer = client.get("/api/v1/snapshot", headers={**world.auth(), **UNDERSTANDS})
    door = Snapshot.model_validate(answer.json())
    assert [(t.text, t.pictogram) for t in door.tasks] == [
        ("Fietsen repareren", "fiets"),
        ("Ramen lappen", None),
    ]
    assert door.words[0].pictogram == "bezem"
    data = DoorData.from_dict(door.door_data_dict())
    assert [t.pictogram for t in data.tasks] == ["fiets", None]
    assert data.words[0].pictogram == "bezem"


def test_snapshot_for_a_kiosk_of_before_pictograms(
    client: TestClient, world: World, engine
) -> None:
    planned(engine)
    asked = client.get("/api/v1/snapshot", headers={**world.auth(), **UNDERSTANDS})
    plain = client.get("/api/v1/snapshot", headers=world.auth())
    # Its models forbid fields they do not know: not one pictogram field reaches it.
    assert all("pictogram" not in item for item in plain.json()["tasks"] + plain.json()["words"])
    assert [t["text"] for t in plain.json()["tasks"]] == ["Fietsen repareren", "Ramen lappen"]
    assert plain.headers["etag"] != asked.headers["etag"]
    assert UNDERSTANDS_HEADER in plain.headers["vary"]
    again = client.get(
        "/api/v1/snapshot", headers={**world.auth(), "If-None-Match": plain.headers["etag"]}
    )
    assert again.status_code == 304


def test_a_snapshot_of_before_pictograms_still_loads() -> None:
    older = {
        "site": {"id": "north", "name": "North", "opens_at": "08:30:00", "closes_at": "17:00:00"},
        "participants": [],
        "supervisors": [],
        "badges": [],
        "tasks": [{"day": "2026-11-25", "text": "Vegen", "participant_id": None, "team": None}],
        "words": [{"day": "2026-11-25", "word": "hamer", "article": "de", "sentence": "",
                   "translations": {}, "symbol": "⚒"}],
    }  # fmt: skip
    door = DoorData.from_dict(Snapshot.model_validate(older).door_data_dict())
    assert door.tasks[0].pictogram is None and door.words[0].pictogram is None


def test_load_plan_refuses_a_pictogram_the_set_lacks(world: World, engine) -> None:
    plan = Plan(tasks=[SnapshotTask(day=TODAY, text="Vegen", pictogram="vliegende-schotel")])
    with pytest.raises(AdminError, match="vliegende-schotel"), writing(engine) as conn:
        load_plan(conn, "north", plan)
