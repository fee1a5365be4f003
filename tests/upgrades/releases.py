"""Stand-in releases of prikklok for the upgrade tests: real wheels, made here without the
network, whose `prikklok` command answers the checks an upgrade runs (config check, the
journal migration's dry run) the way a release would, and fails them when told to."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

CLI = '''"""A stand-in prikklok {version}: answers an upgrade's checks."""
import sys

VERSION = "{version}"


def run() -> None:
    args = sys.argv[1:]
    if args[:2] == ["config", "check"]:
        if {config_fails!r}:
            print("config: [door] unknown key 'colour' (line 3)", file=sys.stderr)
            raise SystemExit(1)
        print("config ok")
    elif args[:1] == ["journal"] and "migrate" in args and "--dry-run" in args:
        print("a copy migrates")
    else:
        print("prikklok", VERSION)
'''
MODULES = ("sync/agent.py", "sync/journal.py", "kiosk/decide.py", "hardware/badge.py")


def release_wheel(
    folder: Path, version: str, *, requires: tuple[str, ...] = (), config_fails: bool = False
) -> Path:
    """prikklok-<version>-py3-none-any.whl in `folder`."""
    dist = f"prikklok-{version}.dist-info"
    files: dict[str, bytes] = {
        "prikklok/__init__.py": b"",
        "prikklok/cli.py": CLI.format(version=version, config_fails=config_fails).encode(),
        "sync/__init__.py": b"",
        "kiosk/__init__.py": b"",
        "hardware/__init__.py": b"",
        **{name: b"" for name in MODULES},
        f"{dist}/METADATA": (
            f"Metadata-Version: 2.1\nName: prikklok\nVersion: {version}\n"
            + "".join(f"Requires-Dist: {r}\n" for r in requires)
        ).encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
        f"{dist}/entry_points.txt": b"[console_scripts]\nprikklok = prikklok.cli:run\n",
    }
    record = "".join(f"{name},sha256={_digest(body)},{len(body)}\n" for name, body in files.items())
    files[f"{dist}/RECORD"] = (record + f"{dist}/RECORD,,\n").encode()
    path = folder / f"prikklok-{version}-py3-none-any.whl"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, body in files.items():
            wheel.writestr(name, body)
    return path


def _digest(body: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()


def plain_wheel(folder: Path, project: str, version: str) -> Path:
    """A dependency's wheel (one empty module), for a wheelhouse built without PyPI."""
    dist = f"{project}-{version}.dist-info"
    files = {
        f"{project}/__init__.py": b"",
        f"{dist}/METADATA": (
            f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n".encode()
        ),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = "".join(f"{name},sha256={_digest(body)},{len(body)}\n" for name, body in files.items())
    files[f"{dist}/RECORD"] = (record + f"{dist}/RECORD,,\n").encode()
    path = folder / f"{project}-{version}-py3-none-any.whl"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, body in files.items():
            wheel.writestr(name, body)
    return path
