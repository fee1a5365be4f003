"""`prikklok sync` killed with SIGKILL mid-batch, again and again, loses and doubles nothing.

A kiosk's journal holds a large backlog; the sync agent runs as its own process (as under
systemd) with a small batch size and is killed -9 at random moments while it pushes,
between the server's commit and the journal's mark, 20 times, while the door keeps
tapping into the journal. Then one run is left to finish. The server must hold every
record of the journal exactly once, with a gapless sequence.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sync.journal import Journal
from tests.faults.harness import (
    ROOT,
    assert_exactly,
    event_count,
    register,
    running_server,
    seed_from_env,
    unknown_tap,
    wait_until,
)

KIOSK = "door-sync"
KILLS = 20
BACKLOG = 2500


def _append(journal: Journal, n: int, rng: random.Random) -> None:
    for _ in range(n):
        journal.append(unknown_tap(datetime.now(UTC), rng))


def _config(tmp_path: Path, server_url: str, token: str) -> Path:
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    config = tmp_path / "prikklok.toml"
    config.write_text(
        f'[kiosk]\nid = "{KIOSK}"\ndata_dir = "{tmp_path}"\njournal = "{tmp_path / "j.db"}"\n\n'
        f'[sync]\nserver_url = "{server_url}"\ntoken_file = "{token_file}"\n'
        "interval_seconds = 1\nbatch_size = 7\ntimeout_seconds = 5\n\n"
        '[log]\nlevel = "info"\n'
    )
    return config


def _start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIVY_NO_ARGS": "1"}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "prikklok", "sync", "--config", str(config)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def test_sync_process_killed_mid_batch_loses_and_doubles_nothing(
    database_url: str, tmp_path: Path
) -> None:
    seed = seed_from_env()
    print(f"fault seed {seed} (replay with PRIKKLOK_FAULT_SEED={seed})")
    rng = random.Random(seed)
    token = register(database_url, [KIOSK])[KIOSK]
    journal = Journal(tmp_path / "j.db", kiosk_id=KIOSK)
    _append(journal, BACKLOG, rng)
    log = tmp_path / "sync.log"
    with running_server(database_url, tmp_path) as server:
        config = _config(tmp_path, server.url, token)
        kills_after_commit = 0
        for _ in range(KILLS):
            if journal.sync_status().queue_depth < 300:
                _append(journal, 400, rng)  # the door kept tapping while sync was down
            before = event_count(database_url)
            process = _start(config, log)
            # Let it get going (it has pushed something), then kill it at a random moment.
            wait_until(
                lambda before=before: event_count(database_url) > before,
                timeout=30,
                what=f"seed {seed}: the sync process pushes",
            )
            time.sleep(rng.uniform(0.0, 0.5))
            stored_then = event_count(database_url)
            os.killpg(process.pid, signal.SIGKILL)
            assert process.wait(timeout=10) == -signal.SIGKILL
            assert stored_then > before
            # Stored on the server but not yet marked in the journal: killed between the
            # server's commit and the kiosk's mark (those come back as duplicates).
            status = journal.sync_status()
            unmarked = event_count(database_url) - (status.last_seq - status.queue_depth)
            kills_after_commit += unmarked > 0
        unsynced_left = journal.sync_status().queue_depth
        _append(journal, 50, rng)

        process = _start(config, log)
        try:
            total = journal.last_seq()
            wait_until(
                lambda: (
                    journal.sync_status().queue_depth == 0 and event_count(database_url) == total
                ),
                timeout=60,
                every=0.2,
                what=f"seed {seed}: the last sync run drains the journal",
            )
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=15)
        assert code == 0, log.read_text()[-2000:]

    ids = {r.id for r in journal.records(limit=100_000)}
    assert len(ids) == journal.last_seq()
    assert_exactly(database_url, {KIOSK: ids}, {KIOSK: journal.last_seq()}, seed=seed)
    assert journal.sync_status().set_aside == 0
    text = log.read_text()
    duplicates = sum(int(n) for n in re.findall(r"accepted, (\d+) duplicate", text))
    print(
        f"records {journal.last_seq()}, sync process SIGKILLed {KILLS} times "
        f"({kills_after_commit} between a server commit and the journal's mark), "
        f"{unsynced_left} unsynced before the last run, "
        f"duplicates answered in logged rounds {duplicates}"
    )
    journal.close()
