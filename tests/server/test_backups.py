"""The server's database backed up and restored (issue 17): a restore brings back what the
backup held and nothing added since; it never overwrites a database unasked, brings an older
backup up to the current schema, and refuses one from a newer prikklok. On SQLite here, and
into a PostgreSQL of the test's own (tests/faults/private_postgres.py)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select

from server.administration import operations as admin
from server.administration.backups import back_up, backups
from server.cli import server
from server.db import make_engine, writing
from server.migrate import current_revision, head_revision, upgrade
from server.schema import sites
from server.settings import sqlite_url
from tests.faults.private_postgres import PrivatePostgres

NOW = datetime(2026, 12, 4, 2, 30, tzinfo=UTC)


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(server, [*args, "--database-url", url])


def add_site(url: str, site_id: str) -> None:
    engine = make_engine(url)
    try:
        with writing(engine) as conn:
            admin.add_site(
                conn, site_id, site_id.title(), time(8, 30), time(17), "Europe/Amsterdam"
            )
    finally:
        engine.dispose()


def site_ids(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(select(sites.c.id)).scalars())
    finally:
        engine.dispose()


def migrated(url: str, revision: str = "head") -> str:
    engine = make_engine(url)
    try:
        upgrade(engine, revision)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def sqlite_server(tmp_path: Path) -> str:
    return migrated(sqlite_url(tmp_path / "server.db"))


def test_a_restore_brings_back_the_backup_and_drops_what_came_after(
    sqlite_server: str, tmp_path: Path
) -> None:
    add_site(sqlite_server, "north")
    made = invoke(sqlite_server, "backup", "--to", str(tmp_path / "backup"))
    assert made.exit_code == 0, made.output
    [copy] = backups(tmp_path / "backup")
    add_site(sqlite_server, "later")
    refused = invoke(sqlite_server, "restore", str(copy))
    assert refused.exit_code == 1 and "holds data already" in refused.output
    assert "--force" in refused.output
    assert site_ids(sqlite_server) == ["later", "north"]  # untouched
    done = invoke(sqlite_server, "restore", str(copy), "--force")
    assert done.exit_code == 0, done.output
    assert site_ids(sqlite_server) == ["north"]


def test_a_backup_is_one_checked_file_without_a_wal_beside_it(
    sqlite_server: str, tmp_path: Path
) -> None:
    done = back_up(sqlite_server, tmp_path / "backup", now=NOW)
    assert done.path.name == "server-20261204-023000.db"
    assert [p.name for p in (tmp_path / "backup").iterdir()] == [done.path.name]
    with sqlite3.connect(done.path) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            head_revision()
        )


def test_an_older_backup_is_migrated_up_into_an_empty_database(tmp_path: Path) -> None:
    old = migrated(sqlite_url(tmp_path / "old.db"), "0013")
    add_site(old, "north")
    copy = back_up(old, tmp_path / "backup", now=NOW).path
    fresh = sqlite_url(tmp_path / "new" / "server.db")
    done = invoke(fresh, "restore", str(copy))  # an empty database: no --force needed
    assert done.exit_code == 0, done.output
    assert f"schema 0013), migrated to {head_revision()}" in done.output
    assert site_ids(fresh) == ["north"]


def test_a_database_only_migrated_is_restored_into_without_force(
    sqlite_server: str, tmp_path: Path
) -> None:
    """The server started once on the new machine (it migrates at start): no data yet."""
    add_site(sqlite_server, "north")
    copy = back_up(sqlite_server, tmp_path / "backup", now=NOW).path
    new_machine = migrated(sqlite_url(tmp_path / "new.db"))
    assert invoke(new_machine, "restore", str(copy)).exit_code == 0
    assert site_ids(new_machine) == ["north"]


def test_a_backup_of_a_newer_prikklok_is_refused(sqlite_server: str, tmp_path: Path) -> None:
    copy = back_up(sqlite_server, tmp_path / "backup", now=NOW).path
    with sqlite3.connect(copy) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    fresh = sqlite_url(tmp_path / "new.db")
    done = invoke(fresh, "restore", str(copy))
    assert done.exit_code == 1 and "made by a newer prikklok (schema 9999)" in done.output


def test_rotation_keeps_the_newest_and_a_copy_goes_to_another_folder(
    sqlite_server: str, tmp_path: Path
) -> None:
    here, there = tmp_path / "backup", tmp_path / "other-disk"
    (here / "notes.txt").parent.mkdir()
    (here / "notes.txt").write_text("not a backup: left alone")
    made = [
        back_up(sqlite_server, here, now=NOW + timedelta(days=n), keep=3, copy_to=str(there))
        for n in range(5)
    ]
    assert backups(here) == [m.path for m in made[2:]]
    assert [p.name for p in backups(there)] == [m.path.name for m in made[2:]]
    assert made[-1].removed == (made[1].path,) and made[-1].copied_to == str(there)
    assert (here / "notes.txt").exists()


def test_a_backup_command_says_where_and_how_many(sqlite_server: str, tmp_path: Path) -> None:
    done = invoke(sqlite_server, "backup", "--to", str(tmp_path / "b"), "--keep", "2")
    assert done.exit_code == 0 and "kept the newest 2, deleted 0" in done.output


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres()
    try:
        pg.start()
        yield pg
    finally:
        pg.remove()


def create_database(pg: PrivatePostgres, name: str) -> str:
    admin_engine: Engine = make_engine(pg.url)
    try:
        with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        admin_engine.dispose()
    return pg.url.rsplit("/", 1)[0] + f"/{name}"


def test_a_postgresql_backup_restores_into_postgresql(
    private_pg: PrivatePostgres, tmp_path: Path
) -> None:
    assert shutil.which("pg_dump") and shutil.which("pg_restore")
    url = migrated(create_database(private_pg, "prikklok"))
    add_site(url, "north")
    made = invoke(url, "backup", "--to", str(tmp_path / "backup"))
    assert made.exit_code == 0, made.output
    [dump] = backups(tmp_path / "backup")
    assert dump.suffix == ".dump" and dump.read_bytes().startswith(b"PGDMP")
    add_site(url, "later")
    assert invoke(url, "restore", str(dump)).exit_code == 1  # not empty: refused
    done = invoke(url, "restore", str(dump), "--force")
    assert done.exit_code == 0, done.output
    assert site_ids(url) == ["north"]
    # And into a new, empty database, as after losing the server.
    fresh = create_database(private_pg, "rebuilt")
    assert invoke(fresh, "restore", str(dump)).exit_code == 0
    assert site_ids(fresh) == ["north"]
    engine = make_engine(fresh)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_sqlite_backup_is_not_restored_into_postgresql(
    private_pg: PrivatePostgres, sqlite_server: str, tmp_path: Path
) -> None:
    copy = back_up(sqlite_server, tmp_path / "backup", now=NOW).path
    url = create_database(private_pg, "other")
    done = invoke(url, "restore", str(copy))
    assert done.exit_code == 1 and "is not a pg_dump -Fc backup" in done.output


def test_a_copy_goes_to_an_rsync_target(
    sqlite_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rsync for real, to `host:path`; its remote shell runs the far end on this machine
    (as ssh would on the backup host)."""
    shell = tmp_path / "fake-ssh"
    # As ssh is called: [-l user] host command…; the host is this machine.
    shell.write_text('#!/bin/sh\n[ "$1" = -l ] && shift 2\nshift\nexec sh -c "$*"\n')
    shell.chmod(0o755)
    monkeypatch.setenv("RSYNC_RSH", str(shell))
    far = tmp_path / "nas"
    far.mkdir()
    done = back_up(sqlite_server, tmp_path / "backup", now=NOW, copy_to=f"backup@nas:{far}/")
    assert done.copied_to == f"backup@nas:{far}/"
    assert (far / done.path.name).read_bytes() == done.path.read_bytes()


def test_a_backup_taken_while_the_server_writes_is_whole(
    sqlite_server: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_server)
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with writing(engine) as conn:
                admin.add_site(conn, f"s{n}", f"S{n}", time(8), time(17), "Europe/Amsterdam")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = [back_up(sqlite_server, tmp_path / "b", now=NOW, keep=5).path for _ in range(5)]
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    counts = []
    for copy in copies:
        with sqlite3.connect(copy) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            counts.append(db.execute("SELECT COUNT(*) FROM sites").fetchone()[0])
    assert counts == sorted(counts) and counts[-1] > 0  # each a moment of the writing
