"""Playing sounds: a command in the background, reaped; failures logged once, never raised."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.player import CommandPlayer, SilentPlayer
from tests.hardware.mfrc522_fixtures import wait_until

SLEEPER = (sys.executable, "-c", "import time; time.sleep(30)")


def recording() -> tuple[list[subprocess.Popen[bytes]], Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen(*args, **kwargs))
        return started[-1]

    return started, popen


def test_command_player_passes_the_file_last(tmp_path: Path) -> None:
    started, popen = recording()
    player = CommandPlayer(("true",), popen=popen)
    player.play(tmp_path / "welcome.wav")
    assert started[0].args == ["true", str(tmp_path / "welcome.wav")]
    player.close()


def test_command_player_reaps_finished_children(tmp_path: Path) -> None:
    started, popen = recording()
    player = CommandPlayer(("true",), popen=popen)
    for _ in range(5):
        player.play(tmp_path / "ask.wav")
    wait_until(lambda: player.reap() == 0, what="children to be reaped")
    assert len(started) == 5
    assert all(child.returncode is not None for child in started)  # collected: no zombies


def test_command_player_cuts_the_running_sound_short(tmp_path: Path) -> None:
    started, popen = recording()
    player = CommandPlayer(SLEEPER, popen=popen)
    player.play(tmp_path / "welcome.wav")
    player.play(tmp_path / "goodbye.wav")
    assert started[0].wait(timeout=5) == -signal.SIGTERM
    assert player.reap() == 1
    player.close()
    assert started[1].returncode == -signal.SIGTERM
    assert player.reap() == 0


def test_command_player_missing_program_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    player = CommandPlayer((str(tmp_path / "no-aplay"), "-q"))
    with caplog.at_level(logging.DEBUG, logger="kiosk.player"):
        player.play(tmp_path / "welcome.wav")
        player.play(tmp_path / "welcome.wav")
    levels = [record.levelno for record in caplog.records]
    assert levels == [logging.WARNING, logging.DEBUG]
    assert player.reap() == 0


def test_silent_player_records_what_it_was_asked(tmp_path: Path) -> None:
    player = SilentPlayer()
    player.play(tmp_path / "a.wav")
    player.play(tmp_path / "b.wav")
    assert player.played == [tmp_path / "a.wav", tmp_path / "b.wav"]
