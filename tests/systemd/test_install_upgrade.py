"""install.sh upgrading a kiosk: the door is never stopped, and a new version that does not
install leaves the running one in place (a real venv and a real pip, under --root)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.systemd.conftest import INSTALL, install


def broken_source(tmp_path: Path) -> Path:
    """A prikklok 0.2.0 source whose install fails: what it needs is nowhere to be had."""
    source = tmp_path / "prikklok-0.2.0"
    (source / "systemd").mkdir(parents=True)
    (source / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "prikklok"\nversion = "0.2.0"\n'
        'dependencies = ["prikklok-no-such-package==9.9"]\n'
    )
    return source


def test_a_failing_pip_install_leaves_the_running_version(
    pi: Path, tmp_path: Path, kiosk_args: list[str]
) -> None:
    assert install(pi, *kiosk_args).code == 0
    link = pi / "opt" / "prikklok" / "venv"
    assert os.readlink(link) == "versions/0.1.0/venv"
    nowhere = tmp_path / "no-wheels"
    nowhere.mkdir()
    offline = {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(nowhere),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    done = install(
        pi, "--yes", "--build-under-root", "--source", str(broken_source(tmp_path)), env=offline
    )
    assert done.code == 1
    assert "prikklok 0.2.0 did not install" in done.err
    assert "the running version is unchanged" in done.err
    # The venv was really made beside the running one, and nothing else happened.
    assert (pi / "opt" / "prikklok" / "versions" / "0.2.0" / "venv" / "bin" / "python").exists()
    assert os.readlink(link) == "versions/0.1.0/venv"
    assert done.ran("systemctl") == []  # neither stopped nor restarted: the door ran on
    assert done.ran("runuser") == []  # no check of a version that is not there


def test_build_under_root_goes_with_root() -> None:
    alone = subprocess.run(
        ["bash", str(INSTALL), "--build-under-root", "--server"], capture_output=True, text=True
    )
    assert alone.returncode == 1
    assert "--build-under-root goes with --root DIR" in alone.stderr
