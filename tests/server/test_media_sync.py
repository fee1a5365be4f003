"""The door's photo cache, filled by the real sync agent from a real server (uvicorn on
127.0.0.1): a photo the plan names arrives once, bytes that do not match their name are
refused and fetched again, the cache stays within its bound, and a photo no coming plan
names leaves the door."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, update

from server.administration import media
from server.administration.plan import Plan, load_plan
from server.db import writing
from server.schema import media as media_table
from sync.agent import sync_once
from sync.client import ServerClient
from sync.clock import Instant
from sync.journal import Journal
from sync.media import MediaCache, media_file
from sync.protocol import SnapshotTask, SnapshotWord
from tests.faults.harness import SITE, register, running_server
from tests.server.photos import phone_photo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> Instant:
    return Instant(datetime.now(UTC), 100.0, "boot-1", True)


@dataclass
class Door:
    journal: Journal
    client: ServerClient
    cache: MediaCache

    def sync(self) -> list[str]:
        """One real round; its problems."""
        return sync_once(self.journal, self.client, now=now, media=self.cache).problems


@pytest.fixture
def door(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[Door]:
    token = register(database_url, ["door-1"])["door-1"]
    with running_server(database_url, tmp_path) as server:
        client = ServerClient(server.url, token, timeout=10)
        with Journal(tmp_path / "journal.db", kiosk_id="door-1") as journal:
            yield Door(journal, client, MediaCache(tmp_path / "media"))
        client.close()


def photo(engine: Engine, width: int) -> str:
    return media.store_photo(
        engine, media.prepare_photo(phone_photo(width, 600)), at=datetime.now(UTC)
    )


def plan(engine: Engine, task_photo: str | None, word_photo: str | None = None) -> None:
    today = datetime.now(AMSTERDAM).date()
    words = [SnapshotWord(day=today + timedelta(days=2), word="hamer", photo=word_photo)]
    tasks = [SnapshotTask(day=today, text="Fietsen", photo=task_photo)]
    with writing(engine) as conn:
        load_plan(conn, SITE, Plan(tasks=tasks, words=words if word_photo else []))


def fetches(tmp_path: Path) -> int:
    log = (tmp_path / "server.log").read_text(errors="replace")
    return log.count("GET /api/v1/media/")


def test_the_plans_photo_arrives_once(door: Door, engine: Engine, tmp_path: Path) -> None:
    name = photo(engine, 1200)
    plan(engine, name)
    assert door.sync() == []
    cached = media_file(door.cache.folder, name)
    assert cached is not None and hashlib.sha256(cached.read_bytes()).hexdigest() == name
    door.sync()
    assert fetches(tmp_path) == 1  # immutable: never fetched twice


def test_bytes_that_do_not_match_their_name_are_refused_and_fetched_again(
    door: Door, engine: Engine
) -> None:
    name = photo(engine, 1200)
    plan(engine, name)
    with writing(engine) as conn:
        good = conn.execute(media_table.select()).one().content
        conn.execute(update(media_table).values(content=b"\xff\xd8 not these bytes"))
    problems = door.sync()
    assert any("do not match" in p for p in problems)
    assert media_file(door.cache.folder, name) is None
    with writing(engine) as conn:
        conn.execute(update(media_table).values(content=good))
    assert door.sync() == []
    assert media_file(door.cache.folder, name) is not None


def test_the_cache_keeps_within_its_bound_soonest_first(
    door: Door, engine: Engine, tmp_path: Path
) -> None:
    today_photo, later_photo = photo(engine, 1200), photo(engine, 900)
    plan(engine, today_photo, later_photo)
    door.cache.limit_bytes = len(media.photo_bytes(engine, today_photo)[0]) + 100  # type: ignore[index]
    problems = door.sync()
    assert media_file(door.cache.folder, today_photo) is not None
    assert media_file(door.cache.folder, later_photo) is None
    assert door.cache.used_bytes() <= door.cache.limit_bytes
    assert any("photo cache holds" in p for p in problems)
    fetched = fetches(tmp_path)
    door.sync()
    assert fetches(tmp_path) == fetched  # known not to fit: not fetched again for nothing


def test_a_photo_no_plan_names_leaves_the_door(door: Door, engine: Engine) -> None:
    old, new = photo(engine, 1200), photo(engine, 900)
    plan(engine, old)
    door.sync()
    plan(engine, new)  # the day's task now has another photo
    door.sync()
    assert media_file(door.cache.folder, old) is None
    assert media_file(door.cache.folder, new) is not None
    assert sorted(door.cache.cached()) == [new]


def test_the_words_recording_arrives_as_a_wav(door: Door, engine: Engine) -> None:
    from server.administration import voice
    from tests.server.photos import tone_wav

    said = media.store_photo(engine, voice.prepare_voice(tone_wav()), at=datetime.now(UTC))
    today = datetime.now(AMSTERDAM).date()
    with writing(engine) as conn:
        load_plan(conn, SITE, Plan(words=[SnapshotWord(day=today, word="hamer", voice=said)]))
    assert door.sync() == []
    cached = media_file(door.cache.folder, said)
    assert cached is not None and cached.suffix == ".wav"
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == said
