"""A PostgreSQL of the test's own, on a free port, that the test may stop and start.

The machine's shared PostgreSQL is never stopped: a test whose database must go away makes
its own cluster (initdb + pg_ctl in a temporary directory) and stops that one. As root the
PostgreSQL tools run as the `postgres` user, since initdb and postgres refuse root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from server.local import free_port


def _bin_dir() -> Path:
    """The newest PostgreSQL's binaries (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("no PostgreSQL binaries (initdb) on this machine")
    return Path(initdb).parent


class PrivatePostgres:
    """One cluster in a fresh temporary directory, trust auth, on 127.0.0.1 only."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.port = free_port()
        # Not under pytest's tmp_path: as root that is mode 700, out of `postgres`'s reach,
        # and the socket path must stay short.
        self.dir = Path(tempfile.mkdtemp(prefix="prikklok-pg-"))
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, user="postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.data = self.dir / "data"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def running(self) -> bool:
        status = [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]
        return subprocess.run(status, capture_output=True, check=False).returncode == 0

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("start", "-w", "-l", str(self.dir / "log"), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        """Stop and wait until it is gone: `fast` ends open sessions, `immediate` aborts."""
        self._pg_ctl("stop", "-w", "-m", mode)

    def remove(self) -> None:
        subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data),
                        "-m", "immediate", "stop"], capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), *args)

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_postgres, str(self.bin / tool), *args], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}")
