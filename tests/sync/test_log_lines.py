"""The door's warnings file (sync.log_lines, sent by sync.log_outbox): masked when written
and when sent, bounded, and sent with the heartbeat only to a server that said it takes them."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync.agent import sync_once
from sync.client import ServerClient
from sync.journal import Journal
from sync.log_lines import KEEP_LINES, MAX_SENT, WarningsFile, mask_badges, mask_names
from sync.log_outbox import WarningsOutbox, bounded, recent_lines
from sync.protocol import MAX_LOG_BYTES, LogLine
from tests.sync.peer import Peer, Reply
from tests.sync.test_agent import now


@pytest.fixture
def door_log(tmp_path: Path) -> Iterator[logging.Logger]:
    logger = logging.getLogger("prikklok.test.door")
    handler = WarningsFile(tmp_path / "warnings.jsonl")
    logger.addHandler(handler)
    try:
        yield logger
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("tap of 04A1B2C3 refused", "tap of 04••••C3 refused"),
        ("badge 04a1b2c3d4e5f6", "badge 04••••••••••f6"),
        ("seq 20261204 and day 2026-12-04", "seq 20261204 and day 2026-12-04"),  # digits only
        (
            "record 6f1d2c3b-aaaa-4bbb-8ccc-0123456789ab",
            "record 6f1d2c3b-aaaa-4bbb-8ccc-0123456789ab",
        ),
    ],
)
def test_badge_ids_are_masked_and_other_numbers_left(text: str, shown: str) -> None:
    assert mask_badges(text) == shown


def test_known_names_are_masked_whole_and_in_parts() -> None:
    text = "Amal Haddad tapped; amal again; Haddadi is someone else"
    assert mask_names(text, ["Amal Haddad"]) == "••• tapped; ••• again; Haddadi is someone else"


def test_warnings_and_errors_are_written_masked_infos_are_not(
    door_log: logging.Logger, tmp_path: Path
) -> None:
    door_log.info("synced 3 records")
    door_log.warning("badge %s not known", "04A1B2C3")
    try:
        raise OSError("disk I/O error")
    except OSError:
        door_log.exception("journal write failed\nsecond line")
    lines = recent_lines(tmp_path / "warnings.jsonl")
    assert [(line.level, line.message) for line in lines] == [
        ("WARNING", "badge 04••••C3 not known"),
        ("ERROR", "journal write failed second line: OSError: disk I/O error"),
    ]


def test_the_file_keeps_only_the_newest_lines(door_log: logging.Logger, tmp_path: Path) -> None:
    for n in range(KEEP_LINES * 3):
        door_log.warning("warning %d %s", n, "x" * 300)
    path = tmp_path / "warnings.jsonl"
    assert path.stat().st_size < KEEP_LINES * 2 * 400 + 1000
    lines = recent_lines(path, limit=10_000)
    assert KEEP_LINES <= len(lines) <= 2 * KEEP_LINES
    assert lines[-1].message.startswith(f"warning {KEEP_LINES * 3 - 1} ")
    assert all(len(line.message) <= 300 for line in lines)


def test_a_heartbeat_carries_at_most_twenty_lines_and_8_kb() -> None:
    at = datetime(2026, 12, 4, 9, tzinfo=UTC)
    wide = [
        LogLine(at=at + timedelta(seconds=n), level="WARNING", logger="kiosk", message="•" * 300)
        for n in range(30)
    ]
    kept = bounded(wide)
    assert 0 < len(kept) < MAX_SENT and kept[-1] == wide[-1]  # the newest ones
    assert sum(len(line.model_dump_json().encode()) + 1 for line in kept) <= MAX_LOG_BYTES
    assert len(bounded(wide[:25])) <= MAX_SENT


def test_an_older_server_never_sees_log_lines(
    peer: Peer, journal: Journal, client: ServerClient, door_log: logging.Logger, tmp_path: Path
) -> None:
    outbox = WarningsOutbox(tmp_path / "warnings.jsonl")
    door_log.warning("the reader stopped answering")
    for _ in range(2):
        sync_once(journal, client, now=now, warnings=outbox)
    beats = peer.seen("/heartbeat")
    assert len(beats) == 2 and all("log_lines" not in beat.body for beat in beats)
    assert "log_lines" in beats[0].headers["Prikklok-Understands"]


def test_a_server_put_back_to_an_older_version_gets_the_heartbeat_without_them(
    peer: Peer, journal: Journal, client: ServerClient, door_log: logging.Logger, tmp_path: Path
) -> None:
    outbox = WarningsOutbox(tmp_path / "warnings.jsonl", server_takes=True)  # learned before
    door_log.warning("Amal's badge 04A1B2C3 was refused")
    sync_once(journal, client, now=now)  # the snapshot: the door knows Amal
    peer.then(
        Reply(422, {"detail": "log_lines: extra inputs are not permitted"}, path="/heartbeat")
    )
    sync_once(journal, client, now=now, warnings=outbox)
    sent, again = [seen.body for seen in peer.seen("/heartbeat")[-2:]]
    assert sent["log_lines"][0]["message"] == "•••'s badge 04••••C3 was refused"
    assert "log_lines" not in again
    assert not outbox.server_takes


WRITER = """
import logging, sys
from pathlib import Path
from sync.log_lines import WarningsFile
log = logging.getLogger(sys.argv[2])
log.addHandler(WarningsFile(Path(sys.argv[1])))
for n in range(400):
    log.warning("line %d %s", n, "x" * 250)
"""


def test_the_door_and_the_agent_write_the_file_at_once_without_a_torn_line(
    tmp_path: Path,
) -> None:
    """Two processes (the door and `prikklok sync`) append and cut the file back at once."""
    path = tmp_path / "warnings.jsonl"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name])
        for name in ("kiosk.door", "sync.agent")
    ]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    raw = path.read_bytes().splitlines()
    assert all(json.loads(text)["message"].startswith("line ") for text in raw)
    assert KEEP_LINES <= len(raw) <= 2 * KEEP_LINES
    last = {json.loads(text)["logger"]: json.loads(text)["message"] for text in raw}
    assert {message.split()[1] for message in last.values()} == {"399"}  # both wrote to the end
