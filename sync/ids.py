"""Record ids made on the kiosk: UUIDv7, time-ordered, unique without coordination."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable


class RecordIds:
    """Makes UUIDv7 ids (RFC 9562) that sort in the order they were made in this process.

    Within one millisecond a 12-bit counter keeps the order; the 62 random bits keep two
    kiosks (or a kiosk and its own earlier life with a wrong clock) from ever colliding.
    """

    def __init__(
        self,
        *,
        time_ms: Callable[[], int] = time.time_ns,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._time_ns = time_ms
        self._random = random_bytes
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0

    def new(self) -> str:
        with self._lock:
            ms = self._time_ns() // 1_000_000
            if ms <= self._last_ms:
                # Same millisecond, or the wall clock stepped back: stay ordered.
                self._counter += 1
                if self._counter > 0xFFF:
                    self._last_ms += 1
                    self._counter = 0
                ms = self._last_ms
            else:
                self._last_ms = ms
                self._counter = 0
            counter = self._counter
        rand = int.from_bytes(self._random(8), "big") & ((1 << 62) - 1)
        value = (ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= counter << 64
        value |= 0b10 << 62
        value |= rand
        return str(uuid.UUID(int=value))
