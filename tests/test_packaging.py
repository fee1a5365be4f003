"""The package builds as the README's `./dev setup` builds it, with nothing setuptools has
said it will stop building."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
METADATA = (
    "import sys, warnings\n"
    "from setuptools import SetuptoolsDeprecationWarning, build_meta\n"
    "warnings.simplefilter('error', SetuptoolsDeprecationWarning)\n"
    "print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))\n"
)


def test_package_metadata_has_an_spdx_license_and_no_deprecation(tmp_path: Path) -> None:
    """A `project.license` table builds with a deprecation warning today and not at all
    after 2027-02-18 (PEP 639): the licence is an SPDX expression."""
    done = subprocess.run(
        [sys.executable, "-c", METADATA, str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    folder = tmp_path / done.stdout.strip().splitlines()[-1]
    assert "License-Expression: EUPL-1.2" in (folder / "METADATA").read_text().splitlines()
