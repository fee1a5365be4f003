"""The admin CLI, in-process: verbs work, mistakes give one line and no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.cli import server
from server.db import make_engine
from server.kiosks.kiosk_tokens import token_hash
from server.schema import events, kiosks, participants, rejected_records, tasks
from tests.server.conftest import World, wire
from tests.server.test_heartbeat import beat


def invoke(url: str, *args: str):
    return CliRunner().invoke(server, [*args, "--database-url", url])


def test_cli_add_site_kiosk_prints_token_once(database_url: str) -> None:
    assert invoke(database_url, "add-site", "west", "--name", "West").exit_code == 0
    result = invoke(database_url, "add-kiosk", "west-1", "--site", "west")
    token = result.stdout.strip()
    with make_engine(database_url).connect() as conn:
        stored = conn.execute(select(kiosks.c.token_hash)).scalar_one()
    assert result.exit_code == 0 and stored == token_hash(token) and token not in stored


def test_cli_add_kiosk_says_token_file_not_config(database_url: str) -> None:
    assert invoke(database_url, "add-site", "west", "--name", "West").exit_code == 0
    result = invoke(database_url, "add-kiosk", "west-1", "--site", "west")
    assert "token_file" in result.stderr and "0600" in result.stderr
    assert "config" not in result.stderr.replace("never in the config", "")


def test_cli_rotate_kiosk_token_keeps_the_journal_going(
    database_url: str, client: TestClient, world: World
) -> None:
    assert push(client, world.auth(), wire(1)) == ["accepted"]
    assert invoke(database_url, "revoke-kiosk", "north-1").exit_code == 0
    result = invoke(database_url, "rotate-kiosk-token", "north-1")
    assert result.exit_code == 0, result.output
    new = result.stdout.strip()
    assert "token_file" in result.stderr
    assert client.post("/api/v1/heartbeat", json=beat(), headers=world.auth()).status_code == 401
    assert push(client, world.auth(), wire(2)) is None  # the old token: refused at once
    assert push(client, world.auth(new), wire(2), wire(3)) == ["accepted", "accepted"]
    with make_engine(database_url).connect() as conn:
        seqs = conn.execute(select(events.c.seq).order_by(events.c.seq)).scalars().all()
        assert seqs == [1, 2, 3] and conn.execute(select(rejected_records)).first() is None
    assert "no kiosk 'ghost'" in invoke(database_url, "rotate-kiosk-token", "ghost").output


def push(client: TestClient, headers: dict[str, str], *records: dict) -> list[str] | None:
    answer = client.post("/api/v1/records", json={"records": list(records)}, headers=headers)
    if answer.status_code == 401:
        return None
    assert answer.status_code == 200, answer.text
    return [r["status"] for r in answer.json()["results"]]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["add-kiosk", "k", "--site", "nowhere"], "no site 'nowhere'"),
        (["revoke-kiosk", "ghost"], "no kiosk 'ghost'"),
        (
            ["add-staff", "s-1", "--username", "x", "--role", "supervisor", "--name", "X"],
            "needs --site",
        ),
        (["assign-badge", "zz", "--participant", "p"], "badge uid"),
        (["add-site", "w", "--name", "W", "--opens", "noon"], "not a time"),
    ],
)
def test_cli_mistakes_one_line(database_url: str, args: list[str], words: str) -> None:
    result = invoke(database_url, *args)
    assert result.exit_code in (1, 2)
    assert words in result.output and "Traceback" not in result.output


def test_cli_unmigrated_database_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        server, ["add-site", "w", "--name", "W", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1 and "prikklok server migrate" in result.output


def test_cli_import_and_plan(database_url: str, tmp_path: Path) -> None:
    invoke(database_url, "add-site", "west", "--name", "West")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("id,display_name,language\np-1,Amal,ar\n", encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"tasks": [{"day": "2026-11-25", "text": "Zagen"}]}))
    assert (
        invoke(database_url, "import-participants", str(csv_file), "--site", "west").exit_code == 0
    )
    assert invoke(database_url, "load-plan", str(plan), "--site", "west").exit_code == 0
    with make_engine(database_url).connect() as conn:
        assert conn.execute(select(participants.c.display_name)).scalar() == "Amal"
        assert conn.execute(select(tasks.c.text)).scalar() == "Zagen"


def test_cli_demo_data_loads_the_demo_people(tmp_path: Path) -> None:
    from server.demo.data import ENDED, PEOPLE

    result = CliRunner().invoke(server, ["demo-data", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo-kiosk.token").read_text().strip()
    with make_engine(f"sqlite:///{tmp_path / 'server.db'}").connect() as conn:
        ids = set(conn.execute(select(participants.c.id)).scalars())
    assert ids == {pid for pid, *_ in (*PEOPLE, ENDED)}


def test_cli_server_without_a_verb_serves(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from server.local import free_port, wait_until_serving

    port = free_port()
    env = {
        **os.environ,
        "PRIKKLOK_SERVER_PORT": str(port),
        "PRIKKLOK_SERVER_DATA_DIR": str(tmp_path),
    }
    refused = subprocess.run([sys.executable, "-m", "prikklok", "server"], env=env,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert refused.returncode == 1
    assert "database not migrated" in refused.stderr
    assert CliRunner().invoke(server, ["migrate", "--data-dir", str(tmp_path)]).exit_code == 0
    child = subprocess.Popen([sys.executable, "-m", "prikklok", "server"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", child, timeout=30)
    finally:
        child.terminate()
        child.wait(timeout=10)


def test_cli_set_password_lets_them_log_in(database_url: str, app, browser_client) -> None:
    from tests.server.conftest import log_in

    invoke(database_url, "add-site", "west", "--name", "West")
    invoke(database_url, "add-staff", "a-1", "--username", "anna", "--role", "admin", "--name", "A")
    weak = CliRunner().invoke(
        server,
        ["set-password", "anna", "--password-stdin", "--database-url", database_url],
        input="welcome123\n",
    )
    assert weak.exit_code == 1 and "te makkelijk" in weak.output
    short = CliRunner().invoke(
        server,
        ["set-password", "anna", "--password-stdin", "--database-url", database_url],
        input="kort\n",
    )
    assert short.exit_code == 1 and "minstens 10" in short.output
    good = CliRunner().invoke(
        server,
        ["set-password", "anna", "--password-stdin", "--database-url", database_url],
        input="ruime-werkplaats-2026\n",
    )
    assert good.exit_code == 0, good.output
    assert log_in(browser_client, "anna", "ruime-werkplaats-2026")
    nobody = CliRunner().invoke(
        server,
        ["set-password", "ghost", "--password-stdin", "--database-url", database_url],
        input="ruime-werkplaats-2026\n",
    )
    assert nobody.exit_code == 1 and "no staff user 'ghost'" in nobody.output


def test_cli_demo_data_gives_staff_logins_and_history(tmp_path: Path) -> None:
    from server.administration.passwords import verify_password
    from server.demo.build import DEMO_PASSWORD
    from server.schema import events, staff

    for _ in range(2):  # a second run changes nothing
        result = CliRunner().invoke(server, ["demo-data", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite+pysqlite:///{tmp_path / 'server.db'}")
    with engine.connect() as conn:
        accounts = {r.username: r for r in conn.execute(select(staff))}
        history = conn.execute(select(events.c.id).where(events.c.kiosk_id == "demo-history")).all()
    engine.dispose()
    assert {"marieke", "sanne", "beheer"} <= set(accounts)
    assert all(
        verify_password(accounts[u].password_hash, DEMO_PASSWORD)
        for u in ("marieke", "sanne", "beheer")
    )
    assert 100 < len(history) < 400
