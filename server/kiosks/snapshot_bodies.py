"""Snapshot bytes kept per ETag in each server process: plain and gzip-compressed.

The ETag names the bytes (server.kiosks.door_version), so a body kept under it never goes
stale; every kiosk of a site after a change costs one build per process, not one each.
Kept by size, least recently used out first.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

BUDGET_BYTES = 64 * 1024 * 1024  # 2 000 participants: about 0.5 MB plain + 0.05 MB gzip
GZIP_LEVEL = 6  # zlib's default: level 9 is several times slower for a few % less


@dataclass(frozen=True)
class Bodies:
    plain: bytes
    gzipped: bytes = field(repr=False)

    @classmethod
    def of(cls, plain: bytes) -> Bodies:
        # mtime=0: the same bytes give the same compressed bytes in every process
        return cls(plain, gzip.compress(plain, compresslevel=GZIP_LEVEL, mtime=0))

    @property
    def size(self) -> int:
        return len(self.plain) + len(self.gzipped)


class SnapshotBodies:
    """ETag → Bodies, within a byte budget; safe from the threads of a server process."""

    def __init__(self, budget_bytes: int = BUDGET_BYTES) -> None:
        self._budget = budget_bytes
        self._kept: OrderedDict[str, Bodies] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str) -> Bodies | None:
        with self._lock:
            bodies = self._kept.get(etag)
            if bodies is not None:
                self._kept.move_to_end(etag)
            return bodies

    def put(self, etag: str, bodies: Bodies) -> None:
        if bodies.size > self._budget:
            return
        with self._lock:
            old = self._kept.pop(etag, None)
            if old is not None:
                self._size -= old.size
            self._kept[etag] = bodies
            self._size += bodies.size
            while self._size > self._budget:
                _, dropped = self._kept.popitem(last=False)
                self._size -= dropped.size


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3; "gzip;q=0" refuses)."""
    for item in (accept_encoding or "").split(","):
        coding, _, params = item.partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip().lower()
        if quality.startswith("q="):
            try:
                return float(quality[2:]) > 0
            except ValueError:
                return False
        return True
    return False
