"""server.administration.plan, directly: the planning page's queries and changes, each
change in its own transaction with its audit line, one site kept out of another's plan."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from server.administration import plan
from server.schema import audit_log, tasks, words
from sync.protocol import SnapshotTask, SnapshotWord
from tests.server.conftest import World

DAY = date(2026, 11, 26)
AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ACTOR = "supervisor:s-marieke"


def audited(engine) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(select(audit_log.c.action, audit_log.c.participant_id))
        ]


def test_plan_task_added_shown_and_audited(world: World, engine) -> None:
    task = SnapshotTask(day=DAY, text="Banden plakken", participant_id="p-amal", pictogram="wiel")
    assert plan.add_task(engine, "north", task, actor=ACTOR, at=AT)
    shown = plan.window(engine, "north", DAY, DAY)
    assert [(t.text, t.pictogram, t.participant_id) for t in shown.tasks] == [
        ("Banden plakken", "wiel", "p-amal")
    ]
    assert shown.names == {"p-amal": "Amal", "p-dawit": "Dawit"}
    assert shown.spoken == {"ar", "ti"}
    assert ("task", "p-amal") in audited(engine)


def test_plan_task_for_someone_of_another_site_is_not_stored(world: World, engine) -> None:
    task = SnapshotTask(day=DAY, text="Vegen", participant_id="p-olena")
    assert not plan.add_task(engine, "north", task, actor=ACTOR, at=AT)
    assert plan.window(engine, "north", DAY, DAY).tasks == []
    assert audited(engine) == []


def test_plan_task_deleted_only_from_its_own_site(world: World, engine) -> None:
    plan.add_task(engine, "north", SnapshotTask(day=DAY, text="Ramen"), actor=ACTOR, at=AT)
    with engine.connect() as conn:
        task_id = conn.execute(select(tasks.c.id)).scalar_one()
    assert not plan.delete_task(engine, "south", task_id, actor=ACTOR, at=AT)
    assert plan.delete_task(engine, "north", task_id, actor=ACTOR, at=AT)
    assert not plan.delete_task(engine, "north", task_id, actor=ACTOR, at=AT)
    assert plan.window(engine, "north", DAY, DAY).tasks == []


def test_plan_word_replaces_that_days_word_and_is_deleted(world: World, engine) -> None:
    hamer = SnapshotWord(day=DAY, word="hamer", article="de", pictogram="hamer")
    plan.set_word(engine, "north", hamer, "Gereedschap", actor=ACTOR, at=AT)
    zaag = SnapshotWord(day=DAY, word="zaag", article="de", pictogram="zaag")
    plan.set_word(engine, "north", zaag, None, actor=ACTOR, at=AT)
    shown = plan.window(engine, "north", DAY, DAY, editing=DAY)
    assert [(w.word, w.pictogram, w.theme) for w in shown.words.values()] == [
        ("zaag", "zaag", None)
    ]
    assert shown.editing.word == "zaag"
    assert not plan.delete_word(engine, "south", DAY, actor=ACTOR, at=AT)
    assert plan.delete_word(engine, "north", DAY, actor=ACTOR, at=AT)
    with engine.connect() as conn:
        assert conn.execute(select(words.c.id)).first() is None
    assert audited(engine).count(("word", None)) == 3


def test_plan_site_and_window_limits(world: World, engine) -> None:
    assert plan.site(engine, "north").timezone == "Europe/Amsterdam"
    assert plan.site(engine, "nowhere") is None
    for day in (date(2026, 11, 25), DAY, date(2026, 11, 27)):
        plan.add_task(engine, "north", SnapshotTask(day=day, text=str(day)), actor=ACTOR, at=AT)
    plan.add_task(engine, "south", SnapshotTask(day=DAY, text="south"), actor=ACTOR, at=AT)
    assert [t.text for t in plan.window(engine, "north", DAY, DAY).tasks] == [str(DAY)]
