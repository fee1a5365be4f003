"""The layers of docs/design.md hold (.importlinter), and a wrong import breaks them by name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hardware", "sync", "kiosk", "server", "prikklok")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where), "COLUMNS": "200"}  # one contract a line
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_the_code_keeps_every_import_contract() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract"),
    [
        ("sync/push.py", "import kiosk.door", "sync/ never imports hardware/"),
        ("hardware/badge.py", "import sync.clock", "hardware/ stands alone"),
        ("kiosk/door.py", "import server.kiosks.ingest", "kiosk/ imports hardware/ and sync/"),
        ("server/kiosks/ingest.py", "import sync.journal", "server/ imports only sync/'s shared"),
        ("kiosk/ui/screens.py", "import kiosk.ui.app", "No import circles inside"),
        (
            "server/attendance/presence.py",
            "import server.web.pages",
            "server: subject packages never import web or api",
        ),
        ("server/web/pages.py", "import sqlalchemy", "server/web/ builds no SQL"),
        ("server/web/pages.py", "from server.schema import events", "server/web/ builds no SQL"),
        (
            "server/app.py",
            "import server.demo.data",
            "Nothing but the command line imports the demo",
        ),
    ],
)
def test_a_wrong_import_fails_with_the_contracts_name(
    tmp_path: Path, module: str, wrong_import: str, contract: str
) -> None:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copy(ROOT / ".importlinter", tmp_path)
    with (tmp_path / module).open("a") as source:
        source.write(f"\n{wrong_import}\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    broken = done.stdout.split("Broken contracts", 1)[1]
    assert contract in broken
