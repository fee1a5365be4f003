"""The installer of upgrades without a visit: the release the site names, fetched, installed
beside the running one, checked, switched to and restarted (docs/admin/upgrading.md).

Run as root by `prikklok upgrade` (prikklok-upgrade.timer). The layout, under `root`
("/" on a kiosk, a folder in the tests):

    /opt/prikklok/versions/<version>/venv    one virtual environment per release
    /opt/prikklok/venv -> versions/<version>/venv    what the units run (a symlink)
    /opt/prikklok/staging/<version>/         the release's wheels, checked against the manifest

The running version is never touched until the new one is installed and has passed its
checks (its packages import, `prikklok config check` accepts this kiosk's config, and its
journal migration runs on a copy of the journal); the switch is one rename of a symlink.
On any failure the old version keeps running and status.json says why (sync.upgrade), for
the heartbeat. The previous release's folder stays, for going back by hand.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sync.media import matches, write_whole
from sync.upgrade import MAX_REASON, Status, UpgradeFolder, Wanted, next_step

WHEEL_NAME = re.compile(r"^[A-Za-z0-9_.+-]+\.whl$")
# What must import in the new version before the door may run it.
IMPORTS = ("prikklok.cli", "sync.agent", "sync.journal", "kiosk.decide", "hardware.badge")
PLAIN_VENV = ".venv.plain"  # a venv from before versions/, set aside at the first switch
SERVICES = ("prikklok-kiosk.service", "prikklok-sync.service")

Runner = Callable[[Sequence[str]], None]


class InstallFailed(Exception):
    """Why this release is not installed, in one line for the Kiosks page."""


@dataclass(frozen=True)
class Layout:
    root: Path = Path("/")

    @property
    def home(self) -> Path:
        return self.root / "opt" / "prikklok"

    @property
    def venv_link(self) -> Path:
        return self.home / "venv"

    def release(self, version: str) -> Path:
        return self.home / "versions" / version

    def staging(self, version: str) -> Path:
        return self.home / "staging" / version

    def running(self) -> str | None:
        """The prikklok version of the venv the link names (its dist-info); None when there
        is none to read."""
        found = sorted(self.venv_link.glob("lib/python3*/site-packages/prikklok-*.dist-info"))
        if len(found) != 1:
            return None
        return found[0].name.removeprefix("prikklok-").removesuffix(".dist-info")

    def fresh_release(self, version: str) -> Path:
        """A folder for a new venv of `version`: its own name, unless the link names that
        folder (the same version installed again by install.sh), then `<version>-2`, …"""
        running = self.venv_link.resolve().parent if self.venv_link.is_symlink() else None
        folder, n = self.release(version), 1
        while running is not None and folder.resolve() == running:
            n += 1
            folder = self.release(f"{version}-{n}")
        return folder


def run_checked(command: Sequence[str]) -> None:
    """Run a command; InstallFailed with its last line of output when it fails."""
    # The new venv's own modules, never ones a PYTHONPATH or the working folder would put
    # first.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    try:
        done = subprocess.run(
            list(command), capture_output=True, text=True, timeout=900, env=env, cwd="/"
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InstallFailed(f"{Path(command[0]).name}: {error}") from None
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or "(no output)").splitlines()
        raise InstallFailed(f"{' '.join(_short(command))}: {lines[-1]}")


@dataclass
class Installer:
    layout: Layout
    folder: UpgradeFolder
    fetch: Callable[[str], bytes]  # a manifest or wheel by sha256 (ServerClient.wheelhouse)
    config: Path
    now: Callable[[], datetime]
    running_version: str  # this process's version, until the link names one
    python: str = "python3"
    run: Runner = run_checked
    # The new version's checks run as the kiosk's user ("runuser -u prikklok --"), never root.
    as_user: Sequence[str] = ()
    restart: Runner | None = None
    log: list[str] = field(default_factory=list)

    def run_once(self) -> Status | None:
        """Install the wanted release if it is due; its status (None: nothing to do)."""
        wanted = self.folder.wanted()
        running = self.layout.running() or self.running_version
        if next_step(wanted, running, self.folder.status(), self.now()) != "install":
            return None
        assert wanted is not None
        try:
            self._install(wanted, running)
        except InstallFailed as error:
            status = Status(wanted.version, wanted.manifest_sha256, "failed",
                            str(error)[:MAX_REASON], self.now())  # fmt: skip
        else:
            status = Status(wanted.version, wanted.manifest_sha256, "installed", None, self.now())
        self.folder.write_status(status)
        return status

    def _install(self, wanted: Wanted, running: str) -> None:
        staging = self._fetch(wanted)
        release = self.layout.fresh_release(wanted.version)
        if release.exists():
            shutil.rmtree(release)  # half a venv from a run that was cut off, or a rebuild
        release.mkdir(parents=True)
        venv = release / "venv"
        self._step(f"venv for {wanted.version}", [self.python, "-m", "venv", str(venv)])
        pip = str(venv / "bin" / "pip")
        # Only the staged wheels: no PyPI, no compiler on the kiosk.
        offline = ["--no-index", "--no-cache-dir", "--find-links", str(staging)]
        self._step(
            "pip install", [pip, "install", "--quiet", *offline, f"prikklok=={wanted.version}"]
        )
        self._check(venv)
        previous = self._switch(release.name)
        try:
            if self.restart is not None:
                self.restart(["systemctl", "restart", *SERVICES])
        except InstallFailed as error:
            self._switch_back(previous)
            raise InstallFailed(f"restart failed, {running} put back: {error}") from None
        self._tidy(release.name, previous)

    def _fetch(self, wanted: Wanted) -> Path:
        """The manifest by its sha256, then each wheel by the sha256 it gives, into staging;
        a wheel fetched and checked before is kept (a cut-off download resumes)."""
        manifest = self._get(wanted.manifest_sha256, "the manifest")
        try:
            listed = json.loads(manifest)
            version = listed["version"]
            files = {str(f["name"]): str(f["sha256"]) for f in listed["files"]}
        except (ValueError, KeyError, TypeError):
            raise InstallFailed("the manifest is not a wheelhouse manifest") from None
        if version != wanted.version:
            raise InstallFailed(f"the manifest is of {version}, not {wanted.version}")
        staging = self.layout.staging(wanted.version)
        staging.mkdir(parents=True, exist_ok=True)
        for stale in staging.iterdir():
            if stale.name not in files:
                stale.unlink()
        for name, sha in files.items():
            if not WHEEL_NAME.match(name):
                raise InstallFailed(f"the manifest names {name!r}, not a wheel")
            path = staging / name
            if path.is_file() and matches(path.read_bytes(), sha):
                continue
            write_whole(path, self._get(sha, name), mode=0o644)
        self.log.append(f"fetched {len(files)} wheels of {wanted.version}")
        return staging

    def _get(self, sha256: str, what: str) -> bytes:
        # Here, not at the top: the door's process imports sync.upgrade without the client.
        from sync.client import SyncError

        try:
            content = self.fetch(sha256)
        except SyncError as error:
            raise InstallFailed(f"{what} not fetched: {error}") from None
        if not matches(content, sha256):
            raise InstallFailed(f"{what}: its bytes do not match the sha256 the server gave")
        return content

    def _check(self, venv: Path) -> None:
        python, prikklok = str(venv / "bin" / "python"), str(venv / "bin" / "prikklok")
        config = str(self.config)
        self._step("imports", [*self.as_user, python, "-c", "import " + ", ".join(IMPORTS)])
        self._step("config check", [*self.as_user, prikklok, "config", "check", "--config", config])
        migrate = ["journal", "--config", config, "migrate", "--dry-run"]
        self._step("journal migration", [*self.as_user, prikklok, *migrate])

    def _step(self, what: str, command: Sequence[str]) -> None:
        try:
            self.run(command)
        except InstallFailed as error:
            raise InstallFailed(f"{what}: {error}") from None
        self.log.append(what)

    def _switch(self, folder: str) -> str | None:
        """Point the link at the new release in one rename; the target it had before."""
        link = self.layout.venv_link
        try:
            previous: str | None = os.readlink(link)
        except OSError:
            previous = None
        _point(link, f"versions/{folder}/venv")
        self.log.append(f"switched to {folder}")
        return previous

    def _switch_back(self, previous: str | None) -> None:
        if previous is not None:
            _point(self.layout.venv_link, previous)
            if self.restart is not None:
                # The units restart by themselves (Restart=); the reason is reported.
                with contextlib.suppress(InstallFailed):
                    self.restart(["systemctl", "restart", *SERVICES])

    def _tidy(self, folder: str, previous: str | None) -> None:
        """Keep the new release and the one before (for going back); staging goes."""
        keep = {folder}
        if previous is not None and len(Path(previous).parts) >= 3:
            keep.add(Path(previous).parts[-2])
        versions = self.layout.home / "versions"
        for old in versions.iterdir():
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(self.layout.home / "staging", ignore_errors=True)
        shutil.rmtree(self.layout.home / PLAIN_VENV, ignore_errors=True)


def _point(link: Path, target: str) -> None:
    """`link` names `target` after one rename: no moment without a venv to start."""
    temporary = link.with_name(f".{link.name}.new")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    if link.is_dir() and not link.is_symlink():
        # The first upgrade of a kiosk installed before releases had folders of their own:
        # the plain venv steps aside (two renames, a moment apart)
        # (the old door runs from it until the restart: _tidy removes it after that).
        aside = link.with_name(PLAIN_VENV)
        shutil.rmtree(aside, ignore_errors=True)
        os.rename(link, aside)
        os.replace(temporary, link)
        return
    os.replace(temporary, link)


def _short(command: Sequence[str]) -> list[str]:
    return [Path(word).name if "/" in word else word for word in command[:3]]
