from __future__ import annotations

import uuid

from sync.ids import RecordIds


def test_record_ids_are_uuid7_and_ordered_within_one_millisecond() -> None:
    ids = RecordIds(time_ms=lambda: 1_800_000_000_000_000_000)
    made = [ids.new() for _ in range(100)]
    assert made == sorted(made)
    assert all(uuid.UUID(i).version == 7 for i in made)


def test_record_ids_stay_ordered_when_the_clock_steps_back() -> None:
    times = iter([2_000_000_000_000_000, 1_000_000_000_000_000])
    ids = RecordIds(time_ms=lambda: next(times))
    first, second = ids.new(), ids.new()
    assert first < second
