"""The plan of a site: the day's tasks and the words of the day.

Read for the planning page, changed there one by one (each change audited in its own
transaction), or loaded whole from a JSON file (`prikklok server load-plan`). Everything
stored has passed the snapshot's own models, and a pictogram is one the set has
(sync.pictograms): a plan never makes the snapshot unservable, nor a door draw a gap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Connection, Engine, delete, select

from server.administration.operations import AdminError, require_site
from server.administration.rights import record_audit
from server.db import writing
from server.schema import media, participants, sites, tasks, words
from server.sql import upsert
from server.wording import describe
from sync.pictograms import known
from sync.protocol import SnapshotTask, SnapshotWord


class Plan(BaseModel):
    """{"tasks": [...], "words": [...]}: each as in GET /api/v1/snapshot."""

    model_config = ConfigDict(extra="forbid")

    tasks: list[SnapshotTask] = []
    words: list[SnapshotWord] = []


def read_plan(text: str) -> Plan:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise AdminError(
            f"not JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        raise AdminError(
            describe(error.errors()).replace("invalid request", "invalid plan")
        ) from None


def unknown_pictograms(items: Iterable[SnapshotTask | SnapshotWord]) -> list[str]:
    """The pictogram names among `items` that the set does not have, sorted."""
    return sorted({i.pictogram for i in items if i.pictogram and not known(i.pictogram)})


def load_plan(conn: Connection, site_id: str, plan: Plan) -> tuple[int, int]:
    """Replace the site's tasks on the plan's days and set its words; returns the counts."""
    require_site(conn, site_id)
    unknown = unknown_pictograms([*plan.tasks, *plan.words])
    if unknown:
        raise AdminError(f"no pictogram {unknown[0]!r} in the set (see docs/door-data.md)")
    planned: list[SnapshotTask | SnapshotWord] = [*plan.tasks, *plan.words]
    photos = {i.photo for i in planned if i.photo} | {w.voice for w in plan.words if w.voice}
    stored = set(conn.execute(select(media.c.sha256).where(media.c.sha256.in_(photos))).scalars())
    if photos - stored:
        raise AdminError(f"no photo {sorted(photos - stored)[0]} stored on this server")
    named = {t.participant_id for t in plan.tasks if t.participant_id}
    ours = set(
        conn.execute(
            select(participants.c.id).where(
                participants.c.id.in_(named), participants.c.site_id == site_id
            )
        ).scalars()
    )
    if named - ours:
        raise AdminError(f"task for unknown participant {sorted(named - ours)[0]!r}")
    days = {t.day for t in plan.tasks}
    if days:
        conn.execute(delete(tasks).where(tasks.c.site_id == site_id, tasks.c.day.in_(days)))
    for task in plan.tasks:
        conn.execute(tasks.insert().values(site_id=site_id, **task.model_dump()))
    for word in plan.words:
        upsert(conn, words, ["site_id", "day"], {"site_id": site_id, **word.model_dump()})
    return len(plan.tasks), len(plan.words)


# --- the planning page ---------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """What the planning page shows of a site for some days."""

    people: list[Any]  # the active participants (id, display_name, team), by name
    names: dict[str, str]  # every participant of the site, active or not, by id
    tasks: list[Any]  # task rows, by day and then in the order planned
    words: dict[date, Any]  # word rows by day
    spoken: set[str]  # the languages the site's active participants speak
    editing: Any | None  # the stored word of the day asked to edit, if any


def site(engine: Engine, site_id: str) -> Any | None:
    """The site's row, or None when there is no such site."""
    with engine.connect() as conn:
        return conn.execute(select(sites).where(sites.c.id == site_id)).first()


def spoken_languages(engine: Engine, site_id: str) -> set[str]:
    with engine.connect() as conn:
        return _spoken(conn, site_id)


def _spoken(conn: Connection, site_id: str) -> set[str]:
    return set(
        conn.execute(
            select(participants.c.language).where(
                participants.c.site_id == site_id, participants.c.active.is_(True)
            )
        ).scalars()
    )


def window(
    engine: Engine, site_id: str, first: date, last: date, editing: date | None = None
) -> Window:
    """The site's plan from `first` to `last`, both included."""
    with engine.connect() as conn:
        people = conn.execute(
            select(participants.c.id, participants.c.display_name, participants.c.team)
            .where(participants.c.site_id == site_id, participants.c.active.is_(True))
            .order_by(participants.c.display_name)
        ).all()
        names = dict(
            conn.execute(
                select(participants.c.id, participants.c.display_name).where(
                    participants.c.site_id == site_id
                )
            ).all()
        )
        planned = conn.execute(
            select(tasks)
            .where(tasks.c.site_id == site_id, tasks.c.day >= first, tasks.c.day <= last)
            .order_by(tasks.c.day, tasks.c.id)
        ).all()
        vocabulary = {
            row.day: row
            for row in conn.execute(
                select(words).where(
                    words.c.site_id == site_id, words.c.day >= first, words.c.day <= last
                )
            )
        }
        edited = None
        if editing is not None:
            edited = conn.execute(
                select(words).where(words.c.site_id == site_id, words.c.day == editing)
            ).first()
        spoken = _spoken(conn, site_id)
        return Window(list(people), names, list(planned), vocabulary, spoken, edited)


def add_task(engine: Engine, site_id: str, task: SnapshotTask, *, actor: str, at: datetime) -> bool:
    """Plan `task`; False (and nothing stored) when it names someone of another site."""
    with writing(engine) as conn:
        if task.participant_id is not None:
            ours = conn.execute(
                select(participants.c.id).where(
                    participants.c.id == task.participant_id, participants.c.site_id == site_id
                )
            ).first()
            if ours is None:
                return False
        conn.execute(tasks.insert().values(site_id=site_id, **task.model_dump()))
        detail = {"task": "added", "day": task.day.isoformat()}
        record_audit(conn, at, actor, "task", task.participant_id, detail)
    return True


def delete_task(engine: Engine, site_id: str, task_id: int, *, actor: str, at: datetime) -> bool:
    """Take a task out of the plan; False when the site has no such task."""
    with writing(engine) as conn:
        row = conn.execute(
            select(tasks).where(tasks.c.id == task_id, tasks.c.site_id == site_id)
        ).first()
        if row is None:
            return False
        conn.execute(delete(tasks).where(tasks.c.id == task_id))
        detail = {"task": "deleted", "day": row.day.isoformat()}
        record_audit(conn, at, actor, "task", row.participant_id, detail)
    return True


def set_word(
    engine: Engine,
    site_id: str,
    word: SnapshotWord,
    theme: str | None,
    *,
    actor: str,
    at: datetime,
) -> None:
    """Set the word of `word.day`, replacing the one planned for that day."""
    with writing(engine) as conn:
        values = {"site_id": site_id, **word.model_dump(), "theme": theme}
        upsert(conn, words, ["site_id", "day"], values)
        detail = {"word": "set", "day": word.day.isoformat()}
        record_audit(conn, at, actor, "word", None, detail)


def delete_word(engine: Engine, site_id: str, day: date, *, actor: str, at: datetime) -> bool:
    """Take the word of `day` out of the plan; False when that day has none."""
    with writing(engine) as conn:
        done = conn.execute(
            delete(words).where(words.c.site_id == site_id, words.c.day == day)
        ).rowcount
        if not done:
            return False
        record_audit(conn, at, actor, "word", None, {"word": "deleted", "day": day.isoformat()})
    return True
