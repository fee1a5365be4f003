"""The check-in core's rules, with a held clock and no SQLite, Kivy or hardware."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.decide import DoorRules, Outcome, Tap, confirm_leave, decide
from kiosk.site_presence import Presence
from sync.clock import HeldClock, Instant
from sync.roster import DoorData

AMAL = "04A1B2C3"
REVOKED = "04DEAD01"
MARIEKE = "0499AA11"
YUSUF = "04E2D001"

DATA = DoorData.from_dict(
    {
        "participants": [
            {"id": "p-amal", "display_name": "Amal", "language": "ar",
             "program_start": "2026-09-01", "program_end": "2027-02-28"},
            {"id": "p-yusuf", "display_name": "Yusuf", "program_end": "2026-10-31"},
            {"id": "p-gone", "display_name": "Gone", "active": False},
        ],
        "supervisors": [{"id": "s-marieke", "display_name": "Marieke"}],
        "badges": [
            {"uid": AMAL, "holder_id": "p-amal"},
            {"uid": REVOKED, "holder_id": "p-amal", "active": False},
            {"uid": YUSUF, "holder_id": "p-yusuf"},
            {"uid": "04000001", "holder_id": "p-gone"},
            {"uid": MARIEKE, "holder": "supervisor", "holder_id": "s-marieke"},
        ],
    }
)  # fmt: skip
RULES = DoorRules(too_soon=timedelta(minutes=5), confirm_window=timedelta(seconds=20))


def amsterdam(text: str) -> datetime:
    """A Europe/Amsterdam wall time as an aware UTC datetime."""
    from sync.clock import WORKSHOP_TZ

    return datetime.fromisoformat(text).replace(tzinfo=WORKSHOP_TZ).astimezone(UTC)


class DoorUnderTest:
    """Runs decisions the way the door does: decide, then fold the result into presence."""

    def __init__(self, start: str = "2026-11-24 08:58") -> None:
        self.clock = HeldClock(amsterdam(start))
        self.presence = Presence()
        self.count = 0

    def tap(self, uid: str = AMAL) -> Outcome:
        decision = decide(Tap(uid, self.clock.now()), DATA, self.presence, RULES)
        self.count += 1
        self.presence.apply(
            decision.outcome, decision.participant.id if decision.participant else None,
            f"r{self.count}", decision.tap.at,
        )  # fmt: skip
        self.last = decision
        return decision.outcome


def test_first_tap_of_the_day_checks_in() -> None:
    assert DoorUnderTest().tap() is Outcome.CHECK_IN


def test_tap_after_the_window_checks_out_with_hours_today() -> None:
    door = DoorUnderTest()
    door.tap()
    door.clock.advance(6 * 3600 + 12 * 60)
    assert door.tap() is Outcome.CHECK_OUT
    assert door.last.worked_today == timedelta(hours=6, minutes=12)


def test_hours_today_add_up_over_two_sessions() -> None:
    door = DoorUnderTest()
    door.tap()
    door.clock.advance(3 * 3600)
    door.tap()  # out for lunch elsewhere
    door.clock.advance(3600)
    assert door.tap() is Outcome.CHECK_IN
    door.clock.advance(2 * 3600)
    assert door.tap() is Outcome.CHECK_OUT
    assert door.last.worked_today == timedelta(hours=5)


@pytest.mark.parametrize("seconds", [1, 60, 299])
def test_tap_within_the_window_is_too_soon(seconds: int) -> None:
    door = DoorUnderTest()
    door.tap()
    door.clock.advance(seconds)
    assert door.tap() is Outcome.TOO_SOON
    assert door.last.checked_in_at == amsterdam("2026-11-24 08:58")


@pytest.mark.parametrize("seconds", [300, 301])
def test_tap_from_the_end_of_the_window_on_checks_out(seconds: int) -> None:
    door = DoorUnderTest()
    door.tap()
    door.clock.advance(seconds)
    assert door.tap() is Outcome.CHECK_OUT


def test_config_docs_say_where_the_window_ends() -> None:
    """docs/config.md says what the two tests above show: before too_soon_minutes the door
    asks, at too_soon_minutes exactly it checks out."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "config.md").read_text()
    row = next(line for line in docs.splitlines() if line.startswith("| `kiosk.too_soon_minutes`"))
    assert "A tap less than this many minutes after checking in does not check out" in row
    assert "From this many minutes on, a tap checks out." in row


def test_too_soon_then_tapping_again_in_time_checks_out() -> None:
    door = DoorUnderTest()
    door.tap()
    door.clock.advance(60)
    door.tap()
    door.clock.advance(10)
    assert door.tap() is Outcome.CHECK_OUT
    assert door.last.detail["confirmed"] is True


def test_too_soon_then_tapping_again_late_asks_again() -> None:
    door = DoorUnderTest()
    door.tap()
    door.clock.advance(30)
    door.tap()
    door.clock.advance(25)
    assert door.tap() is Outcome.TOO_SOON


def test_confirm_leave_from_the_screen_checks_out() -> None:
    door = DoorUnderTest()
    door.tap()
    door.clock.advance(90)
    door.tap()
    decision = confirm_leave(DATA.participants["p-amal"], door.presence, door.clock.now(), AMAL)
    assert decision is not None and decision.outcome is Outcome.CHECK_OUT


def test_wall_clock_jump_cannot_turn_a_repeat_tap_into_check_out() -> None:
    door = DoorUnderTest()
    door.tap()
    door.clock.advance(20)
    door.clock.jump_wall(3 * 3600)  # NTP catches up right after the check-in
    assert door.tap() is Outcome.TOO_SOON


def test_unsynchronised_clock_at_check_in_is_reckoned_by_monotonic_time() -> None:
    door = DoorUnderTest()
    door.clock.wall = datetime(1970, 1, 1, 7, 58, tzinfo=UTC)  # before NTP
    door.tap()
    door.clock.advance(4 * 3600)
    door.clock.wall = amsterdam("2026-11-24 12:58")  # NTP synchronised meanwhile
    assert door.tap() is Outcome.CHECK_OUT
    assert door.last.checked_in_at == amsterdam("2026-11-24 08:58")


def test_open_check_in_from_yesterday_is_forgot_checkout_and_checks_in() -> None:
    door = DoorUnderTest("2026-11-23 09:00")
    door.tap()
    door.clock.reboot("boot-2")
    door.clock.wall = amsterdam("2026-11-24 08:45")
    assert door.tap() is Outcome.FORGOT_CHECKOUT
    assert door.last.stale_day == date(2026, 11, 23)
    assert door.last.detail == {"stale_record_id": "r1"}
    door.clock.advance(4 * 3600)
    assert door.tap() is Outcome.CHECK_OUT


def test_workshop_day_is_amsterdam_day_across_midnight_utc() -> None:
    # 00:30 in Amsterdam on the 24th is still the 23rd in UTC.
    door = DoorUnderTest("2026-11-23 22:00")
    door.tap()
    door.clock.advance(2.5 * 3600)
    assert door.tap() is Outcome.FORGOT_CHECKOUT


def test_dst_change_does_not_shift_the_workshop_day() -> None:
    # Clocks go back on 2026-10-25 at 03:00 CEST; 23:30 is still the 25th.
    door = DoorUnderTest("2026-10-25 08:00")
    door.tap()
    door.clock.advance(15.5 * 3600)  # 23:30 CET; a fixed +2 h would say the 26th
    assert door.clock.now().workshop_day() == date(2026, 10, 25)
    assert door.tap() is Outcome.CHECK_OUT


def test_unknown_badge_is_unknown() -> None:
    door = DoorUnderTest()
    assert door.tap("04FFFFFF") is Outcome.UNKNOWN_BADGE
    assert door.last.entry().badge_uid == "04FFFFFF"


@pytest.mark.parametrize(
    ("uid", "reason"),
    [
        (REVOKED, "badge_revoked"),
        (YUSUF, "program_ended"),
        ("04000001", "participant_inactive"),
    ],
)
def test_inactive_badge_or_participant_says_why(uid: str, reason: str) -> None:
    door = DoorUnderTest()
    assert door.tap(uid) is Outcome.INACTIVE
    assert door.last.reason == reason
    assert door.presence.inside() == []


def test_program_not_started_is_inactive() -> None:
    door = DoorUnderTest("2026-08-31 09:00")
    assert door.tap() is Outcome.INACTIVE
    assert door.last.reason == "program_not_started"


def test_supervisor_badge_opens_supervisor_mode() -> None:
    door = DoorUnderTest()
    assert door.tap(MARIEKE) is Outcome.SUPERVISOR
    assert door.last.supervisor is not None and door.last.supervisor.id == "s-marieke"


def test_decision_entry_keeps_honest_time() -> None:
    clock = HeldClock(amsterdam("2026-11-24 08:58"), monotonic=42.5, boot_id="b7",
                      synchronised=False)  # fmt: skip
    entry = decide(Tap(AMAL, clock.now()), DATA, Presence(), RULES).entry()
    assert (entry.kind, entry.clock_synced, entry.boot_id, entry.monotonic) == (
        "check_in", False, "b7", 42.5,
    )  # fmt: skip
    assert entry.wall_at.tzinfo is not None and entry.workshop_day == date(2026, 11, 24)


def test_reckon_uses_wall_time_across_a_reboot() -> None:
    before = Instant(amsterdam("2026-11-24 08:00"), 100.0, "a", True)
    after = Instant(amsterdam("2026-11-24 09:00"), 5.0, "b", True)
    assert after.seconds_since(before) == 3600
    assert after.reckon(before) == before.wall
