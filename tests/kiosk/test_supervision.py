"""What supervisor mode and the evacuation list show, decided without Kivy: who is in and
since when, which supervisors were here today, the lunch count, the status line."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kiosk.site_presence import Presence, SiteView
from kiosk.supervision import (
    KioskHealth,
    badge_candidates,
    by_hand_list,
    lunch_count,
    participants_inside,
    status_lines,
    storage_alert,
    supervisors_today,
)
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
