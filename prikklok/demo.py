"""`prikklok demo`: a local server with demo data, and a door that syncs with it.

Everything lives in one folder (default `demo-data/`): the server's SQLite database and
the demo kiosk's token under `server/`, the kiosk's config and journal beside them. The
server runs as a child process on 127.0.0.1; the door runs here with the simulated reader
and its sync agent in-process. Ctrl-D stops both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from prikklok.config import load_config
from prikklok.failure import Failure
from prikklok.parts import run_headless
from server.demo.data import DEMO_KEYS, ENDED, PEOPLE, REVOKED, SUPERVISOR, door_data
from server.local import NotServing, free_port, wait_until_serving
from sync.clock import SystemClock

KIOSK_CONFIG = """\
# prikklok demo config — every key is explained in docs/config.md.
# Written anew by every `prikklok demo` run (the server's port changes).
[kiosk]
id = "demo-door"
data_dir = "."
too_soon_minutes = 5
confirm_seconds = 20

[reader]
kind = "simulated"
simulated_stdin = true
simulated_fifo = "taps.fifo"

[feedback]
# No GPIO on a laptop: the LEDs and buzzer stay quiet (the screen still sounds).
enabled = false

[screen]
fullscreen = false
dim_after_seconds = 300

[sync]
server_url = "{server_url}"
token_file = "server/demo-kiosk.token"
interval_seconds = 5
in_process = true

[log]
level = "warning"
"""

OFFLINE_CONFIG = """\
# prikklok demo config without a server — every key is explained in docs/config.md.
[kiosk]
id = "demo-door"
data_dir = "."
door_data_file = "door-data.json"

[reader]
kind = "simulated"

[feedback]
enabled = false

[log]
level = "warning"
"""


# The offline demo's site: the participant's own say on (docs/screen.md), so a check-out
# before 15:30 asks "Waarom ga je eerder weg?" and each own tap shows the week.
OFFLINE_SITE = {
    "id": "site-demo", "name": "Werkplaats (demo)", "opens_at": "08:30:00",
    "closes_at": "16:30:00", "timezone": "Europe/Amsterdam", "my_week": True,
    "leave_reason_minutes": 60, "usual_leaving_times": ["15:00:00", "15:30:00", "16:00:00"],
}  # fmt: skip


def prepare_offline(data_dir: Path, today: date) -> Path:
    """A demo door without a server: door data from a file. Returns the config path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "prikklok.toml"
    config.write_text(OFFLINE_CONFIG, encoding="utf-8")
    data = {**door_data(today), "site": OFFLINE_SITE}
    (data_dir / "door-data.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return config


def logins() -> str:
    from server.demo.build import DEMO_LOGINS, DEMO_PASSWORD

    people = ", ".join(f"{name} ({role})" for name, role in DEMO_LOGINS)
    return f"{people}; password {DEMO_PASSWORD}"


def key_hint() -> str:
    names = {uid: name for _, name, _, uid in PEOPLE} | {SUPERVISOR[2]: SUPERVISOR[1]}
    keys = "1234567890"
    return ", ".join(f"{keys[i]} {names[uid]}" for i, uid in enumerate(DEMO_KEYS))


def demo_keys() -> dict[str, str]:
    """Number keys 1…9, 0 → the demo badges, for the window and for typed lines."""
    return {key: uid for key, uid in zip("1234567890", DEMO_KEYS, strict=False)}


def screen_hint(data_dir: Path, server_url: str, *, offscreen: bool) -> str:
    lines = [
        f"prikklok demo — server on {server_url}",
        f"  staff pages: {server_url}/ — log in as {logins()}",
        f"  tap a demo badge with a number key: {key_hint()}",
        f"  (revoked: {REVOKED[1]}; program ended: {ENDED[3]}; anything else is unknown)",
    ]
    if offscreen:
        lines += [
            "  No display here (no $DISPLAY or $WAYLAND_DISPLAY): the kiosk runs offscreen.",
            "  Type a number (or a badge id) and Enter to tap; each screen it shows is",
            f"  printed here and saved as a picture in {data_dir / 'screens'}/. Ctrl-D stops.",
        ]
    else:
        lines.append("  close the window (or Ctrl-C here) to stop the kiosk and the server.")
    return "\n".join(lines)


def hint(data_dir: Path, server_url: str) -> str:
    people = ", ".join(f"{uid} {name}" for _, name, _, uid in PEOPLE)
    return "\n".join(
        [
            f"prikklok demo — server on {server_url}; type a badge id and Enter to tap "
            "(Ctrl-D to stop).",
            f"  demo badges: {people}",
            f"  supervisor: {SUPERVISOR[2]}; revoked: {REVOKED[1]}; "
            f"program ended: {ENDED[3]}; anything else is unknown.",
            f"  from another terminal: echo 04A1B2C3 > {data_dir / 'taps.fifo'}",
            f"  then: prikklok journal --config {data_dir / 'prikklok.toml'}",
        ]
    )


def _server(*args: str) -> list[str]:
    return [sys.executable, "-m", "prikklok", "server", *args]


class DemoFailure(RuntimeError):
    pass


def start_server(server_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Load the demo data and start the server; return it once it answers."""
    done = subprocess.run(
        _server("demo-data", "--data-dir", str(server_dir)), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise DemoFailure(f"the demo server's data could not be loaded: {done.stderr.strip()}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        child = subprocess.Popen(
            _server("run", "--data-dir", str(server_dir), "--port", str(port)),
            stdout=out,
            stderr=out,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        wait_until_serving(url, child, timeout=30)
    except NotServing as error:
        child.kill()
        raise DemoFailure(f"the demo server did not start: {error}; see {log}") from None
    return child, url


def first_sync(config_path: Path) -> None:
    """One round before the door opens, so it starts with the server's roster."""
    from prikklok.sync_command import build_agent
    from sync.agent import sync_once
    from sync.journal import Journal

    config = load_config(config_path, env={})
    with Journal(config.journal_path, kiosk_id=config["kiosk"]["id"]) as journal:
        agent = build_agent(config, journal)
        sync_once(journal, agent.client, now=SystemClock().now, app_version="demo")


def run_demo(
    data_dir: Path,
    *,
    stdin: TextIO,
    out: TextIO,
    screen: bool = True,
    offscreen: bool | None = None,
) -> int:
    """The server with demo data, and the door: the kiosk screen (or headless)."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        server, url = start_server(data_dir / "server", data_dir / "server.log")
    except DemoFailure as error:
        raise Failure(str(error)) from None
    try:
        config_path = data_dir / "prikklok.toml"
        config_path.write_text(KIOSK_CONFIG.format(server_url=url), encoding="utf-8")
        first_sync(config_path)
        config = load_config(config_path, env={})
        if not screen:
            out.write(hint(data_dir, url) + "\n")
            out.flush()
            return run_headless(config, stdin=stdin, out=out)
        from kiosk.ui.boot import has_display
        from prikklok.screen import ScreenPrinter, run_screen

        if offscreen is None:
            offscreen = not has_display()
        out.write(screen_hint(data_dir, url, offscreen=offscreen) + "\n")
        out.flush()
        printer = ScreenPrinter(out, data_dir / "screens" if offscreen else None)
        return run_screen(
            config, offscreen=offscreen, stdin=stdin, keys=demo_keys(), on_screen=printer
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
