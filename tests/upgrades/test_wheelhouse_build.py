"""`prikklok server wheelhouse build`, run for real with pip but without the network: the
project's own wheel built from a source, its dependency taken from a folder of wheels (as the
ones built once on a Pi are), and the manifest naming both."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from prikklok.cli import cli
from tests.upgrades.releases import plain_wheel


def source(tmp_path: Path, version: str) -> Path:
    folder = tmp_path / f"prikklok-{version}"
    (folder / "prikklok").mkdir(parents=True)
    (folder / "prikklok" / "__init__.py").write_text("")
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "prikklok"\nversion = "{version}"\ndependencies = ["idna"]\n'
        '[tool.setuptools]\npackages = ["prikklok"]\n'
    )
    (folder / "constraints.txt").write_text("idna==3.10\n")
    return folder


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip without PyPI: setuptools from this venv, wheels from one folder only."""
    built_on_a_pi = tmp_path / "built-on-a-pi"
    plain_wheel(built_on_a_pi, "idna", "3.10")
    plain_wheel(built_on_a_pi, "idna", "3.11")  # newer, but the constraints pin 3.10
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_NO_BUILD_ISOLATION", "0")  # pip's spelling of "no isolation"
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    return built_on_a_pi


def test_build_fills_a_release_and_writes_its_manifest(tmp_path: Path, offline: Path) -> None:
    house = tmp_path / "house"
    done = CliRunner().invoke(
        cli,
        ["server", "wheelhouse", "build", "--wheelhouse", str(house), "--version", "4.0",
         "--source", str(source(tmp_path, "4.0")), "--find-links", str(offline),
         "--data-dir", str(tmp_path / "data")],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "release 4.0: 2 wheels" in done.output
    manifest = json.loads((house / "4.0" / "manifest.json").read_text())
    names = [f["name"] for f in manifest["files"]]
    assert names == ["idna-3.10-py3-none-any.whl", "prikklok-4.0-py3-none-any.whl"]
    for listed in manifest["files"]:
        body = (house / "4.0" / listed["name"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == listed["sha256"]


def test_build_refuses_a_source_of_another_version(tmp_path: Path, offline: Path) -> None:
    done = CliRunner().invoke(
        cli,
        ["server", "wheelhouse", "build", "--wheelhouse", str(tmp_path / "house"),
         "--version", "4.1", "--source", str(source(tmp_path, "4.0")),
         "--data-dir", str(tmp_path / "data")],
    )  # fmt: skip
    assert done.exit_code == 1
    assert "is prikklok 4.0, not 4.1" in done.output
    assert not (tmp_path / "house" / "4.1" / "manifest.json").exists()


def test_a_package_without_a_binary_wheel_is_named(tmp_path: Path, offline: Path) -> None:
    """Without the folder built on a Pi, pip finds no idna for the kiosks: it says so."""
    done = CliRunner().invoke(
        cli,
        ["server", "wheelhouse", "build", "--wheelhouse", str(tmp_path / "house"),
         "--version", "4.0", "--source", str(source(tmp_path, "4.0")),
         "--data-dir", str(tmp_path / "data")],
    )  # fmt: skip
    assert done.exit_code == 1
    assert "pip download failed: no wheel for manylinux2014_aarch64, CPython 3.11: idna" in (
        done.output
    )
