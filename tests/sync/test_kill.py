"""Promise 1: a power cut or kill -9 at any moment loses nothing that was acknowledged."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KILLS_OF_THE_LOOP = int(os.environ.get("PRIKKLOK_KILLS", "200"))
KILLS_OF_THE_KIOSK = 20


def _acks_until_killed(cmd: list[str], *, ready: str, stdin_feed: bytes | None = None,
                       rng: random.Random) -> list[str]:  # fmt: skip
    """Start, wait for `ready`, let it run a random while, SIGKILL it, return its output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE if stdin_feed is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None
    lines = []
    for raw in child.stdout:
        line = raw.decode()
        lines.append(line)
        if ready in line:
            break
    if stdin_feed is not None:
        assert child.stdin is not None
        child.stdin.write(stdin_feed)
        child.stdin.flush()
    time.sleep(rng.uniform(0.0, 0.25))
    child.send_signal(signal.SIGKILL)
    rest = child.stdout.read().decode()
    child.wait()
    return lines + rest.splitlines(keepends=True)


def _journal_rows(path: Path) -> dict[int, str]:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return dict(conn.execute("SELECT seq, id FROM records"))


def _assert_gapless(rows: dict[int, str]) -> None:
    assert sorted(rows) == list(range(1, len(rows) + 1))


def test_kill_9_loses_no_acknowledged_tap(tmp_path: Path) -> None:
    journal = tmp_path / "journal.db"
    rng = random.Random(20261128)
    acknowledged: dict[int, str] = {}
    for _ in range(KILLS_OF_THE_LOOP):
        out = _acks_until_killed(
            [sys.executable, str(ROOT / "tests" / "sync" / "tap_loop.py"), str(journal)],
            ready="READY",
            rng=rng,
        )
        for line in out:
            parts = line.split()
            # A line cut short by the kill was never fully shown: only whole ACKs count.
            if len(parts) == 3 and parts[0] == "ACK" and len(parts[2]) == 36:
                acknowledged[int(parts[1])] = parts[2]
    rows = _journal_rows(journal)
    assert acknowledged, "the loop never got to acknowledge a tap"
    missing = {seq: rid for seq, rid in acknowledged.items() if rows.get(seq) != rid}
    assert missing == {}
    _assert_gapless(rows)


def test_kill_9_of_the_headless_kiosk_loses_no_shown_tap(tmp_path: Path) -> None:
    config = tmp_path / "prikklok.toml"
    config.write_text(
        '[kiosk]\nid = "door-1"\ndata_dir = "."\ntoo_soon_minutes = 0\n'
        '[reader]\nkind = "simulated"\n[feedback]\nenabled = false\n[log]\nlevel = "error"\n'
    )
    rng = random.Random(7)
    feed = b"".join(f"04{n:06X}\n".encode() for n in range(2000))
    shown: set[int] = set()
    for _ in range(KILLS_OF_THE_KIOSK):
        out = _acks_until_killed(
            [sys.executable, "-m", "prikklok", "kiosk", "--headless", "--config", str(config)],
            ready="Deur klaar",
            stdin_feed=feed,
            rng=rng,
        )
        for line in out:
            if line.startswith("[") and "#" in line and line.endswith("\n"):
                shown.add(int(line.split("#", 1)[1].split("]", 1)[0]))
    rows = _journal_rows(tmp_path / "journal.db")
    assert shown, "the kiosk never showed a tap"
    assert shown <= set(rows)
    _assert_gapless(rows)
