"""Calling a site's webhook: one signed JSON POST, tried again after a growing wait.

Network and sleep are injected so a test can hold them; the real ones use urllib (no
extra dependency) with a short timeout, so one dead receiver cannot hold up the round.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence

from server.kiosks.incidents import SIGNATURE_HEADER, signature

log = logging.getLogger(__name__)

BACKOFF = (1.0, 4.0)  # seconds waited before the second and the third try
TIMEOUT = 5.0

Post = Callable[[str, bytes, dict[str, str]], int]  # url, body, headers -> HTTP status


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            status: int = answer.status
            return status
    except urllib.error.HTTPError as refused:
        return refused.code


def deliver(
    url: str,
    secret: str,
    body: bytes,
    *,
    post: Post = http_post,
    sleep: Callable[[float], None] = time.sleep,
    backoff: Sequence[float] = BACKOFF,
) -> str | None:
    """POST the body, signed with the secret; None once a 2xx answer comes, else why the
    last try failed (the notice then waits for the next round)."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "prikklok-alerts",
        SIGNATURE_HEADER: signature(body, secret),
    }
    why = "not tried"
    for attempt in range(len(backoff) + 1):
        if attempt:
            sleep(backoff[attempt - 1])
        try:
            status = post(url, body, headers)
        except (OSError, ValueError) as failed:  # refused, timed out, a bad URL
            why = f"{type(failed).__name__}: {failed}"[:200]
        else:
            if 200 <= status < 300:
                return None
            why = f"HTTP {status}"
        log.info("webhook try %d failed: %s", attempt + 1, why)
    return why
