from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sync.clock import SystemClock


def test_system_clock_reads_boot_id_and_timesyncd_flag(tmp_path: Path) -> None:
    boot = tmp_path / "boot_id"
    boot.write_text("3f1c\n")
    flag = tmp_path / "timesync" / "synchronized"
    flag.parent.mkdir()
    clock = SystemClock(timesync_flag=flag, boot_id_path=boot)
    assert clock.now().boot_id == "3f1c"
    assert clock.now().synchronised is False  # timesyncd runs but has not synchronised
    flag.touch()
    now = clock.now()
    assert now.synchronised is True
    assert abs((datetime.now(UTC) - now.wall).total_seconds()) < 5


def test_system_clock_without_timesyncd_falls_back_to_a_sane_year(tmp_path: Path) -> None:
    clock = SystemClock(timesync_flag=tmp_path / "none" / "synchronized",
                        boot_id_path=tmp_path / "missing")  # fmt: skip
    now = clock.now()
    assert now.synchronised is True  # this machine's clock is in a plausible year
    assert now.boot_id.startswith("process-")
