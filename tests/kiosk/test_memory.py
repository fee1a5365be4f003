"""The kiosk's memory keeping: tidying is rate-limited, and trimming really runs."""

from __future__ import annotations

from kiosk.ui.memory import Tidy, limit_arenas, trim


def test_tidy_runs_at_most_once_per_interval() -> None:
    now = [100.0]
    tidy = Tidy(every=1.0, clock=lambda: now[0])
    assert tidy()
    now[0] += 0.5
    assert not tidy()
    now[0] += 0.6
    assert tidy()


def test_glibc_takes_the_settings_and_trims() -> None:
    assert limit_arenas()  # glibc on every machine prikklok runs on
    trim()  # returns whether memory went back; it must simply not fail


def test_the_door_process_does_without_pydantic(tmp_path) -> None:
    """The protocol's models and pydantic cost a door 19 MiB; the door takes its data from
    the journal the sync agent fills (or a door-data file without a site), so none of its
    modules may import them at start."""
    import json
    import subprocess
    import sys
    from datetime import date

    from server.demo.data import door_data

    plan = tmp_path / "door-data.json"
    plan.write_text(json.dumps(door_data(date.today())), "utf-8")
    code = (
        "import sys, prikklok.cli, prikklok.screen, prikklok.parts, kiosk.headless, "
        "kiosk.door, kiosk.own_views, sync.journal\n"
        f"assert kiosk.headless.load_site(__import__('pathlib').Path({str(plan)!r})) is None\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'fastapi')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"
