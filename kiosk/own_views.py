"""What the screens show of the participant's own say (issue 15): their week as pictures,
the questions the door puts after their tap, and "Ik kom niet op …". Pure data, like
kiosk.views: Dutch first, their own language on the line below, pictures before words.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from kiosk import phrases as P
from kiosk.language import long_date, weekday_name
from kiosk.my_week import MARK_SIGNS, Week
from kiosk.questions import AfterTap
from kiosk.signs import CUES, QUESTION_SECONDS, stays
from kiosk.views import Choice, DayTile, Question, Said, View, WeekView, say
from sync.own_say import CHECKOUT_ESTIMATE, LEAVE_REASON, REASONS

# The label of each reason category (sync.own_say.REASONS holds its pictogram).
REASON_PHRASES: dict[str, str] = {
    "office": P.REASON_OFFICE,
    "doctor": P.REASON_DOCTOR,
    "children": P.REASON_CHILDREN,
    "transport": P.REASON_TRANSPORT,
    "other": P.REASON_OTHER,
}
assert list(REASON_PHRASES) == list(REASONS)

DONT_KNOW = ""  # the value of "weet ik niet"
# Dutch weekday marks under a day's tile: short, the same for everyone (the next agreed
# day is written out in their own language below the tiles).
WEEKDAYS_NL = ("ma", "di", "wo", "do", "vr", "za", "zo")


def week_view(week: Week, lang: str | None) -> WeekView:
    tiles = []
    for d in week.days:
        colour, symbol = MARK_SIGNS[d.mark]
        label = f"{WEEKDAYS_NL[d.day.weekday()]} {d.day.day}"
        tiles.append(DayTile(d.day, label, colour, symbol, d.mark.value, d.today))
    nxt = week.next_day
    # The weekday in each language and the day's number: short enough for the panel.
    next_day = (
        say(lang, P.NEXT_TIME, date=lambda code: f"{weekday_name(nxt, code)} {nxt.day}")
        if nxt
        else None
    )
    return WeekView(tuple(tiles), next_day)


def reason_choices(lang: str | None) -> tuple[Choice, ...]:
    """The reason categories in the door's order, each with its pictogram."""
    return tuple(
        Choice(key, say(lang, REASON_PHRASES[key]), pictogram) for key, pictogram in REASONS.items()
    )


def time_choices(times: tuple[time, ...], lang: str | None) -> tuple[Choice, ...]:
    # The times need no picture: the numbers are the same in every language.
    clocks = tuple(Choice(t.strftime("%H:%M"), Said(t.strftime("%H:%M"))) for t in times)
    return (*clocks, Choice(DONT_KNOW, say(lang, P.DONT_KNOW), "vraagteken", width=1.8))


def question_of(asked: AfterTap, lang: str | None) -> Question:
    """The question the door puts after a tap."""
    if asked.kind == LEAVE_REASON:
        return Question(say(lang, P.LEAVE_REASON_QUESTION), reason_choices(lang), asked)
    if asked.kind == CHECKOUT_ESTIMATE and asked.day is not None:
        stale = asked.day
        prompt = say(lang, P.LEFT_WHEN, date=lambda code: long_date(stale, code))
        return Question(prompt, time_choices(asked.times, lang), asked)
    raise ValueError(f"no question for {asked.kind}")


def with_own_say(view: View, week: Week | None, asked: AfterTap | None) -> View:
    """A tap's answer with the participant's week, the question put after it (which keeps
    the answer up longer: kiosk.signs.QUESTION_SECONDS), and "Ik kom niet op …"."""
    lang = view.title.lang
    question = question_of(asked, lang) if asked else None
    timeout = max(view.timeout, QUESTION_SECONDS) if question else view.timeout
    lines = view.lines
    if asked is not None and asked.kind == CHECKOUT_ESTIMATE:
        # The question names the day left open, and the answer goes to the supervisor:
        # "Je bent op … niet uitgecheckt" and "Vertel het je begeleider" make room for it.
        lines = ()
    elif week is not None and view.screen == "goodbye":
        lines = lines[:1]  # "Tot donderdag!": the week says when, below the tiles
    return replace(
        view,
        lines=lines,
        week=week_view(week, lang) if week else None,
        question=question,
        not_coming=say(lang, P.NOT_COMING) if week else None,
        timeout=timeout,
    )


def absence_view(participant_id: str, lang: str | None, days: list[tuple[date, bool]]) -> View:
    """ "Ik kom niet op …": their next agreed days, each a calendar leaf with the date in
    their language; a day already announced (or excused) shows so, and cannot be chosen."""
    choices = tuple(
        Choice(
            day.isoformat(),
            Said(long_date(day, "nl"), long_date(day, lang) if lang and lang != "nl" else None,
                 lang if lang and lang != "nl" else None),
            done=done,
            leaf=f"{WEEKDAYS_NL[day.weekday()]}\n{day.day}",
            note=say(lang, P.ALREADY_SAID) if done else None,
        )
        for day, done in days
    )  # fmt: skip
    return View(
        "absence",
        CUES["absence"],
        say(lang, P.NOT_COMING),
        participant_id=participant_id,
        timeout=stays("absence"),
        question=Question(say(lang, P.WHICH_DAY), choices),
    )
