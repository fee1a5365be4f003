"""Upgrades without a visit, the kiosk's side: what the site wants, what the installer did,
and what the heartbeat says about it (docs/admin/upgrading.md).

Two processes share a small folder, `<data_dir>/upgrade/`:

- the sync agent (user prikklok, no rights outside its data) learns the wanted version from
  the snapshot (`site.upgrade`) and writes it to `wanted.json`; it reads `status.json` and
  reports it in the heartbeat, to a server that takes it;
- the installer (`prikklok upgrade`, root, from prikklok-upgrade.timer; sync.upgrade_install)
  reads `wanted.json`, downloads and checks the release itself, installs it beside the
  running one, switches and restarts, and writes `status.json`: what it did and, on a
  failure, why.

The installer trusts `wanted.json` only to choose among the releases the server offers: it
fetches the manifest by its sha256 from the server and every wheel by the sha256 the
manifest gives, so the unprivileged agent can never hand root a file of its own.

Nothing here imports pydantic: the door may run the agent in its own process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sync.media import write_whole

WANTED = "wanted.json"
STATUS = "status.json"
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# A release that failed is tried again after this long (a full disk may have been cleared),
# or at once when the server names another release or rebuilds this one (a new manifest).
RETRY_FAILED_AFTER = timedelta(hours=6)
MAX_REASON = 300


@dataclass(frozen=True)
class Wanted:
    version: str
    manifest_sha256: str

    @classmethod
    def of(cls, data: Any) -> Wanted | None:
        """From the snapshot's `site.upgrade` (or wanted.json); None when absent or bad."""
        if not isinstance(data, dict):
            return None
        version, sha = data.get("version"), data.get("manifest_sha256")
        if not (isinstance(version, str) and VERSION.match(version)):
            return None
        if not (isinstance(sha, str) and SHA256.match(sha)):
            return None
        return cls(version, sha)

    def as_dict(self) -> dict[str, str]:
        return {"version": self.version, "manifest_sha256": self.manifest_sha256}


@dataclass(frozen=True)
class Status:
    """The installer's last word: `installed` or `failed` (with the reason), at `at`."""

    version: str
    manifest_sha256: str
    state: str
    reason: str | None
    at: datetime

    @classmethod
    def of(cls, data: Any) -> Status | None:
        try:
            return cls(
                str(data["version"]),
                str(data["manifest_sha256"]),
                str(data["state"]),
                None if data.get("reason") is None else str(data["reason"])[:MAX_REASON],
                datetime.fromisoformat(data["at"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "manifest_sha256": self.manifest_sha256,
            "state": self.state,
            "reason": self.reason,
            "at": self.at.isoformat(),
        }

    def is_about(self, wanted: Wanted) -> bool:
        return (self.version, self.manifest_sha256) == (wanted.version, wanted.manifest_sha256)


def next_step(wanted: Wanted | None, running: str, status: Status | None, now: datetime) -> str:
    """What the installer does this time: "nothing" (no version named, or it runs it),
    "wait" (this release failed not long ago) or "install"."""
    if wanted is None or wanted.version == running:
        return "nothing"
    failed = status is not None and status.is_about(wanted) and status.state == "failed"
    if failed and status is not None and now - status.at < RETRY_FAILED_AFTER:
        return "wait"  # no tight loop of downloads and venvs that fail the same way
    return "install"


def report(wanted: Wanted | None, running: str, status: Status | None) -> dict[str, Any] | None:
    """The heartbeat's `upgrade` (protocol.UpgradeReport's fields); None: nothing to say."""
    if wanted is None:
        return None
    if wanted.version == running:
        return {"version": wanted.version, "state": "installed", "reason": None}
    if status is not None and status.is_about(wanted) and status.state == "failed":
        return {"version": wanted.version, "state": "failed", "reason": status.reason}
    # Installed but this process is the old one (the restart is under way), or not tried yet.
    return {"version": wanted.version, "state": "pending", "reason": None}


class UpgradeFolder:
    """`<data_dir>/upgrade/`: wanted.json from the agent, status.json from the installer."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        # The server said it keeps the upgrade report (HeartbeatResponse.takes_upgrade):
        # until then the heartbeat goes without it, as an older server refuses the field.
        self.server_takes = False

    def note_wanted(self, site: dict[str, Any] | None) -> Wanted | None:
        """The site's wanted release (from the stored snapshot's site), kept for the
        installer; written only when it changed."""
        wanted = Wanted.of((site or {}).get("upgrade"))
        if wanted != self.wanted():
            if wanted is None:
                (self.folder / WANTED).unlink(missing_ok=True)
            else:
                write_whole(self.folder / WANTED, json.dumps(wanted.as_dict()).encode(), mode=0o644)
        return wanted

    def wanted(self) -> Wanted | None:
        return Wanted.of(_read_json(self.folder / WANTED))

    def status(self) -> Status | None:
        return Status.of(_read_json(self.folder / STATUS))

    def write_status(self, status: Status) -> None:
        write_whole(self.folder / STATUS, json.dumps(status.as_dict()).encode(), mode=0o644)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
