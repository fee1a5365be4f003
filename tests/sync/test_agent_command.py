"""`prikklok sync` (run_sync) and the in-process agent (start_in_process)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from prikklok.config import Config, load_config
from prikklok.failure import Failure
from prikklok.sync_command import run_sync, start_in_process
from tests.sync.peer import TOKEN, Peer


def config(tmp_path: Path, server_url: str, token: str | None = TOKEN) -> Config:
    if token is not None:
        (tmp_path / "token").write_text(token + "\n")
    path = tmp_path / "prikklok.toml"
    path.write_text(
        f'[kiosk]\nid = "door-1"\ndata_dir = "{tmp_path}"\n'
        f'[sync]\nserver_url = "{server_url}"\ntoken_file = "token"\ninterval_seconds = 60\n'
    )
    return load_config(path, env={})


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        ("", TOKEN, "server_url is not set"),
        ("http://x", None, "cannot read the kiosk token"),
        ("http://x", "", "token file is empty"),
    ],
)
def test_run_sync_refuses_an_incomplete_config_in_one_line(
    tmp_path: Path, url: str, token: str | None, message: str
) -> None:
    with pytest.raises(Failure, match=message) as caught:
        run_sync(config(tmp_path, url, token))
    assert "\n" not in caught.value.message


def test_run_sync_stops_cleanly_on_sigterm(tmp_path: Path, peer: Peer) -> None:
    def term_after_first_round() -> None:
        deadline = time.monotonic() + 3
        while not peer.seen("/heartbeat") and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    threading.Thread(target=term_after_first_round).start()
    started = time.monotonic()
    assert run_sync(config(tmp_path, peer.url)) == 0
    assert time.monotonic() - started < 3
    assert signal.getsignal(signal.SIGTERM) == before


def test_in_process_agent_syncs_on_its_own_thread(tmp_path: Path, peer: Peer) -> None:
    conf = config(tmp_path, peer.url)
    agent, thread = start_in_process(conf, conf.journal_path)
    try:
        deadline = time.monotonic() + 3
        while not peer.seen("/heartbeat"):
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        agent.stop()
        thread.join(2)
    assert not thread.is_alive()
    assert peer.seen("/snapshot")[0].headers["Authorization"] == f"Bearer {TOKEN}"
