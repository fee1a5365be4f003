"""A kiosk's warnings and errors off the Pi (issue 17): sent with the heartbeat to a server
that takes them, kept once each and bounded, and shown masked on the Kiosks page."""

from __future__ import annotations

import html
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from server.kiosks.log_lines import KEPT_LOG_LINES
from server.schema import kiosk_log_lines
from sync.agent import SyncAgent
from sync.client import ServerClient
from sync.clock import Instant
from sync.journal import Journal
from sync.log_lines import WarningsFile
from sync.log_outbox import WarningsOutbox
from sync.protocol import LOG_LINES, UNDERSTANDS_HEADER
from tests.faults.harness import running_server
from tests.server.conftest import Staff, World, log_in
from tests.server.test_heartbeat import beat

ASKS = {UNDERSTANDS_HEADER: LOG_LINES}
AT = datetime(2026, 11, 25, 8, 50, tzinfo=UTC)


def line(n: int, message: str = "the reader did not answer", **fields: Any) -> dict[str, Any]:
    at = (AT + timedelta(seconds=n)).isoformat()
    return {"at": at, "level": "WARNING", "logger": "kiosk.reader", "message": message, **fields}


def kept(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(kiosk_log_lines)).scalar_one()


def test_the_server_says_it_takes_log_lines_only_when_asked(
    client: TestClient, world: World
) -> None:
    plain = client.post("/api/v1/heartbeat", json=beat(), headers=world.auth()).json()
    asked = client.post("/api/v1/heartbeat", json=beat(), headers={**world.auth(), **ASKS})
    assert "takes_log_lines" not in plain and asked.json()["takes_log_lines"] is True


def test_lines_sent_twice_are_kept_once_and_only_the_newest_are_kept(
    client: TestClient, world: World, engine: Engine
) -> None:
    first = [line(n) for n in range(20)]
    for _ in range(2):  # the agent restarted and sent them again
        answer = client.post("/api/v1/heartbeat", json=beat(log_lines=first), headers=world.auth())
        assert answer.status_code == 200, answer.text
    assert kept(engine) == 20
    for start in range(20, 80, 20):
        more = [line(n) for n in range(start, start + 20)]
        client.post("/api/v1/heartbeat", json=beat(log_lines=more), headers=world.auth())
    assert kept(engine) == KEPT_LOG_LINES
    with engine.connect() as conn:
        oldest = conn.execute(select(func.min(kiosk_log_lines.c.logged_at))).scalar_one()
    assert oldest == AT + timedelta(seconds=80 - KEPT_LOG_LINES)


def test_oversized_log_lines_are_refused_with_the_reason(
    client: TestClient, world: World, engine: Engine
) -> None:
    cases = {
        "at most 20 items": [line(n) for n in range(21)],
        "at most 300 characters": [line(0, "x" * 301)],
        "more than 8192": [line(n, "•" * 300) for n in range(20)],  # 3 bytes each in UTF-8
    }
    for reason, lines in cases.items():
        answer = client.post("/api/v1/heartbeat", json=beat(log_lines=lines), headers=world.auth())
        assert answer.status_code == 422 and reason in answer.text, answer.text
    assert kept(engine) == 0


def test_a_doors_warning_reaches_the_kiosks_page_masked(
    database_url: str,
    world: World,
    staff_world: Staff,
    browser_client: TestClient,
    tmp_path: Path,
) -> None:
    """The real agent against a real server (uvicorn on 127.0.0.1): a warning that names a
    participant and their badge shows on the Kiosks page with neither."""
    path = tmp_path / "warnings.jsonl"
    door_log = logging.getLogger("kiosk.door.test")
    handler = WarningsFile(path)
    door_log.addHandler(handler)
    try:
        with (
            running_server(database_url, tmp_path) as server,
            Journal(tmp_path / "journal.db", kiosk_id="north-1") as journal,
        ):
            client = ServerClient(server.url, world.north_token, timeout=10)
            agent = SyncAgent(
                journal,
                client,
                now=lambda: Instant(datetime.now(UTC), 100.0, "boot-1", True),
                warnings=WarningsOutbox(path),
            )
            door_log.warning("Amal's badge 04A1B2C3 was read twice in a second")
            agent.step()  # learns that the server takes log lines, and who Amal is
            door_log.error("Amal could not be greeted: the speaker is gone")
            agent.step()
            client.close()
    finally:
        door_log.removeHandler(handler)
    log_in(browser_client, staff_world.supervisor)
    page = browser_client.get("/sites/north/kiosks").text
    shown = re.search(r'<ol class="log-lines".*?</ol>', page, re.S)
    assert shown is not None, page
    text = html.unescape(re.sub(r"<[^>]+>", "", shown.group(0)))
    assert "•••'s badge 04••••C3 was read twice in a second" in text
    assert "••• could not be greeted: the speaker is gone" in text
    assert "Amal" not in text and "04A1B2C3" not in page
