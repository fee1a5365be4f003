"""A real prikklok server for benchmarks: `python -m prikklok server run` in a subprocess.

Each ServerProcess gets a fresh database — a new SQLite file in a temporary folder, or a
private schema on a PostgreSQL server (`options=-csearch_path=…`, as tests/server/conftest.py
does) that is dropped on stop() — a free port on 127.0.0.1, and its own log file.

Sites are added with the real admin verb (`prikklok server add-site`); kiosks and
participants through the same admin functions the verbs call
(server.administration.operations, server.administration.importer)
inside one transaction, because starting the CLI once per kiosk costs about half a second
each on a small machine.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server.local import NotServing, free_port, wait_until_serving  # noqa: E402

# add_kiosks and add_participants for another checkout's server, run with its own code.
_ADD_KIOSKS = """
import json, sys
from datetime import UTC, datetime
from server.administration import operations as admin
from server.cli import admin_db
site_id, kiosk_ids = json.load(sys.stdin)
with admin_db(sys.argv[1], None) as conn:
    made = {k: admin.add_kiosk(conn, site_id, k, k, datetime.now(UTC)) for k in kiosk_ids}
print(json.dumps(made))
"""
_ADD_PARTICIPANTS = """
import json, sys
from datetime import UTC, datetime
from server.administration.importer import import_participants
from server.cli import admin_db
site_id, text = json.load(sys.stdin)
with admin_db(sys.argv[1], None) as conn:
    import_participants(conn, text, site_id, datetime.now(UTC))
print("null")
"""

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_ENV = "PRIKKLOK_BENCH_DATABASE_URL"


def pg_base_url(given: str | None = None) -> str:
    return given or os.environ.get(PG_ENV) or DEFAULT_PG_URL


@dataclass
class Database:
    """A fresh, empty database of one kind: a SQLite file or a private PostgreSQL schema."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    folder: Path
    _pg_base: str | None = None
    _schema: str | None = None

    @classmethod
    def fresh(cls, kind: str, *, folder: Path, pg_url: str | None = None) -> Database:
        folder.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            from server.settings import sqlite_url

            return cls(kind, sqlite_url(folder / "server.db"), folder)
        if kind != "postgresql":
            raise ValueError(f"unknown database kind {kind!r}")
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        base = pg_base_url(pg_url)
        schema = f"prikklok_bench_{os.getpid()}_{secrets.token_hex(3)}"
        root = create_engine(base)
        with root.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        root.dispose()
        scoped = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        return cls(kind, scoped.render_as_string(hide_password=False), folder, base, schema)

    def migrate(self) -> None:
        from server.db import make_engine
        from server.migrate import upgrade

        engine = make_engine(self.url)
        upgrade(engine)
        engine.dispose()

    def drop(self) -> None:
        if self._schema is None or self._pg_base is None:
            return
        from sqlalchemy import create_engine

        root = create_engine(self._pg_base)
        with root.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {self._schema} CASCADE")
        root.dispose()
        self._schema = None


@dataclass
class ServerProcess:
    """One running server (uvicorn, `--workers N`) over a fresh database."""

    kind: str
    workers: int = 1
    pg_url: str | None = None
    parent: Path | None = None  # where the temporary folder goes (SQLite's disk)
    # Serve with `python -m uvicorn … --workers N` as uvicorn binds its socket itself: the
    # reference for server.serving (Nagle's wait with several workers, issue 18).
    stock_uvicorn: bool = False
    # The checkout whose code serves: this one, or another (e.g. a worktree of an earlier
    # commit, as a reference measured in the same run).
    root: Path = ROOT
    tokens: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    db: Database | None = None
    _tmp: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        assert self.db is not None
        return self.db.url

    @property
    def log_path(self) -> Path:
        return Path(self._tmp or ".") / "server.log"

    def start(self, timeout: float = 60.0) -> ServerProcess:

        self._tmp = tempfile.mkdtemp(prefix=".bench-server-", dir=self.parent)
        self.db = Database.fresh(self.kind, folder=Path(self._tmp) / "data", pg_url=self.pg_url)
        self.port = free_port()
        command = [
            sys.executable, "-m", "prikklok", "server", "run",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--data-dir", str(self.db.folder), "--migrate", "--workers", str(self.workers),
        ]  # fmt: skip
        if self.kind == "postgresql":
            command += ["--database-url", self.db.url]
        env = {**os.environ, "PYTHONPATH": str(self.root)}
        env.pop("PRIKKLOK_SERVER_DATABASE_URL", None)
        if self.stock_uvicorn:
            self.db.migrate()
            env["PRIKKLOK_SERVER_DATABASE_URL"] = self.db.url
            command = [
                sys.executable, "-m", "uvicorn", "server.app:create_app_from_env", "--factory",
                "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
                "--timeout-keep-alive", "75", "--no-proxy-headers",
            ]  # fmt: skip
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=log, stderr=log)
        log.close()
        try:
            # every worker must be up: ask a few times over fresh connections
            wait_until_serving(
                self.base_url, self.process, timeout=timeout, probes=self.workers * 2
            )
        except NotServing as error:
            self.stop()
            raise RuntimeError(f"{error}: {self.log_tail()}") from None
        return self

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the server and its worker processes so far (Linux)."""
        if self.process is None:
            return 0.0
        tick = os.sysconf("SC_CLK_TCK")
        parents: dict[int, int] = {}
        times: dict[int, float] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
        tree, total = {self.process.pid}, 0.0
        changed = True
        while changed:
            grown = tree | {pid for pid, ppid in parents.items() if ppid in tree}
            changed, tree = grown != tree, grown
        for pid in tree:
            total += times.get(pid, 0.0)
        return total

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def cli(self, *args: str) -> str:
        """Run an admin verb against this server's database; its standard output."""
        assert self.db is not None
        command = [sys.executable, "-m", "prikklok", "server", *args,
                   "--database-url", self.db.url]  # fmt: skip
        done = subprocess.run(
            command, cwd=self.root, env={**os.environ, "PYTHONPATH": str(self.root)},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])}: {done.stderr.strip()}")
        return done.stdout

    def _in_checkout(self, code: str, argument: object) -> object:
        """Run `code` with the served checkout's own modules (its schema may be older than
        this one's): `argument` comes in as JSON on stdin, the answer goes out on stdout."""
        done = subprocess.run(
            [sys.executable, "-c", code, self.database_url], input=json.dumps(argument),
            cwd=self.root, env={**os.environ, "PYTHONPATH": str(self.root)},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"setting up {self.root}: {done.stderr.strip()[-2000:]}")
        return json.loads(done.stdout)

    def add_site(self, site_id: str, name: str | None = None) -> None:
        self.cli("add-site", site_id, "--name", name or site_id)

    def add_kiosks(self, site_id: str, kiosk_ids: list[str]) -> dict[str, str]:
        """Register kiosks (one transaction, administration.operations.add_kiosk); their tokens."""
        if self.root != ROOT:
            made = cast(dict[str, str], self._in_checkout(_ADD_KIOSKS, [site_id, kiosk_ids]))
            self.tokens.update(made)
            return made
        from server.administration import operations as admin
        from server.cli import admin_db

        made = {}
        with admin_db(self.database_url, None) as conn:
            for kiosk_id in kiosk_ids:
                made[kiosk_id] = admin.add_kiosk(
                    conn, site_id, kiosk_id, kiosk_id, datetime.now(UTC)
                )
        self.tokens.update(made)
        return made

    def add_participants(self, site_id: str, people: list[tuple[str, str]]) -> None:
        """Import (participant id, badge uid) pairs with the CSV importer, in one go."""
        text = "id,display_name,badge_uid\n" + "".join(f"{p},{p},{b}\n" for p, b in people)
        if self.root != ROOT:
            self._in_checkout(_ADD_PARTICIPANTS, [site_id, text])
            return
        from server.administration.importer import import_participants
        from server.cli import admin_db

        with admin_db(self.database_url, None) as conn:
            import_participants(conn, text, site_id, datetime.now(UTC))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        if self.db is not None:
            self.db.drop()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
