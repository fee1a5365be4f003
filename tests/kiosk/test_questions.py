"""What the door asks after a tap and what the answers record (kiosk.questions), with a
held clock; then the Door itself on a real journal: each answer is one record of its own
kind, its week counts taps at other doors, and the site's settings switch it all."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from hardware.feedback import QuietIndicator
from kiosk.decide import Decision, Outcome, Tap
from kiosk.door import Door
from kiosk.questions import OwnSay, asked_after, leaving_early, leaving_times
from sync.clock import WORKSHOP_TZ, HeldClock
from sync.journal import Journal
from sync.own_say import detail_problem
from sync.roster import DoorData, Participant

AMAL = Participant("p-amal", "Amal", "ar", agreed_weekdays=frozenset({2, 4}))
CLOSING = OwnSay(my_week=True, leave_reason_minutes=60, closes_at=time(16, 30))
TUESDAY = datetime(2026, 11, 24, 9, 0, tzinfo=WORKSHOP_TZ)
SITE: dict[str, Any] = {
    "id": "s", "name": "Werkplaats", "opens_at": "08:30:00", "closes_at": "16:30:00",
    "timezone": "Europe/Amsterdam", "speak_greeting": False, "my_week": True,
    "leave_reason_minutes": 60, "usual_leaving_times": [],
}  # fmt: skip


def check_out_at(hour: int, minute: int = 0) -> Decision:
    at = HeldClock(TUESDAY.replace(hour=hour, minute=minute)).now()
    return Decision(Outcome.CHECK_OUT, Tap("04A1", at), participant=AMAL)


@pytest.mark.parametrize(
    ("hour", "minute", "asks"),
    [(12, 0, True), (15, 30, True), (15, 31, False), (16, 45, False)],
)
def test_a_check_out_an_hour_or_more_before_closing_asks_why(
    hour: int, minute: int, asks: bool
) -> None:
    assert leaving_early(check_out_at(hour, minute), CLOSING) is asks


def test_no_setting_or_no_closing_time_never_asks() -> None:
    assert not leaving_early(check_out_at(10), OwnSay(my_week=True, closes_at=time(16, 30)))
    assert not leaving_early(check_out_at(10), OwnSay(leave_reason_minutes=60))
    manual = Decision(Outcome.MANUAL_CHECK_OUT, check_out_at(10).tap, participant=AMAL)
    assert not leaving_early(manual, CLOSING)  # a supervisor's hand asks the participant nothing


def test_leaving_times_are_the_sites_or_reckoned_back_from_closing() -> None:
    assert leaving_times(CLOSING) == (
        time(14, 30), time(15, 0), time(15, 30), time(16, 0), time(16, 30)
    )  # fmt: skip
    usual = OwnSay(usual_leaving_times=(time(16, 0), time(12, 30)), closes_at=time(17, 0))
    assert leaving_times(usual) == (time(12, 30), time(16, 0))


def test_site_settings_from_the_stored_snapshot() -> None:
    assert OwnSay.from_site(None) == OwnSay()  # a door-data file: nothing is asked
    settings = OwnSay.from_site({**SITE, "usual_leaving_times": ["15:00:00"]})
    assert settings == OwnSay(True, 60, (time(15, 0),), time(16, 30))
    older = {k: v for k, v in SITE.items() if k not in ("my_week", "leave_reason_minutes")}
    assert OwnSay.from_site(older).my_week and OwnSay.from_site(older).leave_reason_minutes == 60
    assert OwnSay.from_site({**SITE, "leave_reason_minutes": None}).leave_reason_minutes is None
    assert OwnSay.from_site({**SITE, "closes_at": "half past four"}) == OwnSay()


def test_a_forgotten_check_out_asks_for_the_day_left_open() -> None:
    at = HeldClock(TUESDAY).now()
    decision = Decision(
        Outcome.FORGOT_CHECKOUT, Tap("04A1", at), participant=AMAL,
        stale_day=TUESDAY.date() - timedelta(days=1), detail={"stale_record_id": "r-1"},
    )  # fmt: skip
    asked = asked_after(decision, "r-2", CLOSING)
    assert asked is not None and asked.kind == "checkout_estimate"
    assert asked.day == TUESDAY.date() - timedelta(days=1)
    assert asked.link == {"stale_record_id": "r-1"}


# -- the Door on a real journal ------------------------------------------------------------
DATA = DoorData.from_dict(
    {"participants": [{"id": "p-amal", "display_name": "Amal", "language": "ar",
                       "agreed_weekdays": [2, 4]}],
     "badges": [{"uid": "04A1B2C3", "holder_id": "p-amal"}]}
)  # fmt: skip


def door_on(tmp_path: Path, site: dict[str, Any] | None = SITE) -> tuple[Door, HeldClock]:
    journal = Journal(tmp_path / "journal.db", kiosk_id="door-1")
    journal.store_door_data(DATA, source="test")
    if site is not None:
        journal.store_site(site)
    clock = HeldClock(TUESDAY)
    return Door(journal=journal, clock=clock, feedback=QuietIndicator()), clock


def test_each_answer_is_one_record_the_server_accepts(tmp_path: Path) -> None:
    door, clock = door_on(tmp_path)
    door.tap("04A1B2C3")
    clock.advance(2 * 3600)
    out = door.tap("04A1B2C3")
    assert out.asked is not None and out.asked.kind == "leave_reason"
    reason = door.leave_reason(out.asked, "transport")
    clock.advance(24 * 3600)  # Wednesday
    absence = door.announce_absence("p-amal", TUESDAY.date() + timedelta(days=2), "office")
    for answer in (reason, absence):
        assert answer is not None
        r = answer.record
        assert detail_problem(r.kind, r.detail, r.workshop_day) is None
        assert r.participant_id == "p-amal" and r.badge_uid is None
    assert reason is not None and reason.record.detail["check_out_record_id"] == out.record.id
    assert door.journal.counts() == {
        "check_in": 1, "check_out": 1, "leave_reason": 1, "absence_announced": 1
    }  # fmt: skip
    with pytest.raises(ValueError):
        door.announce_absence("p-amal", TUESDAY.date(), "office")  # a day gone by


def test_the_week_counts_a_check_in_at_another_door_and_a_restart_keeps_its_own(
    tmp_path: Path,
) -> None:
    door, clock = door_on(tmp_path)
    # The server says: Amal came on Tuesday at door B (and is no longer in). The sync
    # agent stores it through a connection of its own, as it does on the kiosk.
    agent = Journal(door.journal.path, kiosk_id="door-1")
    agent.store_site_presence({
        "site_id": "s", "participants": [], "supervisors": [], "lunch_count": 0,
        "days": [{"participant_id": "p-amal", "day": "2026-11-24", "state": "came"}],
        "fetched_at": TUESDAY.isoformat(),
    })  # fmt: skip
    agent.close()
    clock.advance(2 * 24 * 3600)  # Thursday
    door.refresh()
    answer = door.tap("04A1B2C3")
    assert answer.week is not None
    assert [(d.day.day, d.mark.value) for d in answer.week.days] == [(24, "came"), (26, "came")]
    restarted = Door(journal=door.journal, clock=clock, feedback=QuietIndicator())
    assert "p-amal" in restarted.week_log.came


def test_without_the_sites_settings_the_door_shows_and_asks_nothing(tmp_path: Path) -> None:
    door, clock = door_on(tmp_path, site=None)
    door.tap("04A1B2C3")
    clock.advance(3600)
    out = door.tap("04A1B2C3")
    assert out.week is None and out.asked is None


def test_the_site_turns_my_week_off(tmp_path: Path) -> None:
    door, _ = door_on(tmp_path, site={**SITE, "my_week": False})
    assert door.tap("04A1B2C3").week is None


def test_the_headless_door_and_the_demo_print_the_week_and_the_question(
    tmp_path: Path,
) -> None:
    from kiosk.own_views import with_own_say
    from kiosk.transcript import transcript
    from kiosk.views import view_of

    door, clock = door_on(tmp_path)
    door.tap("04A1B2C3")
    clock.advance(2 * 3600)
    out = door.tap("04A1B2C3")
    lines = transcript(with_own_say(view_of(out.decision, door.data), out.week, out.asked))
    text = "\n".join(lines)
    assert "Waarom ga je eerder weg? [Gemeente of IND] [Dokter of ziek]" in text
    assert "✔ di 24 · ○ do 26" in text and "Volgende keer: donderdag 26" in text
    assert "[☒ Ik kom niet op …]" in text


def test_a_door_data_file_may_carry_the_sites_settings(tmp_path: Path) -> None:
    import json

    from kiosk.headless import StartupError, load_site

    path = tmp_path / "door-data.json"
    path.write_text(json.dumps({"participants": [], "site": SITE}), encoding="utf-8")
    assert OwnSay.from_site(load_site(path)) == CLOSING
    path.write_text(json.dumps({"participants": []}), encoding="utf-8")
    assert load_site(path) is None
    path.write_text(json.dumps({"site": {**SITE, "closes_at": "late"}}), encoding="utf-8")
    with pytest.raises(StartupError, match="site"):
        load_site(path)
