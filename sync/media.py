"""The door's photo cache: the workshop's own photos of the coming plan, and the words'
recordings (a supervisor saying the word of the day), fetched by hash.

A task or word of the snapshot may name a photo by the sha256 of its bytes. The sync agent
fetches each one the plan names and the cache lacks, after the round's push, pull and
heartbeat, so a photo never holds up a tap or its sync. A name is a promise the bytes never
change: a photo in the cache is never fetched again, and bytes that do not match their
name (a broken proxy, a cut-off download) are refused and asked for again next round.

The cache is a folder of `<sha256>.jpg` / `.png` / `.wav` files (Kivy picks its loader by
the extension), written whole or not at all. It holds at most `limit_bytes`: the photos of
the soonest days first; a photo no coming plan names is removed. The door reads the folder
only (`media_file`): a photo not (yet) there is drawn as the pictogram, or as nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sync.clock import Instant
from sync.roster import DoorData, Task, WordOfTheDay

if TYPE_CHECKING:
    from sync.client import ServerClient

DEFAULT_LIMIT_BYTES = 100 * 1024 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")
EXTENSIONS = (".jpg", ".png", ".wav")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WAV_MAGIC = b"RIFF"


class PhotoUnavailable(Exception):
    """One photo could not be fetched this round (the message says why, in one line)."""


def media_file(folder: Path | str, sha256: str) -> Path | None:
    """The cached file of a photo, or None while it is not there (never raises)."""
    if not SHA256.match(sha256 or ""):
        return None
    for extension in EXTENSIONS:
        path = Path(folder) / f"{sha256}{extension}"
        if path.is_file():
            return path
    return None


def wanted_photos(data: DoorData, today: date | None = None) -> list[str]:
    """The photos and recordings the plan names from `today` on, soonest day first, each
    once."""
    items: list[Task | WordOfTheDay] = [*data.words, *data.tasks]
    named = [
        (item.day, item.photo)
        for item in items
        if item.photo and (today is None or item.day >= today)
    ] + [
        (word.day, word.voice)
        for word in data.words
        if word.voice and (today is None or word.day >= today)
    ]
    return list(dict.fromkeys(name for _day, name in sorted(named, key=lambda n: n[0])))


@dataclass
class MediaRound:
    """What one pass over the cache did."""

    fetched: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # bytes that did not match their name
    left_out: list[str] = field(default_factory=list)  # no room within the limit
    problems: list[str] = field(default_factory=list)


class MediaCache:
    """The folder of photos, kept to what the plan names and to `limit_bytes`."""

    def __init__(self, folder: Path | str, limit_bytes: int = DEFAULT_LIMIT_BYTES) -> None:
        self.folder = Path(folder)
        self.limit_bytes = limit_bytes
        # The size of a photo left out for want of room: not fetched again until it fits.
        self._no_room: dict[str, int] = {}

    def cached(self) -> dict[str, Path]:
        """The photos in the folder, by name."""
        if not self.folder.is_dir():
            return {}
        found = {}
        for path in self.folder.iterdir():
            if path.suffix in EXTENSIONS and SHA256.match(path.stem):
                found[path.stem] = path
        return found

    def used_bytes(self) -> int:
        return sum(_size(path) for path in self.cached().values())

    def refresh(self, wanted: Iterable[str], fetch: Callable[[str], bytes]) -> MediaRound:
        """Remove what no plan names, then fetch what is missing, soonest first.

        `fetch(sha256)` returns the bytes or raises PhotoUnavailable: one problem of the
        round, and the photo is asked for again next time. Any other error (the server
        refusing the token) ends the pass and reaches the caller."""
        result = MediaRound()
        names = [n for n in dict.fromkeys(wanted) if SHA256.match(n)]
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_unwanted(set(names), result)
        have = self.cached()
        used = sum(_size(have[n]) for n in names if n in have)
        for name in names:
            if name in have:
                continue
            if used + self._no_room.get(name, 0) > self.limit_bytes:
                result.left_out.append(name)  # known too big for the room left: not fetched
                continue
            try:
                content = fetch(name)
            except PhotoUnavailable as error:
                result.problems.append(f"photo {name[:12]}… not fetched: {error}")
                continue
            if not matches(content, name):
                result.refused.append(name)
                result.problems.append(
                    f"photo {name[:12]}… refused: its bytes do not match its name; "
                    "asked again next round"
                )
                continue
            if used + len(content) > self.limit_bytes:
                # The soonest days' photos are in; the later ones wait for room.
                self._no_room[name] = len(content)
                result.left_out.append(name)
                continue
            self._write(name, content)
            used += len(content)
            result.fetched.append(name)
        self._no_room = {n: size for n, size in self._no_room.items() if n in names}
        if result.left_out:
            result.problems.append(
                f"{len(result.left_out)} photos not kept: the photo cache holds "
                f"{self.limit_bytes // (1024 * 1024)} MB ([sync] media_cache_mb)"
            )
        return result

    def _remove_unwanted(self, names: set[str], result: MediaRound) -> None:
        for path in self.folder.iterdir():
            stale_part = path.name.startswith(".") and path.name.endswith(".part")
            if path.stem in names and path.suffix in EXTENSIONS and not stale_part:
                continue
            if not stale_part and not (path.suffix in EXTENSIONS and SHA256.match(path.stem)):
                continue  # not ours: leave it
            try:
                path.unlink()
            except OSError as error:
                result.problems.append(f"photo {path.name} not removed: {error.strerror}")
                continue
            if not stale_part:
                result.removed.append(path.stem)

    def _write(self, name: str, content: bytes) -> None:
        """Whole or not at all: the door never reads half a photo."""
        extension = (
            ".png"
            if content.startswith(PNG_MAGIC)
            else ".wav"
            if content.startswith(WAV_MAGIC)
            else ".jpg"
        )
        write_whole(self.folder / f"{name}{extension}", content)


def matches(content: bytes, sha256: str) -> bool:
    """The bytes are what their name promises (a photo here, a wheel in sync.upgrade_install)."""
    return hashlib.sha256(content).hexdigest() == sha256


def write_whole(path: Path, content: bytes, *, mode: int | None = None) -> None:
    """Whole or not at all (a part file, fsync, rename): a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    with open(part, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    if mode is not None:
        os.chmod(part, mode)
    os.replace(part, path)


def fetch_plan_photos(
    cache: MediaCache, data: DoorData, client: ServerClient, moment: Instant
) -> MediaRound:
    """One pass of the sync agent: the photos `data` names from today on, into `cache`.

    A photo the server cannot give now is a problem of the round; a refused token or a
    busy server ends the pass as it ends the round (the agent backs off)."""
    # Here, not at the top: the screen reads the cache (media_file) and never loads the
    # HTTP client for it.
    from sync.client import AuthError, RetryLater, SyncError

    # Only with a set clock: an unset one could be years ahead and drop every photo.
    today = moment.workshop_day() if moment.synchronised else None

    def fetch(name: str) -> bytes:
        try:
            return client.media(name)
        except (AuthError, RetryLater):
            raise
        except SyncError as error:
            raise PhotoUnavailable(str(error)) from None

    return cache.refresh(wanted_photos(data, today), fetch)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
