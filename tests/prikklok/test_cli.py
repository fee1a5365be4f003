"""The prikklok command as a user runs it: in-process for speed, as a subprocess where
start-up, exit codes and stderr matter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from prikklok.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def prikklok(*args: str, stdin: str = "", cwd: Path | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "prikklok", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd or ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


@pytest.fixture
def demo_config(tmp_path: Path) -> Path:
    from prikklok.demo import prepare_offline
    from sync.clock import SystemClock

    return prepare_offline(tmp_path, SystemClock().now().workshop_day())


@pytest.mark.parametrize(
    "args",
    [["--bogus"], ["kiosk", "--headless", "--bogus"], ["nonsense"], ["journal", "--last", "x"]],
)
def test_usage_errors_are_one_line_without_traceback(args: list[str]) -> None:
    done = prikklok(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("prikklok: ")


def test_missing_config_is_one_line(tmp_path: Path) -> None:
    done = prikklok("kiosk", "--headless", "--config", str(tmp_path / "none.toml"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"prikklok: {tmp_path / 'none.toml'}: no such config file"


def test_no_config_anywhere_is_one_line() -> None:
    done = prikklok("journal", env={"PRIKKLOK_CONFIG": ""})
    assert done.returncode == 1
    assert "pass --config FILE or set PRIKKLOK_CONFIG" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_broken_config_stops_start_up_naming_the_line(tmp_path: Path) -> None:
    config = tmp_path / "p.toml"
    config.write_text('[kiosk]\nid = "door"\n[reader]\nkind = "nfc"\n')
    done = prikklok("kiosk", "--headless", "--config", str(config))
    assert done.returncode == 1
    assert f"{config}, line 4: [reader] kind" in done.stderr
    assert "Traceback" not in done.stderr


def test_headless_kiosk_answers_taps_and_the_journal_shows_them(demo_config: Path) -> None:
    taps = "04A1B2C3\nnot-a-badge\n04A1B2C3\n04FFFFFF\n04E2D001\n0499AA11\n"
    done = prikklok("kiosk", "--headless", "--config", str(demo_config), stdin=taps)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "#1] ✔ Welkom, Amal!" in out and "    (ar) " in out
    assert "#2] ◔ Amal\n  Je bent ingecheckt om" in out and "Tik nog een keer" in out
    assert "#3] ? Deze pas kennen we niet." in out and "(tr) " in out
    assert "#4] ⊘ Deze pas kun je niet gebruiken." in out
    assert "#5] ☰ Begeleider: Marieke" in out
    assert "#6]" not in out  # the garbled line was ignored, not decided
    assert "Woord van de dag:" in out and "(ar) " in out
    # The demo's door-data file carries the site's settings: her week after her own tap.
    assert "  [☒ Ik kom niet op …]" in out.split("#2]")[0]

    report = prikklok("journal", "--config", str(demo_config))
    assert report.returncode == 0, report.stderr
    assert "Records: 5" in report.stdout and "integrity ok" in report.stdout
    assert "Waiting for sync: 5" in report.stdout
    assert "04••••C3" in report.stdout
    assert "04A1B2C3" not in report.stdout and "Amal" not in report.stdout


def test_logs_hold_no_names_or_badge_ids(demo_config: Path) -> None:
    done = prikklok(
        "kiosk", "--headless", "--config", str(demo_config),
        stdin="04A1B2C3\n04FFFFFF\nzz\n", env={"PRIKKLOK_LOG_LEVEL": "debug"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "check_in" in done.stderr  # it did log the decisions...
    for secret in ("04A1B2C3", "04FFFFFF", "Amal"):
        assert secret not in done.stderr  # ...without a name or badge id in clear


def test_journal_json_in_process(demo_config: Path) -> None:
    runner = CliRunner()
    tapped = runner.invoke(cli, ["kiosk", "--headless", "--config", str(demo_config)],
                           input="04D4E5F6\n")  # fmt: skip
    assert tapped.exit_code == 0, tapped.output
    result = runner.invoke(cli, ["journal", "--json", "--config", str(demo_config)])
    report = json.loads(result.output)
    assert report["by_kind"] == {"check_in": 1}
    assert report["last"][0]["badge"] == "04••••F6"


def test_journal_without_a_journal_says_so(tmp_path: Path) -> None:
    config = tmp_path / "p.toml"
    config.write_text('[kiosk]\ndata_dir = "."\n')
    done = prikklok("journal", "--config", str(config))
    assert done.returncode == 1
    assert "no journal yet" in done.stderr


def test_demo_runs_a_server_and_a_kiosk_screen_that_syncs_with_it(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    # No display here: the demo says so, runs offscreen, prints and pictures each screen.
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
    done = prikklok("demo", "--data-dir", str(demo), stdin="5\n0\n", env=env)
    assert done.returncode == 0, done.stderr
    assert "server on http://127.0.0.1:" in done.stdout
    assert "No display here" in done.stdout
    assert "[welcome] ✔ Welkom, Olena!" in done.stdout  # key 5; roster from the server
    assert "Woord van de dag:" in done.stdout and "(uk) " in done.stdout
    assert "[supervisor] ☰ Begeleider: Marieke" in done.stdout  # key 0
    assert "  ✔ Olena — sinds " in done.stdout  # who is in, by name: never a badge id
    assert "04778899" not in done.stdout
    pictures = sorted(p.name for p in (demo / "screens").glob("*.png"))
    assert pictures[:3] == ["001-waiting.png", "002-welcome.png", "003-supervisor.png"]
    report = prikklok("journal", "--json", "--config", str(demo / "prikklok.toml"))
    assert json.loads(report.stdout)["unsynced"] == 0  # the taps reached the server
    assert server_kinds(demo) == ["check_in", "supervisor"]


def test_headless_demo_runs_a_door_that_syncs_with_it(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    done = prikklok("demo", "--headless", "--data-dir", str(demo), stdin="04778899\n0499AA11\n")
    assert done.returncode == 0, done.stderr
    assert "Welkom, Olena!" in done.stdout  # the roster came from the server's snapshot
    assert "Woord van de dag:" in done.stdout and "(uk) " in done.stdout
    report = prikklok("journal", "--json", "--config", str(demo / "prikklok.toml"))
    assert json.loads(report.stdout)["unsynced"] == 0  # both taps reached the server
    assert server_kinds(demo) == ["check_in", "supervisor"]


def server_kinds(demo: Path) -> list[str]:
    """The kinds the demo door sent, leaving out lunch answers (asked only mornings) and
    the demo's made-up history, which comes from a door of its own."""
    from sqlalchemy import create_engine, text

    with create_engine(f"sqlite:///{demo / 'server' / 'server.db'}").connect() as conn:
        kinds = (
            conn.execute(text("SELECT kind FROM events WHERE kiosk_id = 'demo-door' ORDER BY seq"))
            .scalars()
            .all()
        )
    return [k for k in kinds if k != "lunch"]


def test_every_command_is_documented() -> None:
    docs = (ROOT / "docs" / "cli.md").read_text()
    names = []
    for name, command in cli.commands.items():
        sub = getattr(command, "commands", None)
        names += [f"prikklok {name} {s}" for s in sub] if sub else [f"prikklok {name}"]
    assert [n for n in names if f"`{n}" not in docs] == []


def test_unwritable_journal_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data folder should be")
    config = tmp_path / "p.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{blocker}"\n[reader]\nkind = "simulated"\n')
    done = prikklok("kiosk", "--headless", "--config", str(config))
    assert done.returncode == 1
    assert "cannot open the journal" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_journal_of_another_kiosk_is_one_line(demo_config: Path) -> None:
    prikklok("kiosk", "--headless", "--config", str(demo_config), stdin="")
    done = prikklok("journal", "--config", str(demo_config), env={"PRIKKLOK_KIOSK_ID": "other"})
    assert done.returncode == 1
    assert "belongs to kiosk 'demo-door'" in done.stderr


def test_journal_lists_records_set_aside_with_their_reason(demo_config: Path) -> None:
    from datetime import UTC, datetime

    from sync.journal import Journal

    prikklok("kiosk", "--headless", "--config", str(demo_config), stdin="04A1B2C3\n04D4E5F6\n")
    with Journal(demo_config.parent / "journal.db", kiosk_id="demo-door") as journal:
        first = journal.last(2)[-1]
        journal.set_aside(first.id, "participant of another site", now=datetime.now(UTC))
    report = prikklok("journal", "--config", str(demo_config))
    assert "Waiting for sync: 1," in report.stdout
    assert "Set aside for a supervisor: 1" in report.stdout
    assert "#1 check_in: participant of another site" in report.stdout


NO_DISPLAY = {"DISPLAY": "", "WAYLAND_DISPLAY": "", "SDL_VIDEODRIVER": ""}


def test_kiosk_without_a_display_says_so_in_one_line(demo_config: Path) -> None:
    done = prikklok("kiosk", "--config", str(demo_config), env=NO_DISPLAY)
    assert done.returncode == 1
    assert "no display" in done.stderr and "--offscreen" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_offscreen_kiosk_answers_taps_from_stdin_and_stops_at_their_end(
    demo_config: Path,
) -> None:
    done = prikklok(
        "kiosk", "--offscreen", "--config", str(demo_config), stdin="04A1B2C3\n", env=NO_DISPLAY
    )
    assert done.returncode == 0, done.stderr
    report = prikklok("journal", "--json", "--config", str(demo_config))
    assert json.loads(report.stdout)["by_kind"]["check_in"] == 1
