"""load-plan: tasks and words of the day from a JSON file, in the snapshot's own shapes."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Connection, delete, select

from server.administration.operations import AdminError, require_site
from server.schema import participants, tasks, words
from server.sql import upsert
from server.wording import describe
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


def load_plan(conn: Connection, site_id: str, plan: Plan) -> tuple[int, int]:
    """Replace the site's tasks on the plan's days and set its words; returns the counts."""
    require_site(conn, site_id)
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
