"""The installer under --root against a wheelhouse on disk (the server's own lookup by
sha256, without HTTP): bytes that do not match their name are never installed, and a
restart that fails puts the version before back."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.administration import wheelhouse
from sync.upgrade import UpgradeFolder
from sync.upgrade_install import Installer, InstallFailed, Layout
from tests.upgrades.releases import release_wheel


@pytest.fixture
def house(tmp_path: Path) -> Path:
    folder = tmp_path / "wheelhouse"
    for version in ("1.0", "2.0"):
        wheelhouse.add(folder, version, [release_wheel(tmp_path / version, version)])
    return folder


def installer(tmp_path: Path, house: Path, version: str, **given: object) -> Installer:
    folder = UpgradeFolder(tmp_path / "upgrade")
    release = wheelhouse.release(house, version)
    folder.note_wanted(
        {"upgrade": {"version": version, "manifest_sha256": release.manifest_sha256}}
    )
    config = tmp_path / "prikklok.toml"
    config.write_text("")

    def from_disk(sha256: str) -> bytes:
        found = wheelhouse.find(house, sha256)
        assert found is not None
        return found.read_bytes()

    settings: dict[str, object] = {
        "layout": Layout(tmp_path / "root"),
        "folder": folder,
        "fetch": from_disk,
        "config": config,
        "now": lambda: datetime.now(UTC),
        "running_version": "0.1.0",
        "python": sys.executable,
        **given,
    }
    return Installer(**settings)  # type: ignore[arg-type]


def link(tmp_path: Path) -> str:
    return os.readlink(tmp_path / "root" / "opt" / "prikklok" / "venv")


def test_bytes_that_do_not_match_their_name_are_not_installed(tmp_path: Path, house: Path) -> None:
    assert installer(tmp_path, house, "1.0").run_once().state == "installed"  # type: ignore[union-attr]
    honest = installer(tmp_path, house, "2.0").fetch

    def tampered(sha256: str) -> bytes:
        content = honest(sha256)
        return content if content.startswith(b"{") else content + b"\0"  # wheels, not the manifest

    status = installer(tmp_path, house, "2.0", fetch=tampered).run_once()
    assert status is not None and status.state == "failed"
    assert status.reason == (
        "prikklok-2.0-py3-none-any.whl: its bytes do not match the sha256 the server gave"
    )
    assert link(tmp_path) == "versions/1.0/venv"
    assert not (tmp_path / "root/opt/prikklok/versions/2.0").exists()


def test_a_failed_restart_puts_the_version_before_back(tmp_path: Path, house: Path) -> None:
    assert installer(tmp_path, house, "1.0").run_once().state == "installed"  # type: ignore[union-attr]
    restarts: list[str] = []

    def restart(command: Sequence[str]) -> None:
        restarts.append(link(tmp_path))
        if len(restarts) == 1:
            raise InstallFailed("systemctl restart: Job for prikklok-kiosk.service failed")

    status = installer(tmp_path, house, "2.0", restart=restart).run_once()
    assert status is not None and status.state == "failed"
    assert status.reason is not None
    assert status.reason.startswith("restart failed, 1.0 put back: systemctl restart: Job")
    # Restarted on 2.0, which failed; then on 1.0 again.
    assert restarts == ["versions/2.0/venv", "versions/1.0/venv"]
    assert link(tmp_path) == "versions/1.0/venv"
