"""What supervisor mode and the evacuation list show, decided without Kivy: who is in and
since when, which supervisors were here today, the lunch count, the status line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.site_presence import Presence, SiteView
from kiosk.supervision import (
    Grid,
    Inside,
    KioskHealth,
    RollCall,
    badge_candidates,
    by_hand_list,
    grid_for,
    lunch_count,
    participants_inside,
    present_list,
    status_lines,
    storage_alert,
    supervisors_today,
)
from kiosk.transcript import roll_call_transcript, supervisor_transcript
from kiosk.views import waiting_tasks
from sync.clock import Instant
from sync.disk import Room
from sync.record import Record
from sync.roster import DoorData

TODAY = date(2026, 11, 24)
T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in the workshop


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def instant(minutes: float) -> Instant:
    return Instant(at(minutes), 1000 + minutes * 60, "boot-1", True)


DATA = DoorData.from_dict(
    {
        "participants": [
            {"id": "p-sanne", "display_name": "sanne"},
            {"id": "p-amal", "display_name": "Amal"},
            {"id": "p-ended", "display_name": "Yusuf", "program_end": "2026-06-30"},
        ],
        "supervisors": [
            {"id": "s-marieke", "display_name": "Marieke"},
            {"id": "s-joost", "display_name": "Joost"},
        ],
        "tasks": [
            {"day": TODAY.isoformat(), "text": "Fietsen repareren"},
            {"day": TODAY.isoformat(), "text": "Koffie zetten", "participant_id": "p-amal"},
            {"day": "2026-11-25", "text": "Morgen"},
        ],
    }
)


def presence(*checked_in: tuple[str, float]) -> Presence:
    folded = Presence()
    for n, (pid, minutes) in enumerate(checked_in):
        folded.apply("check_in", pid, f"r{n}", instant(minutes))
    return folded


def supervisor_tap(sid: str, minutes: float) -> Record:
    return Record("supervisor", at(minutes), TODAY, True, "boot-1", 0.0, supervisor_id=sid)


def site(day: date = TODAY, lunch: int = 0, **supervisors: float) -> SiteView:
    since = {sid: at(m) for sid, m in supervisors.items()}
    return SiteView(at(60), {}, since, lunch_count=lunch, day=day)


def test_inside_by_name_case_blind_with_since_in_workshop_time() -> None:
    rows = participants_inside(presence(("p-sanne", 0), ("p-amal", 15), ("p-gone", 5)), DATA)
    assert [(r.name, r.since_text) for r in rows] == [
        ("Amal", "sinds 09:15"),
        ("sanne", "sinds 09:00"),
    ]


def test_supervisors_today_from_own_taps_and_the_site_each_since_first_sign() -> None:
    taps = [supervisor_tap("s-marieke", 30), supervisor_tap("s-marieke", 90)]
    rows = supervisors_today(taps, site(**{"s-marieke": 10, "s-joost": 45}), DATA, TODAY)
    assert [(r.name, r.since_text) for r in rows] == [
        ("Joost", "sinds 09:45"),
        ("Marieke", "sinds 09:10"),
    ]


def test_yesterdays_site_counts_no_supervisor_and_no_lunch() -> None:
    stale = site(date(2026, 11, 23), lunch=7, **{"s-joost": -1440})
    assert supervisors_today([], stale, DATA, TODAY) == []
    assert lunch_count(Presence(), stale, TODAY) == 0


def test_lunch_count_is_the_larger_of_this_door_and_the_site() -> None:
    here = presence(("p-sanne", 0))
    here.apply("lunch", "p-sanne", "r9", instant(1), {"eats": True})
    assert lunch_count(here, None, TODAY) == 1
    assert lunch_count(here, site(lunch=4), TODAY) == 4
    assert lunch_count(here, site(lunch=0), TODAY) == 1


def test_by_hand_lists_who_may_come_and_whoever_is_inside() -> None:
    assert [p.id for p in by_hand_list(DATA, [], TODAY)] == ["p-amal", "p-sanne"]
    assert [p.id for p in by_hand_list(DATA, ["p-ended"], TODAY)] == [
        "p-amal",
        "p-sanne",
        "p-ended",
    ]


def test_a_new_badge_goes_only_to_who_may_check_in_today() -> None:
    assert [p.id for p in badge_candidates(DATA, TODAY)] == ["p-amal", "p-sanne"]


def test_storage_alert_names_the_cause_then_the_reserve() -> None:
    assert storage_alert("disk_full", True) == "Prikken worden niet bewaard: schijf vol"
    assert storage_alert(None, True) != ""
    assert storage_alert(None, False) == ""


def test_status_lines_say_queue_contact_clock_reader_disk_and_kiosk() -> None:
    health = KioskHealth("door-1", 5, None, False, "degraded", Room(0, 100))
    lines = status_lines(health)
    assert "5" in lines[0] and lines[-1].endswith("door-1")
    assert "Schijf: 0 B vrij (0 %)" in lines
    assert len(status_lines(KioskHealth("door-1", 0, at(0), True, "ok", None))) == len(lines) - 1


def test_the_waiting_screen_shows_todays_tasks_for_everyone_only() -> None:
    assert [task.text for task in waiting_tasks(DATA, TODAY)] == ["Fietsen repareren"]


def test_present_list_puts_whoever_is_inside_first_then_who_may_come() -> None:
    rows = present_list(presence(("p-sanne", 0)), DATA, TODAY)
    assert [(r.name, r.inside, r.since_text) for r in rows] == [
        ("sanne", True, "sinds 09:00"),
        ("Amal", False, ""),
    ]


@pytest.mark.parametrize(
    ("count", "rows_fit", "columns_fit", "expected"),
    [
        (5, 6, 4, Grid(1, 5, 1)),  # a quiet day: one column, wide tiles
        (20, 6, 4, Grid(4, 5, 1)),  # a busy morning: all twenty at once, columns even
        (24, 6, 4, Grid(4, 6, 1)),
        (25, 6, 4, Grid(4, 6, 2)),  # more than the screen holds: a second page
        (0, 6, 4, Grid(1, 1, 1)),
        (3, 0, 0, Grid(1, 1, 3)),  # no room at all still shows one at a time
    ],
)
def test_grid_uses_as_few_columns_as_hold_everyone(
    count: int, rows_fit: int, columns_fit: int, expected: Grid
) -> None:
    assert grid_for(count, rows_fit, columns_fit) == expected


def test_a_grid_reads_down_each_column_then_across_a_page_at_a_time() -> None:
    grid = grid_for(10, 3, 2)  # six a page
    names = list("abcdefghij")
    assert grid.columns_of(names, 0) == [["a", "b", "c"], ["d", "e", "f"]]
    assert grid.columns_of(names, 1) == [["g", "h", "i"], ["j"]]
    assert grid.columns_of(names, 5) == grid.columns_of(names, 1)  # past the end: the last


def roll() -> RollCall:
    people = [Inside("p-amal", "Amal", at(0)), Inside("p-sanne", "sanne", at(5))]
    return RollCall(at(74), people, [Inside("p-amal", "Marieke", at(-30))])


def test_roll_call_says_when_it_was_made_and_counts_whom_the_supervisor_saw() -> None:
    call = roll()
    assert call.made_text == "gemaakt om 10:14"
    assert call.seen_text == "0 van 3 gezien"
    assert call.tick("participant:p-amal") is True
    assert call.ticked("participant:p-amal") and not call.ticked("supervisor:p-amal")
    assert call.seen_text == "1 van 3 gezien"


def test_a_second_tick_takes_a_mistaken_tick_back() -> None:
    call = roll()
    call.tick("supervisor:p-amal")
    assert call.tick("supervisor:p-amal") is False
    assert call.seen == 0


def test_roll_call_refuses_a_tick_for_someone_not_on_the_list() -> None:
    with pytest.raises(KeyError):
        roll().tick("participant:p-ended")


def test_roll_entries_say_since_when_and_who_is_a_supervisor() -> None:
    captions = [(entry.name, entry.caption) for entry in roll().entries]
    assert captions == [
        ("Amal", "sinds 09:00"),
        ("sanne", "sinds 09:05"),
        ("Marieke", "Begeleider · 08:30"),
    ]


def test_roll_call_transcript_lists_everyone_with_their_tick() -> None:
    call = roll()
    call.tick("participant:p-sanne")
    assert roll_call_transcript("Iedereen binnen: 3", call) == [
        "⚠ Iedereen binnen: 3 · gemaakt om 10:14",
        "  1 van 3 gezien",
        "  ☐ Amal — sinds 09:00",
        "  ☑ sanne — sinds 09:05",
        "  ☐ Marieke (Begeleider) — sinds 08:30",
    ]


def test_supervisor_transcript_shows_who_is_in_and_whom_to_check_in_without_badges() -> None:
    rows = present_list(presence(("p-sanne", 0)), DATA, TODAY)
    lines = supervisor_transcript("Begeleider: Marieke", "Aanwezig: 1", rows, ["Kiosk: d"])
    assert lines == [
        "☰ Begeleider: Marieke",
        "  Aanwezig: 1",
        "  ✔ sanne — sinds 09:00",
        "  Inchecken: Amal",
        "  Kiosk: d",
    ]
