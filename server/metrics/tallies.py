"""What the server counts as it happens: pushes, their records, each route's request times,
database errors and failed logins.

The counters live in prometheus_client's default registry; with several workers, in its
multiprocess files (server/metrics/processes.py). Label values come from small fixed sets
only — a record's status, a route's template, a reason — never a kiosk's or a
participant's id, so the number of series stays bounded whatever the kiosks send.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable

from prometheus_client import Counter, Histogram

RECORD_STATUSES = ("accepted", "duplicate", "rejected")  # sync.protocol's RecordResult
PUSH_ANSWERS = ("stored", "refused")  # refused: 401, 413 or 422, nothing stored
LOGIN_FAILURES = ("refused", "waiting")  # wrong name or password; too many tries, must wait
DATABASE_ERRORS = ("unreachable", "other")  # other: a statement failed (a bug: a 500)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # a path no route serves: its own text would be any string
# A kiosk request takes a few milliseconds, a page tens, a large feed up to seconds.
SECONDS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

pushes = Counter(
    "prikklok_pushes", "Pushes of journal records from kiosks, by the server's answer", ["answer"]
)
records = Counter(
    "prikklok_records", "Pushed records, by what became of each (sync.protocol)", ["status"]
)
request_seconds = Histogram(
    "prikklok_request_seconds",
    "Time from a request's arrival to its answer's last byte, by route template and method",
    ["route", "method"],
    buckets=SECONDS,
)
database_errors = Counter(
    "prikklok_database_errors",
    "Requests that met a database error: unreachable (answered 503) or other (a 500)",
    ["kind"],
)
login_failures = Counter(
    "prikklok_login_failures", "Failed staff logins: refused, or made to wait", ["reason"]
)

# Every known label value from the start: a series that is 0 is there to graph and alert
# on, and rate() sees its first increase.
for _status in RECORD_STATUSES:
    records.labels(_status)
for _answer in PUSH_ANSWERS:
    pushes.labels(_answer)
for _kind in DATABASE_ERRORS:
    database_errors.labels(_kind)
for _reason in LOGIN_FAILURES:
    login_failures.labels(_reason)

# The children by label values, looked up once: labels() takes a lock and builds a key
# on every call, and a request's time is observed on every request.
_timers: dict[tuple[str, str], Histogram] = {}
_records = {status: records.labels(status) for status in RECORD_STATUSES}


def push_stored(statuses: Iterable[str]) -> None:
    """A push was committed: count it and its records by status."""
    pushes.labels("stored").inc()
    for status, count in Tally(statuses).items():
        _records[status].inc(count)


def push_refused() -> None:
    pushes.labels("refused").inc()


def database_error(reachable: bool) -> None:
    database_errors.labels("other" if reachable else "unreachable").inc()


def login_failed(reason: str) -> None:
    assert reason in LOGIN_FAILURES, reason
    login_failures.labels(reason).inc()


def request_took(route: str, method: str, seconds: float) -> None:
    """One request's time under its route's template (`/sites/{site_id}/kiosks`)."""
    key = (route, method if method in METHODS else "other")
    timer = _timers.get(key)
    if timer is None:
        timer = _timers[key] = request_seconds.labels(*key)
    timer.observe(seconds)
