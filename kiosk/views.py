"""What each screen shows for a decision: pure data the Kivy screens only lay out.

Dutch first — participants are here to learn it — and below it the same message in the
participant's own language when a catalogue has it. Every answer carries a colour, a
symbol and a sound (kiosk.signs: one sign per meaning), so no one has to tell colours
apart or read to know what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from kiosk import phrases as P
from kiosk.decide import Decision, Outcome
from kiosk.language import (
    LANGUAGES,
    clock_time,
    duration,
    dutch,
    in_language,
    language,
    long_date,
    weekday_name,
)
from kiosk.questions import AfterTap
from kiosk.recall import RecallCheck
from kiosk.signs import CUES, Cue, stays
from kiosk.speech import greeting
from sync.recall import CHECK_SECONDS
from sync.roster import DoorData

__all__ = ["CUES", "Cue", "Said", "View", "WordView", "view_of"]


@dataclass(frozen=True)
class Said:
    """One message: the Dutch line, and the participant's own line if there is one."""

    dutch: str
    own: str | None = None
    lang: str | None = None
    staff: bool = False  # for the supervisor only: Dutch, never translated


@dataclass(frozen=True)
class WordView:
    heading: str  # with its article: "de hamer"
    sentence: str
    symbol: str | None
    meaning: str | None  # in the participant's own language
    lang: str | None
    word: str
    article: str | None
    pictogram: str | None = None  # a name in sync.pictograms; drawn before the word
    photo: str | None = None  # the workshop's own photo (sha256): drawn instead, if cached
    voice: str | None = None  # a supervisor saying it (sha256 of a WAV): played, if cached


@dataclass(frozen=True)
class TaskView:
    """One task of the day: its Dutch text and the picture drawn before it, if any: the
    workshop's own photo when the door has it (sync.media), else the pictogram."""

    text: str
    pictogram: str | None = None
    photo: str | None = None


@dataclass(frozen=True)
class Choice:
    """One big button: a picture (pictogram or drawn symbol) before its words."""

    value: str  # a reason category, "HH:MM", an ISO day, or DONT_KNOW
    label: Said
    pictogram: str = ""  # a name in sync.pictograms
    done: bool = False  # a day already announced: shown, not chosen again
    note: Said | None = None  # under the words: "Al gemeld" for a day already announced
    leaf: str = ""  # drawn instead of a pictogram: a calendar leaf, "do\n26"
    width: float = 1.0  # of one button of the row (the longer words get more room)


@dataclass(frozen=True)
class Question:
    """A question on screen, and what answering it records (kiosk.questions.AfterTap)."""

    prompt: Said
    choices: tuple[Choice, ...]
    asked: AfterTap | None = None  # None: a question of its own screen (absence)


@dataclass(frozen=True)
class DayTile:
    day: date
    label: str  # "di 24"
    colour: tuple[float, float, float, float]
    symbol: str
    mark: str  # kiosk.my_week.Mark's value
    today: bool = False


@dataclass(frozen=True)
class WeekView:
    days: tuple[DayTile, ...]
    next_day: Said | None


@dataclass(frozen=True)
class WordPicture:
    """One word the participant has met, as a picture: the workshop's photo, else the
    pictogram, else the symbol; `heading` ("de hamer") is what is played and written."""

    key: str  # sync.recall.word_key
    heading: str
    word: str
    article: str | None
    photo: str | None
    pictogram: str | None
    symbol: str | None
    voice: str | None
    mark: bool = False  # "mijn woorden": answered right at this door since the plan


@dataclass(frozen=True)
class RecallView:
    """The recall check (kiosk.word_views): the word asked, and four pictures."""

    check: RecallCheck
    asked: WordPicture
    choices: tuple[WordPicture, ...]
    seconds: float = CHECK_SECONDS


@dataclass(frozen=True)
class MyWordsView:
    """ "Mijn woorden": the words they met as pictures, and how many of them they know."""

    pictures: tuple[WordPicture, ...]
    known: int
    met: int
    count: Said  # "Je kent 12 van de 30 woorden", and in their language


@dataclass(frozen=True)
class View:
    """One screen's content."""

    screen: str
    cue: Cue
    title: Said
    lines: tuple[Said, ...] = ()
    tasks: tuple[TaskView, ...] = ()
    word: WordView | None = None
    ask_lunch: bool = False
    participant_id: str | None = None
    uid: str | None = None
    timeout: float = 6.0  # seconds before the screen goes back to waiting (kiosk.signs)
    at: datetime | None = None  # when the tap was
    spoken: str | None = None  # said aloud after the chime, when the site wants it
    otherwise: Said | None = None  # what happens when nobody answers a question
    # The participant's own say (kiosk.own_views): their week, the question put after
    # their tap, and the "Ik kom niet op …" button.
    week: WeekView | None = None
    question: Question | None = None
    not_coming: Said | None = None
    # The words they have met (kiosk.word_views): the check after a check-out, "mijn
    # woorden", and the button that opens it after their own tap.
    recall: RecallView | None = None
    words: MyWordsView | None = None
    my_words: Said | None = None


Value = str | Callable[[str], str]  # a fixed text, or one formatted per language


def say(lang: str | None, msgid: str, **values: Value) -> Said:
    """A message in Dutch, and in `lang` when it is not Dutch and has a translation."""

    def fill(code: str) -> dict[str, str]:
        return {k: v(code) if callable(v) else v for k, v in values.items()}

    own = None
    if lang and lang != "nl":
        own = in_language(lang, msgid, **fill(lang))
    return Said(dutch(msgid, **fill("nl")), own, lang if own else None)


def at_time(moment: datetime) -> Callable[[str], str]:
    return lambda code: clock_time(moment, code)


def word_view(data: DoorData, day: date, lang: str | None) -> WordView | None:
    word = data.word_for(day)
    if word is None:
        return None
    heading = f"{word.article} {word.word}" if word.article else word.word
    meaning = None
    if lang and lang != "nl":
        # A Dari speaker ("prs") reads the Persian ("fa") meaning when the plan has no Dari.
        spoken = language(lang)
        meaning = word.meaning_in(lang) or (word.meaning_in(spoken.code) if spoken else None)
    return WordView(
        heading=heading,
        sentence=word.sentence,
        symbol=word.symbol,
        meaning=meaning,
        lang=lang if meaning else None,
        word=word.word,
        article=word.article,
        pictogram=word.pictogram,
        photo=word.photo,
        voice=word.voice,
    )


def waiting_tasks(data: DoorData, day: date) -> list[TaskView]:
    """The day's tasks the waiting screen shows: those that name no one (a participant's
    own tasks greet them at check-in)."""
    return [
        TaskView(t.text, t.pictogram, t.photo)
        for t in data.tasks
        if t.day == day and t.participant_id is None
    ]


def view_of(decision: Decision, data: DoorData, *, lunch_seconds: float = 15.0) -> View:
    """The screen for a decision of the door."""
    tap = decision.tap
    who = decision.participant
    lang = who.language if who else None
    name = who.display_name if who else ""
    today = tap.at.workshop_day()
    moment = tap.at.wall
    common: dict[str, Any] = {
        "participant_id": who.id if who else None,
        "uid": tap.uid,
        "at": moment,
    }
    outcome = decision.outcome

    if outcome in (Outcome.CHECK_IN, Outcome.MANUAL_CHECK_IN):
        mine = data.tasks_for(who.id, today) if who else []
        tasks = tuple(TaskView(t.text, t.pictogram, t.photo) for t in mine)
        answer = "birthday" if decision.birthday else "welcome"
        return View(
            "welcome",
            CUES[answer],
            say(lang, P.BIRTHDAY if decision.birthday else P.WELCOME, name=name),
            (say(lang, P.CHECKED_IN_AT, time=at_time(moment)),),
            tasks=tasks,
            word=word_view(data, today, lang),
            ask_lunch=decision.ask_lunch,
            timeout=stays(answer, asks_lunch=decision.ask_lunch, lunch_seconds=lunch_seconds),
            spoken=greeting(name, moment, leaving=False) if data.speak_greeting else None,
            **common,
        )
    if outcome == Outcome.FORGOT_CHECKOUT:
        stale = decision.stale_day or today
        return View(
            "forgot",
            CUES["forgot"],
            say(lang, P.WELCOME, name=name),
            (
                say(lang, P.FORGOT_CHECKOUT, date=lambda code: long_date(stale, code)),
                say(lang, P.TELL_SUPERVISOR),
            ),
            ask_lunch=decision.ask_lunch,
            timeout=stays("forgot", asks_lunch=decision.ask_lunch, lunch_seconds=lunch_seconds),
            spoken=greeting(name, moment, leaving=False) if data.speak_greeting else None,
            **common,
        )
    if outcome in (Outcome.CHECK_OUT, Outcome.MANUAL_CHECK_OUT):
        worked = decision.worked_today or timedelta()
        return View(
            "goodbye",
            CUES["goodbye"],
            say(lang, P.GOODBYE, name=name),
            (
                say(lang, P.WORKED_TODAY, duration=lambda code: duration(worked, code)),
                see_you(lang, today, decision.next_day),
            ),
            timeout=stays("goodbye"),
            spoken=greeting(name, moment, leaving=True) if data.speak_greeting else None,
            **common,
        )
    if outcome == Outcome.TOO_SOON:
        came_in = decision.checked_in_at or moment
        return View(
            "too_soon",
            CUES["too_soon"],
            Said(name),
            (say(lang, P.TOO_SOON, time=at_time(came_in)),),
            timeout=stays("too_soon"),
            otherwise=say(lang, P.YOU_STAY),
            **common,
        )
    if outcome == Outcome.UNKNOWN_BADGE:
        # Whose badge it is, nobody knows: ask in every language the kiosk speaks.
        title, lines = told(None, P.UNKNOWN_BADGE, P.ASK_SUPERVISOR)
        return View("unknown", CUES["unknown"], title, lines, timeout=stays("unknown"), **common)
    if outcome == Outcome.INACTIVE:
        return View(
            "inactive",
            CUES["inactive"],
            say(lang, P.BADGE_NOT_USABLE),
            (say(lang, INACTIVE_REASONS.get(decision.reason or "", P.NOT_ACTIVE)),
             say(lang, P.ASK_SUPERVISOR)),
            timeout=stays("inactive"),
            **common,
        )  # fmt: skip
    raise ValueError(f"no participant screen for {outcome}")


INACTIVE_REASONS = {
    "program_not_started": P.PROGRAM_NOT_STARTED,
    "program_ended": P.PROGRAM_ENDED,
    "badge_revoked": P.BADGE_REVOKED,
    "participant_inactive": P.NOT_ACTIVE,
}


def see_you(lang: str | None, today: date, next_day: date | None) -> Said:
    """ "Tot morgen!" when tomorrow is agreed, else the next agreed weekday, else "tot ziens"."""
    if next_day is None:
        return say(lang, P.SEE_YOU_SOON)
    if next_day == today + timedelta(days=1):
        return say(lang, P.SEE_YOU_TOMORROW)
    return say(lang, P.SEE_YOU_ON, weekday=lambda code: weekday_name(next_day, code))


def every_language(msgid: str) -> tuple[Said, ...]:
    """The phrase in each language the kiosk speaks but Dutch: own lines, no Dutch line."""
    lines = (Said("", in_language(code, msgid), code) for code in LANGUAGES if code != "nl")
    return tuple(said for said in lines if said.own)


# The waiting screen's call, "tap your badge": each other language a few seconds in turn.
CALL_SECONDS = 5


def waiting_call(at: datetime) -> Said:
    """ "▶ Houd je pas bij de lezer", and below it one other language, changing every few
    seconds: the waiting screen does not know who will come."""
    others = every_language(P.TAP_YOUR_BADGE)
    turn = others[int(at.timestamp() // CALL_SECONDS) % len(others)]
    return Said(f"▶ {dutch(P.TAP_YOUR_BADGE)}", turn.own, turn.lang)


def told(lang: str | None, title: str, *lines: str) -> tuple[Said, tuple[Said, ...]]:
    """A title and lines, in Dutch with the participant's language below each.

    When nobody knows the participant's language (a badge nobody knows, a reader that
    cannot read), the Dutch, and then the last line, what to do, in every language.
    """
    if language(lang) is not None:
        return say(lang, title), tuple(say(lang, msgid) for msgid in lines)
    dutch_lines = tuple(Said(dutch(msgid)) for msgid in lines)
    return Said(dutch(title)), dutch_lines + every_language(lines[-1])


def reader_problem_view(health: str) -> View:
    """Nobody tapped (the reader cannot read): for whoever comes to the door."""
    state = P.READER_ABSENT if health == "absent" else P.READER_DEGRADED
    title, lines = told(None, P.READER_PROBLEM, P.TELL_SUPERVISOR)
    status = Said(dutch(P.READER_STATUS, state=dutch(state)), staff=True)
    # timeout 0: it stays until the reader works again.
    return View(
        "reader_problem",
        CUES["reader_problem"],
        title,
        (*lines, status),
        timeout=stays("reader_problem"),
    )


def error_view(lang: str | None = None) -> View:
    """The tap was not recorded: tap again (in every language when whose it was is not
    known)."""
    title, lines = told(lang, P.SOMETHING_WENT_WRONG, P.TAP_AGAIN)
    return View("error", CUES["error"], title, lines, timeout=stays("error"))


# Why taps are not saved, in the supervisor's words (kiosk.door's WriteTrouble values).
CAUSES = {
    "disk_full": P.DISK_FULL,
    "read_only": P.JOURNAL_READ_ONLY,
    "write_failed": P.JOURNAL_WRITE_FAILED,
}


def not_saved_view(cause: str, lang: str | None = None) -> View:
    """The journal cannot be written: tapping again would fail again, so the participant
    goes to the supervisor (who reads the cause on the last line, and in supervisor mode)."""
    why = dutch(P.TAPS_NOT_SAVED, cause=dutch(CAUSES.get(cause, P.JOURNAL_WRITE_FAILED)))
    title, lines = told(lang, P.NOT_SAVED, P.GO_TO_SUPERVISOR)
    status = Said(why, staff=True)
    return View("not_saved", CUES["not_saved"], title, (*lines, status), timeout=stays("not_saved"))
