"""Attendance: pairing taps into sessions (pure), and the query layer over stored taps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from server.attendance.sessions import ReceivedTap, closing_time, pair_sessions, unknown_badges

DAY = date(2026, 11, 25)
CLOSE = closing_time(DAY, time(17, 0), "Europe/Amsterdam")


def at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2026, 11, 25, hours - 1, minutes, tzinfo=UTC)  # Amsterdam is UTC+1


def test_attendance_pairs_across_two_doors() -> None:
    taps = [
        ReceivedTap("a", "check_in", at("09:00"), "front"),
        ReceivedTap("b", "check_in", at("12:00"), "back"),  # the offline back door did not know
        ReceivedTap("c", "check_out", at("13:00"), "back"),
        ReceivedTap("d", "check_out", at("17:00"), "front"),
    ]
    day = pair_sessions(taps, DAY, CLOSE)
    assert [(s.start_at, s.end_at) for s in day.sessions] == [
        (at("09:00"), at("12:00")), (at("13:00"), at("17:00")),
    ]  # fmt: skip
    assert day.counted_seconds == 7 * 3600
    assert day.sessions[0].kinds_disagree


def test_attendance_auto_closes_at_closing_time_uncounted() -> None:
    day = pair_sessions([ReceivedTap("a", "check_in", at("09:00"))], DAY, CLOSE)
    [session] = day.sessions
    assert session.auto_closed and session.end_at == at("17:00")
    assert day.counted_seconds == 0


def test_attendance_open_before_closing_is_still_in() -> None:
    day = pair_sessions([ReceivedTap("a", "check_in", at("09:00"))], DAY, CLOSE, now=at("10:00"))
    assert day.sessions == [] and day.open_since == at("09:00")


def test_attendance_ignores_non_session_taps() -> None:
    taps = [
        ReceivedTap("a", kind, at("09:00")) for kind in ("too_soon", "unknown_badge", "inactive")
    ]
    assert pair_sessions(taps, DAY, CLOSE).sessions == []


def test_attendance_closing_time_follows_dst() -> None:
    summer = closing_time(date(2026, 7, 1), time(17, 0), "Europe/Amsterdam")
    assert summer.astimezone(UTC).hour == 15 and CLOSE.astimezone(UTC).hour == 16


def test_attendance_unknown_badges_grouped() -> None:
    seen = [("0A0B0C0D", at("09:00")), ("0A0B0C0D", at("11:00")), ("01020304", at("10:00"))]
    first = unknown_badges(seen)[0]
    assert (first.uid, first.count, first.first_seen_at, first.last_seen_at) == (
        "0A0B0C0D", 2, at("09:00"), at("11:00"),
    )  # fmt: skip
    assert at("11:00") - at("09:00") == timedelta(hours=2)


def test_attendance_manual_sessions_marked_by_hand() -> None:
    taps = [
        ReceivedTap("a", "manual_check_in", at("09:00")),
        ReceivedTap("b", "check_out", at("12:00")),
        ReceivedTap("c", "check_in", at("13:00")),
        ReceivedTap("d", "manual_check_out", at("17:00")),
        ReceivedTap("e", "manual_check_in", at("17:30")),
    ]
    day = pair_sessions(taps, DAY, CLOSE)
    marks = [(s.opened_by_hand, s.closed_by_hand, s.kinds_disagree) for s in day.sessions]
    assert marks == [(True, False, False), (False, True, False), (True, False, False)]
    assert day.counted_seconds == 7 * 3600 and day.sessions[-1].auto_closed
