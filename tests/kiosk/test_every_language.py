"""Every screen a participant can meet speaks each of the door's eight languages.

A screen that knows whose tap it was says each line in Dutch and in their language; a
screen that does not (a badge nobody knows, a reader that cannot read, the waiting
screen) says what to do in every language. Only the supervisor's cause line is Dutch.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from kiosk.decide import Decision, Outcome, Tap
from kiosk.language import LANGUAGES
from kiosk.my_week import WeekLog, week_of
from kiosk.own_views import absence_view, reason_choices, with_own_say
from kiosk.questions import AfterTap
from kiosk.views import (
    CALL_SECONDS,
    CAUSES,
    INACTIVE_REASONS,
    Question,
    Said,
    View,
    error_view,
    not_saved_view,
    reader_problem_view,
    view_of,
    waiting_call,
)
from sync.clock import Instant
from sync.roster import DoorData, Participant

AT = datetime(2026, 11, 24, 7, 58, tzinfo=UTC)  # a Tuesday, 08:58 at the workshop
DAY = date(2026, 11, 24)
OTHERS = {code for code in LANGUAGES if code != "nl"}


def decision(outcome: Outcome, lang: str | None, **more: object) -> Decision:
    tap = Tap("04000001", Instant(AT, 1.0, "boot", True))
    who = None if lang is None else Participant("p-1", "Amal", language=lang)
    return Decision(outcome, tap, participant=who, **more)  # type: ignore[arg-type]


def participant_views(lang: str) -> list[View]:
    """Every screen one participant can meet, in each of its variants."""
    data = DoorData.from_dict({})
    decisions = [
        decision(Outcome.CHECK_IN, lang, ask_lunch=True),
        decision(Outcome.CHECK_IN, lang, birthday=True),
        decision(Outcome.FORGOT_CHECKOUT, lang, stale_day=DAY - timedelta(days=1)),
        decision(Outcome.TOO_SOON, lang, checked_in_at=AT - timedelta(minutes=2)),
        *(
            decision(Outcome.CHECK_OUT, lang, worked_today=timedelta(hours=6), next_day=day)
            for day in (None, DAY + timedelta(days=1), DAY + timedelta(days=2))
        ),
        *(decision(Outcome.INACTIVE, lang, reason=reason) for reason in INACTIVE_REASONS),
    ]
    return [
        *(view_of(d, data) for d in decisions),
        error_view(lang),
        *(not_saved_view(cause, lang) for cause in CAUSES),
    ]


def views_for_nobody() -> list[View]:
    unknown = view_of(decision(Outcome.UNKNOWN_BADGE, None), DoorData.from_dict({}))
    return [
        unknown,
        reader_problem_view("absent"),
        reader_problem_view("degraded"),
        error_view(None),
        *(not_saved_view(cause, None) for cause in CAUSES),
    ]


@pytest.mark.parametrize("lang", sorted(OTHERS))
def test_every_line_a_participant_reads_is_also_in_their_language(lang: str) -> None:
    for view in participant_views(lang):
        for said in (view.title, *view.lines):
            if said.staff or said.dutch == "Amal":  # the cause, for her; a name
                continue
            assert said.own and said.lang == lang, f"{view.screen}: {said.dutch!r} only in Dutch"


def test_a_dutch_speaker_reads_dutch_only() -> None:
    for view in participant_views("nl"):
        assert all(said.own is None for said in (view.title, *view.lines)), view.screen


@pytest.mark.parametrize("view", views_for_nobody(), ids=lambda v: v.screen)
def test_a_screen_for_nobody_in_particular_says_what_to_do_in_every_language(view: View) -> None:
    spoken = [said.lang for said in view.lines if said.own]
    assert sorted(spoken) == sorted(OTHERS)  # each once
    assert view.title.dutch and view.title.own is None  # Dutch first, and once
    assert [said.staff for said in view.lines].count(True) <= 1


def test_unknown_language_code_gets_every_language() -> None:
    view = error_view("xx")
    assert sorted(said.lang for said in view.lines if said.own) == sorted(OTHERS)


def test_waiting_screen_calls_in_each_language_in_turn() -> None:
    calls = [waiting_call(AT + timedelta(seconds=CALL_SECONDS * n)) for n in range(len(OTHERS))]
    assert {call.lang for call in calls} == OTHERS
    assert {call.dutch for call in calls} == {"▶ Houd je pas bij de lezer"}
    assert all(call.own for call in calls)
    # Within one turn the call stays put: the screen redraws only when it changes.
    assert waiting_call(AT) == waiting_call(AT + timedelta(seconds=0.5))


def own_say_views(lang: str) -> list[View]:
    """The screens of the participant's own say: the week and the questions after a tap,
    and "Ik kom niet op …" (its days, then its reasons)."""
    data = DoorData.from_dict({})
    who = Participant("p-1", "Amal", language=lang, agreed_weekdays=frozenset({2, 4}))
    week = week_of(who, DAY, WeekLog())
    out = decision(Outcome.CHECK_OUT, lang, worked_today=timedelta(hours=2))
    leave = AfterTap("leave_reason", "p-1", {"check_out_record_id": "r-1"})
    stale = AfterTap("checkout_estimate", "p-1", {"stale_record_id": "r-0"},
                     times=(time(15, 0), time(16, 0)), day=DAY - timedelta(days=1))  # fmt: skip
    forgot = decision(Outcome.FORGOT_CHECKOUT, lang, stale_day=DAY - timedelta(days=1))
    days = [(DAY + timedelta(days=2), False), (DAY + timedelta(days=7), True)]
    absence = absence_view("p-1", lang, days)
    reasons = replace(absence, question=Question(absence.title, reason_choices(lang)))
    return [
        with_own_say(view_of(out, data), week, leave),
        with_own_say(view_of(forgot, data), week, stale),
        absence,
        reasons,
    ]


def saids(view: View) -> list[Said]:
    """Every message of the view a participant reads, buttons and week included."""
    out = [view.title, *view.lines]
    if view.question is not None:
        out.append(view.question.prompt)
        out += [c.label for c in view.question.choices if not c.label.dutch[:1].isdigit()]
        out += [c.note for c in view.question.choices if c.note is not None]
    if view.week is not None and view.week.next_day is not None:
        out.append(view.week.next_day)
    if view.not_coming is not None:
        out.append(view.not_coming)
    return out


@pytest.mark.parametrize("lang", sorted(OTHERS))
def test_the_participants_own_say_is_in_their_language_too(lang: str) -> None:
    for view in own_say_views(lang):
        for said in saids(view):
            if said.dutch == "Amal" or not said.dutch:
                continue
            assert said.own and said.lang == lang, f"{view.screen}: {said.dutch!r} only in Dutch"


def test_the_own_say_in_dutch_is_dutch_only() -> None:
    for view in own_say_views("nl"):
        assert all(said.own is None for said in saids(view)), view.screen
