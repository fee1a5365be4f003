"""A kiosk's alarms from its latest heartbeat: silent, never seen, queue growing, reader."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from server.kiosks.status import Beat, ago, alarms, clock_difference, oldest_waiting_at

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SILENT, QUEUE = timedelta(minutes=15), timedelta(minutes=30)
HEALTHY = Beat(
    received_at=NOW - timedelta(minutes=1),
    queue_depth=0,
    oldest_unsynced_at=None,
    clock_offset_seconds=0.0,
    reader_health="ok",
)


def kinds(beat: Beat | None, *, revoked: bool = False) -> list[str]:
    found = alarms(beat, NOW, silent_after=SILENT, queue_after=QUEUE, revoked=revoked)
    return [a.kind for a in found]


def test_kiosk_status_healthy_has_no_alarm() -> None:
    assert kinds(HEALTHY) == []


def test_kiosk_status_never_heard_from() -> None:
    assert kinds(None) == ["never"]


@pytest.mark.parametrize(("minutes", "expected"), [(14, []), (15, []), (16, ["silent"])])
def test_kiosk_status_silent_after_the_setting(minutes: int, expected: list[str]) -> None:
    beat = replace(HEALTHY, received_at=NOW - timedelta(minutes=minutes))
    assert kinds(beat) == expected


def test_kiosk_status_queue_growing() -> None:
    beat = replace(HEALTHY, queue_depth=12, oldest_unsynced_at=NOW - timedelta(minutes=45))
    [alarm] = alarms(beat, NOW, silent_after=SILENT, queue_after=QUEUE)
    assert alarm.kind == "queue" and "12" in alarm.message and "45 min" in alarm.message


def test_kiosk_status_a_short_queue_is_normal() -> None:
    beat = replace(HEALTHY, queue_depth=3, oldest_unsynced_at=NOW - timedelta(minutes=2))
    assert kinds(beat) == []


def test_kiosk_status_queue_age_in_server_time() -> None:
    # The kiosk's clock is an hour behind: its "an hour ago" record was made just now.
    beat = replace(
        HEALTHY,
        queue_depth=2,
        oldest_unsynced_at=NOW - timedelta(hours=1, minutes=1),
        clock_offset_seconds=3600.0,
    )
    assert oldest_waiting_at(beat) == NOW - timedelta(minutes=1)
    assert kinds(beat) == ["clock"]  # no queue alarm; the clock itself is off


def test_kiosk_status_empty_queue_has_no_oldest_record() -> None:
    beat = replace(HEALTHY, queue_depth=0, oldest_unsynced_at=NOW - timedelta(days=2))
    assert oldest_waiting_at(beat) is None and kinds(beat) == []


@pytest.mark.parametrize("health", ["degraded", "absent"])
def test_kiosk_status_reader_not_ok(health: str) -> None:
    assert kinds(replace(HEALTHY, reader_health=health)) == ["reader"]


def test_kiosk_status_everything_wrong_at_once() -> None:
    beat = Beat(NOW - timedelta(hours=3), 40, NOW - timedelta(hours=4), 0.0, "absent")
    assert kinds(beat) == ["silent", "queue", "reader"]


def test_kiosk_status_revoked_kiosk_raises_nothing() -> None:
    assert kinds(None, revoked=True) == []
    assert kinds(replace(HEALTHY, reader_health="absent"), revoked=True) == []


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(5, "zojuist"), (4 * 60, "4 min geleden"), (3 * 3600, "3 uur geleden"),
     (3 * 86400, "3 dagen geleden")],
)  # fmt: skip
def test_kiosk_status_ago_in_dutch(seconds: int, said: str) -> None:
    assert ago(NOW - timedelta(seconds=seconds), NOW) == said


@pytest.mark.parametrize(
    ("offset", "said"),
    [(0.4, "gelijk"), (30.0, "loopt 30 s achter"), (-300.0, "loopt 5 min voor"),
     (3 * 3600.0, "loopt 3 uur achter"), (330 * 86400.0, "loopt 330 dagen achter")],
)  # fmt: skip
def test_kiosk_status_clock_difference_in_words(offset: float, said: str) -> None:
    assert clock_difference(offset) == said


MB, GB = 1 << 20, 1 << 30


@pytest.mark.parametrize(
    ("free", "total", "expected"),
    [
        (49 * MB, 16 * GB, ["disk"]),  # under 50 MB
        (51 * MB, 16 * GB, ["disk"]),  # 0.3 %: under 10 %
        (int(1.5 * GB), 16 * GB, ["disk"]),  # 9.4 %
        (2 * GB, 16 * GB, []),  # 12.5 % and 2 GB
        (60 * MB, 100 * MB, []),  # a tiny disk, but 60 % and over 50 MB
        (None, None, []),  # an older kiosk that does not say
    ],
)
def test_kiosk_status_disk_nearly_full(free: int | None, total: int | None, expected) -> None:
    assert kinds(replace(HEALTHY, disk_free_bytes=free, disk_total_bytes=total)) == expected


def test_kiosk_status_journal_not_writable() -> None:
    beat = replace(HEALTHY, journal_trouble="read_only", disk_free_bytes=8 * GB,
                   disk_total_bytes=16 * GB)  # fmt: skip
    [alarm] = alarms(beat, NOW, silent_after=SILENT, queue_after=QUEUE)
    assert alarm.kind == "journal" and "alleen-lezen" in alarm.message


@pytest.mark.parametrize(
    ("offset", "expected"), [(119.0, []), (-121.0, ["clock"]), (180.0, ["clock"])]
)
def test_kiosk_status_clock_off_by_more_than_two_minutes(offset: float, expected) -> None:
    found = alarms(replace(HEALTHY, clock_offset_seconds=offset), NOW, silent_after=SILENT,
                   queue_after=QUEUE)  # fmt: skip
    assert [a.kind for a in found] == expected
    assert all("loopt" in a.message and not a.urgent for a in found)


def test_kiosk_status_records_set_aside_are_urgent() -> None:
    [alarm] = alarms(HEALTHY, NOW, silent_after=SILENT, queue_after=QUEUE, set_aside=2)
    assert alarm.kind == "set_aside" and "2 prik(ken)" in alarm.message and alarm.urgent


def test_kiosk_status_silent_is_not_urgent_a_full_disk_is() -> None:
    silent = replace(HEALTHY, received_at=NOW - timedelta(hours=2))
    full = replace(HEALTHY, disk_free_bytes=10 * MB, disk_total_bytes=16 * GB)
    assert [a.urgent for a in alarms(silent, NOW, silent_after=SILENT, queue_after=QUEUE)] == [
        False
    ]
    assert [a.urgent for a in alarms(full, NOW, silent_after=SILENT, queue_after=QUEUE)] == [True]
