"""A real HAProxy in front of several ServerProcesses, running the admin guide's own config.

docs/admin/haproxy.cfg is what an admin copies to /etc/haproxy; the test runs that file, not
one of its own, so the health checks, retries and timeouts it proves are the documented ones.
Only what cannot run here is changed: the global section (chroot, user, syslog, daemon) is
the test's, the TLS listener becomes plain HTTP on a free 127.0.0.1 port, the redirecting
port-80 frontend is left out, and the servers' addresses are the test's ports.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from server.local import free_port
from tests.faults.harness import ROOT, wait_until

CONFIG = ROOT / "docs" / "admin" / "haproxy.cfg"
FRONTEND = "prikklok"  # the frontend the kiosks reach; others are left out
SERVER_LINE = re.compile(r"^(\s*server\s+\S+\s+)\S+(.*)$")


def adapted_config(text: str, *, port: int, stats_port: int, backends: Sequence[int]) -> str:
    """The admin's config, runnable as an ordinary user on 127.0.0.1 (see the module doc)."""
    sections: list[list[str]] = []
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
    out = [
        "global",
        "    log stdout format raw local0",
        "    maxconn 4000",
        "",
    ]
    servers = iter(backends)
    for section in sections:
        head = section[0].split()
        if head[0] == "global" or (head[0] == "frontend" and head[1] != FRONTEND):
            continue
        for line in section:
            stripped = line.strip()
            if stripped.startswith("bind "):
                line = f"    bind 127.0.0.1:{port}"
            elif match := SERVER_LINE.match(line):
                line = f"{match.group(1)}127.0.0.1:{next(servers)}{match.group(2)}"
            out.append(line)
    assert next(servers, None) is None, "more backends than server lines in the config"
    out += [
        "listen stats",
        f"    bind 127.0.0.1:{stats_port}",
        "    stats enable",
        "    stats uri /stats",
        "",
    ]
    return "\n".join(out)


@dataclass(frozen=True)
class ServerStats:
    """HAProxy's counters for one backend server (its stats page, as CSV)."""

    name: str
    sessions: int  # stot: requests' connections it served
    went_down: int  # chkdown: how often the health checks took it out
    retries: int  # wretr: connections to it tried again
    redispatches: int  # wredis: requests sent to the other server instead
    errors: int  # eresp: answers cut off (it died mid-request)


class Balancer:
    """`haproxy -db -f <config>` in the foreground, on 127.0.0.1, stopped at close()."""

    def __init__(self, backends: Sequence[int], tmp_path: Path) -> None:
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"  # sbin: not in every PATH
        assert Path(binary).exists(), "no haproxy: ./dev setup installs it (TEST_PACKAGES)"
        self.binary = binary
        self.port = free_port()
        self.stats_port = free_port()
        self.config_path = tmp_path / "haproxy.cfg"
        self.log_path = tmp_path / "haproxy.log"
        self.config_path.write_text(
            adapted_config(
                CONFIG.read_text(), port=self.port, stats_port=self.stats_port, backends=backends
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Balancer:
        check = subprocess.run(
            [self.binary, "-c", "-f", str(self.config_path)], capture_output=True, text=True
        )
        assert check.returncode == 0, f"haproxy refuses the config: {check.stdout}{check.stderr}"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "-db", "-f", str(self.config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._up, timeout=10, what="haproxy serves its stats page")
        return self

    def _up(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log_tail()
        try:
            return requests.get(f"http://127.0.0.1:{self.stats_port}/stats", timeout=1).ok
        except requests.RequestException:
            return False

    def answers(self, count: int) -> list[int]:
        """The statuses of `count` requests for /healthz, each on a new connection (0: none)."""
        statuses = []
        for _ in range(count):
            try:
                answer = requests.get(
                    f"{self.url}/healthz", headers={"Connection": "close"}, timeout=2
                )
                statuses.append(answer.status_code)
            except requests.RequestException:
                statuses.append(0)
        return statuses

    def servers_up(self) -> int:
        return sum(row["status"] == "UP" for row in self._rows())

    def stats(self) -> list[ServerStats]:
        return [
            ServerStats(
                name=row["svname"],
                sessions=int(row["stot"] or 0),
                went_down=int(row["chkdown"] or 0),
                retries=int(row["wretr"] or 0),
                redispatches=int(row["wredis"] or 0),
                errors=int(row["eresp"] or 0),
            )
            for row in self._rows()
        ]

    def _rows(self) -> list[dict[str, str]]:
        answer = requests.get(f"http://127.0.0.1:{self.stats_port}/stats;csv", timeout=2)
        answer.raise_for_status()
        rows = csv.DictReader(io.StringIO(answer.text.lstrip("# ")))
        return [
            row
            for row in rows
            if row["pxname"] != "stats" and row["svname"] not in ("FRONTEND", "BACKEND")
        ]

    def close(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
