"""A participant's figures, calendar and absence alert, from taps, corrections and absences
(server.attendance.summary, pure), and the calendar picture drawn from them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest

from server.attendance.calendar_picture import month_picture
from server.attendance.sessions import Correction, ReceivedTap
from server.attendance.statements import Statement, Verdict
from server.attendance.summary import (
    ABSENT,
    ANNOUNCED,
    EXCUSED,
    FUTURE,
    NOT_AGREED,
    PENDING,
    PRESENT,
    Absence,
    Agreement,
    AttendanceRecord,
    SiteHours,
    Timeline,
)

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday 25 November, 10:00 in Amsterdam
LATE_AFTER = timedelta(minutes=5)
SITE = SiteHours(time(8, 30), time(17, 0), "Europe/Amsterdam")
# Mondays and Wednesdays, from 1 October 2026.
PLAN = Agreement("p-amal", "Amal", SITE, date(2026, 10, 1), date(2027, 3, 31), frozenset({1, 3}))
MON, WED = date(2026, 11, 16), date(2026, 11, 18)


def at(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=AMS).astimezone(UTC)


def visit(day: date, arrive: str, leave: str | None = None, name: str = "") -> list[ReceivedTap]:
    name = name or f"{day}-{arrive}"
    taps = [ReceivedTap(f"{name}-in", "check_in", at(day, arrive))]
    if leave:
        taps.append(ReceivedTap(f"{name}-out", "check_out", at(day, leave)))
    return taps


def timeline(
    *taps: ReceivedTap,
    fixes: list[Correction] | None = None,
    absences: dict[date, Absence] | None = None,
    first: date = date(2026, 10, 1),
    last: date = date(2026, 11, 30),
    now: datetime = NOW,
    plan: Agreement = PLAN,
    said: list[Statement] | None = None,
) -> Timeline:
    record = AttendanceRecord(
        plan, first, last, list(taps), fixes or [], absences or {}, statements=said or []
    )
    return Timeline(record, now, LATE_AFTER)


def announced(day: date, verdict: Verdict = "pending", reason: str = "doctor") -> Statement:
    """'Ik kom niet op …' said at the door the day before (sync.own_say)."""
    return Statement(
        f"said-{day}", "p-amal", "north", "absence_announced", day,
        at(day - timedelta(days=1), "09:00"), reason, None, verdict, reason, None,
    )  # fmt: skip


def test_summary_agreed_days_are_program_weekdays() -> None:
    week = timeline().figures(MON, MON + timedelta(days=6))
    assert week.agreed_days == 2
    before_program = timeline().figures(date(2026, 10, 1) - timedelta(days=10), date(2026, 9, 30))
    assert before_program.agreed_days == 0


def test_summary_present_days_and_hours() -> None:
    line = timeline(*visit(MON, "08:30", "16:30"), *visit(WED, "08:30", "12:00"))
    week = line.figures(MON, MON + timedelta(days=6))
    assert (week.days_present, week.hours) == (2, 11.5)
    assert week.absences_unexcused == 0


def test_summary_a_day_they_came_anyway_is_present_but_not_agreed() -> None:
    tuesday = MON + timedelta(days=1)
    week = timeline(*visit(tuesday, "09:00", "12:00")).figures(MON, MON + timedelta(days=6))
    assert (week.days_present, week.agreed_days, week.absences_unexcused) == (1, 2, 2)


@pytest.mark.parametrize(("arrive", "late"), [("08:34", False), ("08:35", False), ("08:36", True)])
def test_summary_late_after_opening_plus_five_minutes(arrive: str, late: bool) -> None:
    line = timeline(*visit(MON, arrive, "16:00"))
    assert line.figures(MON, MON).late_arrivals == int(late)


def test_summary_late_goes_by_the_first_session_of_the_day() -> None:
    line = timeline(*visit(MON, "08:30", "10:00", "a"), *visit(MON, "13:00", "16:00", "b"))
    assert line.figures(MON, MON).late_arrivals == 0


def test_summary_excused_and_unexcused_absences() -> None:
    sick = {MON: Absence(MON, "sick", "griep")}
    week = timeline(absences=sick).figures(MON, MON + timedelta(days=6))
    assert (week.absences_excused, week.absences_unexcused) == (1, 1)


def test_summary_an_absence_row_on_a_day_they_came_counts_as_present() -> None:
    sick = {MON: Absence(MON, "sick")}
    day = timeline(*visit(MON, "08:30", "12:00"), absences=sick).days(MON, MON)[0]
    assert day.status == PRESENT


def test_summary_forgotten_check_out_counts_no_hours() -> None:
    line = timeline(*visit(MON, "08:30"))
    monday = line.figures(MON, MON)
    assert (monday.days_present, monday.forgotten_check_outs, monday.hours) == (1, 1, 0.0)


def test_summary_correction_adds_the_forgotten_check_out() -> None:
    fix = Correction(1, "add_check_out", None, at(MON, "16:00"), "vergeten", "s-marieke")
    monday = timeline(*visit(MON, "08:30"), fixes=[fix]).figures(MON, MON)
    assert (monday.forgotten_check_outs, monday.hours) == (0, 7.5)


def test_summary_correction_moves_a_tap_and_voids_another() -> None:
    taps = visit(MON, "08:50", "16:00", "m") + visit(WED, "08:30", "16:00", "w")
    fixes = [
        Correction(1, "move", "m-in", at(MON, "08:30"), "kaart vergeten", "s-marieke"),
        Correction(2, "void", "w-in", None, "verkeerde kaart", "s-marieke"),
        Correction(3, "void", "w-out", None, "verkeerde kaart", "s-marieke"),
    ]
    line = timeline(*taps, fixes=fixes)
    monday, wednesday = line.days(MON, MON)[0], line.days(WED, WED)[0]
    assert (monday.late, monday.counted_seconds, monday.corrections) == (False, 7.5 * 3600, 1)
    assert (wednesday.status, wednesday.corrections) == (ABSENT, 2)


def test_summary_correction_moving_a_tap_to_another_day() -> None:
    # A door with a wrong date: the supervisor moves the check-in to the day it happened.
    fix = Correction(1, "move", "x-in", at(WED, "08:30"), "klok fout", "s-marieke")
    late_out = ReceivedTap("w-out", "check_out", at(WED, "12:00"))
    line = timeline(*visit(MON, "08:30", name="x"), late_out, fixes=[fix])
    assert line.days(MON, MON)[0].status == ABSENT
    assert line.days(WED, WED)[0].counted_seconds == 3.5 * 3600


def test_summary_future_days_count_nowhere() -> None:
    month = timeline().figures(date(2026, 11, 1), date(2026, 11, 30))
    # Agreed Mondays and Wednesdays up to yesterday: 2, 4, 9, 11, 16, 18, 23 November.
    assert (month.agreed_days, month.absences_unexcused) == (7, 7)
    statuses = {d.day: d.status for d in timeline().days()}
    assert statuses[date(2026, 11, 30)] == FUTURE


def test_summary_today_is_pending_until_closing_time() -> None:
    today = date(2026, 11, 25)
    before = timeline().days(today, today)[0]
    after = timeline(now=at(today, "17:00")).days(today, today)[0]
    assert (before.status, after.status) == (PENDING, ABSENT)
    assert timeline().figures(today, today).agreed_days == 0


def test_summary_still_in_today_counts_present() -> None:
    today = date(2026, 11, 25)
    day = timeline(*visit(today, "08:40")).days(today, today)[0]
    assert (day.status, day.late, day.attendance.open_since) == (PRESENT, True, at(today, "08:40"))


def test_summary_absence_alert_counts_unexcused_agreed_days_in_a_row() -> None:
    # Present on Monday 16; then absent on the 18th and 23rd; today (25th) still open.
    line = timeline(*visit(MON, "08:30", "16:00"))
    assert line.absence_run() == 2
    assert not line.alert(3)
    later = timeline(*visit(MON, "08:30", "16:00"), now=at(date(2026, 11, 25), "18:00"))
    assert later.absence_run() == 3 and later.alert(3)


def test_summary_absence_alert_ends_at_an_excused_day() -> None:
    sick = {date(2026, 11, 23): Absence(date(2026, 11, 23), "sick")}
    line = timeline(*visit(MON, "08:30", "16:00"), absences=sick)
    assert line.absence_run() == 0


@pytest.mark.parametrize("verdict", ["pending", "confirmed", "changed"])
def test_summary_an_announced_absence_is_neither_excused_nor_unexcused(verdict: Verdict) -> None:
    line = timeline(*visit(MON, "08:30", "16:00"), said=[announced(WED, verdict)])
    day = line.days(WED, WED)[0]
    assert day.status == ANNOUNCED and day.announcement is not None
    figures = line.figures(MON, date(2026, 11, 23))
    assert (figures.absences_excused, figures.absences_unexcused) == (0, 1)  # the 23rd
    assert (figures.absences_announced, figures.agreed_days) == (1, 3)
    later = timeline(
        *visit(MON, "08:30", "16:00"),
        said=[announced(WED, verdict)],
        now=at(date(2026, 11, 25), "18:00"),
    )
    assert later.absence_run() == 2  # the 23rd and the 25th: the announced 18th ends the run


def test_summary_a_rejected_announcement_is_unexcused_again() -> None:
    line = timeline(
        *visit(MON, "08:30", "16:00"),
        said=[announced(WED, "rejected")],
        now=at(date(2026, 11, 25), "18:00"),
    )
    assert line.days(WED, WED)[0].status == ABSENT
    assert line.absence_run() == 3 and line.alert(3)


def test_summary_coming_in_or_a_supervisors_excuse_beats_an_announcement() -> None:
    sick = {date(2026, 11, 23): Absence(date(2026, 11, 23), "sick")}
    said = [announced(WED), announced(date(2026, 11, 23))]
    line = timeline(*visit(WED, "09:00", "16:00"), absences=sick, said=said)
    wednesday, monday = line.days(WED, WED)[0], line.days(date(2026, 11, 23), date(2026, 11, 23))[0]
    assert (wednesday.status, monday.status) == (PRESENT, EXCUSED)
    assert wednesday.announcement is not None  # still there for the coach to read


def test_summary_announced_today_is_not_pending() -> None:
    line = timeline(said=[announced(date(2026, 11, 25))])
    assert line.days(date(2026, 11, 25), date(2026, 11, 25))[0].status == ANNOUNCED


def test_summary_no_alert_outside_the_program() -> None:
    ended = Agreement(
        "p-amal", "Amal", SITE, date(2026, 10, 1), date(2026, 11, 20), frozenset({1, 3})
    )
    line = timeline(plan=ended)
    assert line.absence_run() > 3 and not line.alert(3)


def test_summary_calendar_month() -> None:
    sick = {date(2026, 11, 2): Absence(date(2026, 11, 2), "sick")}
    month = timeline(*visit(WED, "08:30", "16:00"), absences=sick).month(2026, 11)
    status = {d.day.day: d.status for d in month}
    assert len(month) == 30
    assert (status[2], status[4], status[18], status[19]) == (EXCUSED, ABSENT, PRESENT, NOT_AGREED)
    assert (status[25], status[30]) == (PENDING, FUTURE)


def test_calendar_picture_has_a_symbol_per_status_and_a_dutch_legend() -> None:
    sick = {date(2026, 11, 2): Absence(date(2026, 11, 2), "sick")}
    month = timeline(*visit(WED, "08:30", "16:00"), absences=sick).month(2026, 11)
    svg = month_picture(month, "Aanwezigheid van Amal, november 2026")
    tree = ElementTree.fromstring(svg)
    texts = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    for label in ("aanwezig", "afgemeld", "afwezig", "geen werkdag", "november 2026"):
        assert label in texts
    assert texts.count("✓") == 2  # the 18th and the legend
    assert texts.index("ma") < texts.index("zo")  # Monday first


def test_calendar_picture_escapes_the_name() -> None:
    svg = month_picture(timeline().month(2026, 11), 'Aanwezigheid van <script>"x"</script> & co')
    tree = ElementTree.fromstring(svg)  # still well-formed
    assert tree.find("{http://www.w3.org/2000/svg}title").text.endswith("</script> & co")
    assert "<script>" not in svg
