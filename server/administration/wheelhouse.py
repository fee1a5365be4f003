"""The server's wheelhouse: for each release, every wheel a kiosk needs to install it without
PyPI or a compiler, and a manifest naming each file by its sha256.

    <wheelhouse>/<version>/prikklok-<version>-py3-none-any.whl
    <wheelhouse>/<version>/<the dependencies, built for manylinux2014_aarch64, CPython 3.11>
    <wheelhouse>/<version>/manifest.json

The manifest's own sha256 goes to the kiosks in the snapshot (server.administration.upgrades):
a kiosk fetches the manifest by that hash and each wheel by the hash the manifest gives, so
every byte it installs is checked against what this server said (docs/admin/upgrading.md).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
PLATFORM = "manylinux2014_aarch64"  # Raspberry Pi OS Bookworm 64-bit
PYTHON_VERSION = "3.11"  # Bookworm's python3
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")

Runner = Callable[[Sequence[str]], None]


class WheelhouseError(Exception):
    """What is wrong with a release's wheelhouse, in one sentence for the admin."""


@dataclass(frozen=True)
class Release:
    """One version in the wheelhouse: its folder and its manifest's sha256."""

    version: str
    folder: Path
    manifest_sha256: str
    files: dict[str, str]  # file name → sha256


def check_version(version: str) -> str:
    if not VERSION.match(version):
        raise WheelhouseError(
            f"version {version!r}: letters, digits, '.', '+', '_' or '-' (at most 64)"
        )
    return version


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as read:
        for block in iter(lambda: read.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path, version: str) -> Release:
    """List every wheel in `folder` with its sha256, in manifest.json (replaced whole)."""
    wheels = sorted(p for p in folder.iterdir() if p.suffix == ".whl" and p.is_file())
    own = [p for p in wheels if _project_and_version(p.name) == ("prikklok", version)]
    if not own:
        raise WheelhouseError(f"{folder}: no prikklok-{version}-*.whl, the release itself")
    files = [{"name": p.name, "sha256": sha256_of(p), "size": p.stat().st_size} for p in wheels]
    body = json.dumps(
        {"version": version, "platform": PLATFORM, "python": PYTHON_VERSION, "files": files},
        indent=1,
        sort_keys=True,
    ).encode()
    part = folder / f".{MANIFEST}.part"
    part.write_bytes(body)
    part.replace(folder / MANIFEST)
    return release(folder.parent, version)


def release(wheelhouse: Path, version: str) -> Release:
    """The release as its manifest says; WheelhouseError when there is none."""
    folder = wheelhouse / check_version(version)
    try:
        body = (folder / MANIFEST).read_bytes()
    except FileNotFoundError:
        raise WheelhouseError(
            f"no release {version} in {wheelhouse}: run 'prikklok server wheelhouse build "
            f"--version {version}' first"
        ) from None
    try:
        listed = json.loads(body)["files"]
        files = {str(f["name"]): str(f["sha256"]) for f in listed}
    except (ValueError, KeyError, TypeError):
        raise WheelhouseError(f"{folder / MANIFEST}: not a wheelhouse manifest") from None
    return Release(version, folder, hashlib.sha256(body).hexdigest(), files)


def releases(wheelhouse: Path) -> list[Release]:
    """Every release with a readable manifest, by version name."""
    if not wheelhouse.is_dir():
        return []
    found = []
    for folder in sorted(wheelhouse.iterdir()):
        if (folder / MANIFEST).is_file() and VERSION.match(folder.name):
            try:
                found.append(release(wheelhouse, folder.name))
            except WheelhouseError:
                continue  # a broken one is listed by `wheelhouse list`'s error, not served
    return found


def find(wheelhouse: Path, sha256: str) -> Path | None:
    """The manifest or wheel of that sha256, in any release; None if there is none.

    A handful of releases of a few dozen files each: reading the manifests per request
    costs less than keeping an index in step with the folder."""
    if not SHA256.match(sha256):
        return None
    for each in releases(wheelhouse):
        if each.manifest_sha256 == sha256:
            return each.folder / MANIFEST
        for name, file_sha in each.files.items():
            if file_sha == sha256 and "/" not in name and (each.folder / name).is_file():
                return each.folder / name
    return None


def add(wheelhouse: Path, version: str, wheels: Iterable[Path]) -> Release:
    """Copy ready wheels into the release's folder (the project's own, the ones built on a
    Pi) and write its manifest again."""
    folder = wheelhouse / check_version(version)
    folder.mkdir(parents=True, exist_ok=True)
    for wheel in wheels:
        if wheel.suffix != ".whl" or not wheel.is_file():
            raise WheelhouseError(f"{wheel}: not a wheel file")
        shutil.copy2(wheel, folder / wheel.name)
    return write_manifest(folder, version)


def build(
    wheelhouse: Path,
    version: str,
    source: Path,
    *,
    constraints: Path | None = None,
    find_links: Sequence[Path] = (),
    run: Runner | None = None,
) -> Release:
    """The project's own wheel from `source`, then every dependency for the kiosks'
    platform (binary wheels only: the kiosks have no compiler), then the manifest.

    `find_links`: folders of wheels pip may take from, for the packages PyPI has as
    source only (built once on a Pi: docs/admin/upgrading.md)."""
    run = run or _run
    folder = wheelhouse / check_version(version)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", scratch,
             str(source)])  # fmt: skip
        built = sorted(Path(scratch).glob("prikklok-*.whl"))
        if len(built) != 1:
            raise WheelhouseError(f"{source}: building gave no prikklok wheel")
        [own] = built
        found = _project_and_version(own.name)[1]
        if found != version:
            raise WheelhouseError(f"{source} is prikklok {found}, not {version}")
        shutil.copy2(own, folder / own.name)
    pinned = ["--constraint", str(constraints)] if constraints else []
    links = [arg for path in find_links for arg in ("--find-links", str(path))]
    # Not --quiet: pip names the packages without a wheel only in its full output.
    run([sys.executable, "-m", "pip", "download", "--dest", str(folder),
         "--platform", PLATFORM, "--python-version", PYTHON_VERSION, "--implementation", "cp",
         "--only-binary=:all:", *pinned, *links, str(folder / own.name)])  # fmt: skip
    return write_manifest(folder, version)


def _run(command: Sequence[str]) -> None:
    done = subprocess.run(list(command), capture_output=True, text=True)
    if done.returncode != 0:
        raise WheelhouseError(f"pip {command[3]} failed: {_why(done.stdout + done.stderr)}")


def _why(output: str) -> str:
    """pip's reason in one line: the packages without a wheel for the kiosks, when that is
    it (they are built once on a Pi: docs/admin/upgrading.md), else its first error."""
    lines = output.strip().splitlines() or ["(no output)"]
    for at, line in enumerate(lines):
        if "no matching distributions available for your environment" in line:
            names = []
            for following in lines[at + 1 :]:
                if not following.startswith((" ", "\t")):
                    break
                names.append(following.strip())
            return (
                f"no wheel for {PLATFORM}, CPython {PYTHON_VERSION}: {', '.join(names)} "
                "(build it on a Pi and give its folder with --find-links)"
            )
    errors = [line for line in lines if line.startswith("ERROR:")]
    return (errors or lines)[0]


def _project_and_version(wheel_name: str) -> tuple[str, str]:
    """('prikklok', '1.2.0') from 'prikklok-1.2.0-py3-none-any.whl'."""
    parts = wheel_name.split("-")
    if len(parts) < 5:
        return "", ""
    return parts[0].lower().replace("_", "-"), parts[1]
