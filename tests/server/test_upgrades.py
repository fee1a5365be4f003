"""Upgrades without a visit, end to end: a real server (uvicorn on 127.0.0.1) serves a
wheelhouse of three releases, the admin names one per site, the real sync agent learns it
and reports back, and `prikklok upgrade --root` installs it into a real venv beside the
running one. The third release cannot install: the kiosk keeps the second and says why."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from server.administration import upgrades, wheelhouse
from server.schema import audit_log, kiosk_heartbeats
from sync.agent import sync_once
from sync.client import ServerClient
from sync.clock import Instant
from sync.journal import Journal
from sync.upgrade import UpgradeFolder
from tests.faults.harness import SITE, register, running_server
from tests.upgrades.releases import release_wheel

REPO = Path(__file__).resolve().parents[2]


def now() -> Instant:
    return Instant(datetime.now(UTC), 100.0, "boot-1", True)


@dataclass
class Kiosk:
    """A kiosk under `root`: its config, journal and sync client, as install.sh leaves it."""

    root: Path
    config: Path
    journal: Journal
    client: ServerClient
    folder: UpgradeFolder

    def sync(self, running: str) -> None:
        """A real round of the agent, as the version `running` would make it."""
        result = sync_once(
            self.journal, self.client, now=now, app_version=running, upgrades=self.folder
        )
        assert not result.problems, result.problems

    def upgrade(self) -> subprocess.CompletedProcess[str]:
        """`prikklok upgrade`, as prikklok-upgrade.timer runs it, under --root."""
        return subprocess.run(
            [sys.executable, "-m", "prikklok", "upgrade", "--config", str(self.config),
             "--root", str(self.root), "--python", sys.executable],
            capture_output=True, text=True, timeout=300, cwd=self.root,
        )  # fmt: skip

    @property
    def link(self) -> Path:
        return self.root / "opt" / "prikklok" / "venv"


@pytest.fixture
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1.0 and 2.0 install; 2.1 needs a package the wheelhouse lacks."""
    house = tmp_path_factory.mktemp("wheelhouse")
    made = tmp_path_factory.mktemp("made")
    wheelhouse.add(house, "1.0", [release_wheel(made / "1", "1.0")])
    wheelhouse.add(house, "2.0", [release_wheel(made / "2", "2.0")])
    broken = release_wheel(made / "3", "2.1", requires=("prikklok-no-such-package==1.0",))
    wheelhouse.add(house, "2.1", [broken])
    return house


@pytest.fixture
def kiosk(
    database_url: str, tmp_path: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Kiosk]:
    token = register(database_url, ["door-1"])["door-1"]
    monkeypatch.setenv("PRIKKLOK_SERVER_WHEELHOUSE", str(wheels))
    root = tmp_path / "pi"
    data = root / "var" / "lib" / "prikklok"
    (root / "etc" / "prikklok").mkdir(parents=True)
    token_file = root / "etc" / "prikklok" / "kiosk.token"
    token_file.write_text(token + "\n")
    with running_server(database_url, tmp_path) as server:
        config = root / "etc" / "prikklok" / "prikklok.toml"
        config.write_text(
            f'[kiosk]\nid = "door-1"\ndata_dir = "{data}"\n'
            f'[sync]\nserver_url = "{server.url}"\ntoken_file = "{token_file}"\n'
        )
        client = ServerClient(server.url, token, timeout=30)
        with Journal(data / "journal.db", kiosk_id="door-1") as journal:
            yield Kiosk(root, config, journal, client, UpgradeFolder(data / "upgrade"))
        client.close()


def name(engine: Engine, wheels: Path, version: str | None) -> None:
    upgrades.want_version(
        engine, SITE, version, wheels, actor="admin (test)", now=datetime.now(UTC)
    )


def reported(engine: Engine) -> tuple[str | None, str | None, str | None]:
    with engine.connect() as conn:
        row = conn.execute(
            select(
                kiosk_heartbeats.c.upgrade_version,
                kiosk_heartbeats.c.upgrade_state,
                kiosk_heartbeats.c.upgrade_reason,
            ).where(kiosk_heartbeats.c.kiosk_id == "door-1")
        ).one()
    return row.upgrade_version, row.upgrade_state, row.upgrade_reason


def test_two_versions_then_one_that_fails(kiosk: Kiosk, engine: Engine, wheels: Path) -> None:
    # No version named: the kiosk has nothing to do and nothing to report.
    kiosk.sync("0.1.0")
    kiosk.sync("0.1.0")
    assert "nothing to do" in kiosk.upgrade().stdout
    assert reported(engine) == (None, None, None)

    # 1.0: fetched, installed beside, checked, switched to, restarted.
    name(engine, wheels, "1.0")
    kiosk.sync("0.1.0")
    assert kiosk.folder.wanted() is not None
    assert reported(engine) == ("1.0", "pending", None)
    done = kiosk.upgrade()
    assert done.returncode == 0, done.stderr
    assert "installed 1.0" in done.stdout
    assert (
        "would run: systemctl restart prikklok-kiosk.service prikklok-sync.service" in done.stdout
    )
    assert os.readlink(kiosk.link) == "versions/1.0/venv"
    assert subprocess.run([kiosk.link / "bin" / "prikklok"], capture_output=True,
                          text=True).stdout.strip() == "prikklok 1.0"  # fmt: skip
    kiosk.sync("1.0")  # the restarted agent is 1.0
    assert reported(engine) == ("1.0", "installed", None)

    # 2.0: the same; 1.0 stays beside it, for going back.
    name(engine, wheels, "2.0")
    kiosk.sync("1.0")
    assert kiosk.upgrade().returncode == 0
    assert os.readlink(kiosk.link) == "versions/2.0/venv"
    assert (kiosk.root / "opt/prikklok/versions/1.0/venv/bin/prikklok").exists()
    kiosk.sync("2.0")
    assert reported(engine) == ("2.0", "installed", None)

    # 2.1 does not install: 2.0 runs on, and the server learns why.
    name(engine, wheels, "2.1")
    kiosk.sync("2.0")
    failed = kiosk.upgrade()
    assert failed.returncode == 1
    assert "2.1 not installed, the old version runs on" in failed.stderr
    assert "would run: systemctl" not in failed.stdout  # nothing restarted
    assert os.readlink(kiosk.link) == "versions/2.0/venv"
    kiosk.sync("2.0")
    version, state, reason = reported(engine)
    assert (version, state) == ("2.1", "failed")
    assert reason is not None and reason.startswith("pip install:")
    assert "prikklok-no-such-package" in reason
    # No tight loop: the next run leaves the failed release alone.
    again = kiosk.upgrade()
    assert (again.returncode, "nothing to do" in again.stdout) == (0, True)

    # Naming 2.0 again: the kiosk runs it already, and says so.
    name(engine, wheels, "2.0")
    kiosk.sync("2.0")
    kiosk.sync("2.0")
    assert reported(engine) == ("2.0", "installed", None)


def test_a_failing_check_keeps_the_running_version(
    kiosk: Kiosk, engine: Engine, wheels: Path, tmp_path: Path
) -> None:
    """A release that installs but refuses this kiosk's config is never switched to."""
    wheelhouse.add(wheels, "3.0", [release_wheel(tmp_path / "w", "3.0", config_fails=True)])
    name(engine, wheels, "1.0")
    kiosk.sync("0.1.0")
    assert kiosk.upgrade().returncode == 0
    name(engine, wheels, "3.0")
    kiosk.sync("1.0")
    failed = kiosk.upgrade()
    assert failed.returncode == 1
    assert os.readlink(kiosk.link) == "versions/1.0/venv"
    status = kiosk.folder.status()
    assert status is not None and status.state == "failed"
    assert status.reason is not None and status.reason.startswith("config check:")
    assert "unknown key 'colour'" in status.reason


def test_naming_a_version_is_audited_and_needs_a_release(engine: Engine, wheels: Path) -> None:
    register_url = engine.url.render_as_string(hide_password=False)
    register(register_url, [])
    with pytest.raises(wheelhouse.WheelhouseError, match=r"no release 9\.9"):
        name(engine, wheels, "9.9")
    name(engine, wheels, "2.0")
    name(engine, wheels, None)
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(audit_log.c.action == "upgrade")
        ).all()
    assert [row.detail for row in rows] == [
        {"site": SITE, "from": None, "to": "2.0"},
        {"site": SITE, "from": "2.0", "to": None},
    ]
    with pytest.raises(upgrades.NoSuchSite):
        upgrades.want_version(
            engine, "nowhere", "2.0", wheels, actor="admin", now=datetime.now(UTC)
        )
