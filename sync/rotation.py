"""Backups named by their time, kept newest last and pruned to a number: one rule for the
kiosk's journal backups (sync.backup) and the server's database backups
(server.administration.backups), so both folders read and rotate alike.

A backup is `<prefix>-YYYYmmdd-HHMMSS[-n].<suffix>` (UTC; -2, -3… for a second one within
the same second). Anything else in the folder is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Rotation:
    prefix: str  # "journal", "server"
    suffixes: tuple[str, ...]  # "db", "dump"

    @property
    def _name(self) -> re.Pattern[str]:
        ends = "|".join(re.escape(s) for s in self.suffixes)
        return re.compile(rf"^{re.escape(self.prefix)}-(\d{{8}})-(\d{{6}})(?:-(\d+))?\.({ends})$")

    def free_name(self, folder: Path, now: datetime, suffix: str) -> Path:
        """The name for a backup made `now`, not yet taken in `folder`."""
        stamp = now.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        path = folder / f"{self.prefix}-{stamp}.{suffix}"
        n = 1
        while path.exists():  # two backups within one second: …-2, -3…
            n += 1
            path = folder / f"{self.prefix}-{stamp}-{n}.{suffix}"
        return path

    def backups(self, folder: Path) -> list[Path]:
        """The backups in `folder`, oldest first (anything else there is left alone)."""
        name = self._name
        found = []
        for path in folder.iterdir() if folder.is_dir() else ():
            named = name.match(path.name)
            if named and path.is_file():
                found.append(((named[1], named[2], int(named[3] or 1)), path))
        return [path for _key, path in sorted(found)]

    def prune(self, folder: Path, keep: int) -> list[Path]:
        """Delete all but the newest `keep` backups in `folder`; what was deleted."""
        old = self.backups(folder)[:-keep]
        for path in old:
            path.unlink()
        return old
