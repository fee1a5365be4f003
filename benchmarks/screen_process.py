"""The real kiosk app for benchmarks: `prikklok kiosk --offscreen` in a subprocess.

Each KioskProcess gets a folder with an offline config (simulated reader on a Unix socket,
no GPIO, no sound, no server), the demo door data for today, and its own notify socket:
the app sends READY=1 there right after its first frame on the waiting screen, as it does
to systemd on the Pi. CPU and memory are read from /proc/<pid>.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PRIKKLOK = ROOT / ".venv" / "bin" / "prikklok"
CLK_TCK = os.sysconf("SC_CLK_TCK")

CONFIG = """\
# Written by benchmarks/screen_process.py; every key is explained in docs/config.md.
[kiosk]
id = "bench-door"
data_dir = "."
door_data_file = "door-data.json"
too_soon_minutes = {too_soon_minutes}

[reader]
kind = "simulated"
simulated_stdin = false
simulated_socket = "taps.sock"

[feedback]
enabled = false

[screen]
sound = false
fps = {fps}

[log]
level = "warning"
"""


# The site as a snapshot brings it with the participant's own say on (issue 15), open all
# day so that whatever the hour every own tap shows the week and every check-out is early
# enough to ask "Waarom ga je eerder weg?": the most the door draws.
OWN_SAY_SITE = {
    "id": "site-bench", "name": "Werkplaats", "opens_at": "00:00:00",
    "closes_at": "23:59:00", "timezone": "Europe/Amsterdam", "speak_greeting": False,
    "my_week": True, "leave_reason_minutes": 1, "usual_leaving_times": [],
}  # fmt: skip


def prepare(
    folder: Path, *, fps: int = 30, too_soon_minutes: float = 5, own_say: bool = False
) -> Path:
    """A kiosk folder with config and door data (with `own_say`, the site of OWN_SAY_SITE);
    returns the config's path."""
    from server.demo.data import door_data

    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "prikklok.toml"
    config.write_text(CONFIG.format(fps=fps, too_soon_minutes=too_soon_minutes), "utf-8")
    if own_say:  # in the journal, as the sync agent stores a snapshot's site for the door
        from sync.journal import Journal

        journal = Journal(folder / "journal.db", kiosk_id="bench-door")
        journal.store_site(OWN_SAY_SITE)
        journal.close()
    data = json.dumps(door_data(date.today()), ensure_ascii=False)
    (folder / "door-data.json").write_text(data, "utf-8")
    return config


def kivy_env(folder: Path) -> dict[str, str]:
    """The environment prepare_kivy() gives the app, for a reference child without the app."""
    env = dict(os.environ)
    env.update(
        KIVY_NO_ARGS="1",
        KIVY_NO_FILELOG="1",
        KIVY_NO_CONSOLELOG="1",
        KIVY_NO_CONFIG="1",
        KIVY_LOG_MODE="PYTHON",
        KIVY_WINDOW="sdl2",
        KCFG_GRAPHICS_MULTISAMPLES="0",
        KIVY_HOME=str(folder / "kivy"),
        SDL_VIDEODRIVER="offscreen",
        SDL_AUDIODRIVER="dummy",
    )
    return env


class NotReady(RuntimeError):
    """The app did not say READY=1 in time, or exited first."""


@dataclass
class KioskProcess:
    """One `prikklok kiosk --offscreen` child; start() returns when it said READY=1."""

    folder: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    ready_at: float = 0.0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def socket_path(self) -> Path:
        return self.folder / "taps.sock"

    def start(self, timeout: float = 30.0) -> float:
        """Spawn and wait for READY=1; returns the seconds from spawn to READY."""
        notify_path = self.folder / "notify.sock"
        notify_path.unlink(missing_ok=True)
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.bind(str(notify_path))
            notify.settimeout(0.2)
            env = dict(os.environ) | self.env | {"NOTIFY_SOCKET": str(notify_path)}
            log = (self.folder / "kiosk.log").open("ab")
            self.started_at = time.perf_counter()
            self.process = subprocess.Popen(
                [str(PRIKKLOK), "kiosk", "--offscreen", "--config", "prikklok.toml"],
                cwd=self.folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
            log.close()
            while True:
                try:
                    message = notify.recv(4096)
                except TimeoutError:
                    message = b""
                now = time.perf_counter()
                if b"READY=1" in message.split(b"\n"):
                    self.ready_at = now
                    return now - self.started_at
                if self.process.poll() is not None or now - self.started_at > timeout:
                    self.stop()
                    raise NotReady(f"no READY=1 (see {self.folder / 'kiosk.log'})")

    def tap(self, uid: str) -> None:
        """A badge on the simulated reader: one line over its Unix socket."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(self.socket_path))
            s.sendall(f"{uid}\n".encode())

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def rss_mib(self) -> float:
        return rss_mib(self.pid)

    def stop(self, timeout: float = 10.0) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.terminate()  # the app stops its loop on SIGTERM
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the name may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mib(pid: int) -> float:
    """VmRSS of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for {pid}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
