"""What the screen would say for a decision, in Dutch — the kiosk's language.

The headless door prints these lines; the Kivy screens (a later issue) show the same
facts with colour, symbol and the participant's own language.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kiosk.decide import Decision, Outcome
from sync.clock import WORKSHOP_TZ
from sync.roster import DoorData

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def clock_time(moment: datetime) -> str:
    return moment.astimezone(WORKSHOP_TZ).strftime("%H:%M")


def dutch_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def hours(worked: timedelta) -> str:
    minutes = int(worked.total_seconds() // 60)
    return f"{minutes // 60} uur {minutes % 60:02d} min"


def greeting(moment: datetime) -> str:
    hour = moment.astimezone(WORKSHOP_TZ).hour
    if hour < 12:
        return "Goedemorgen"
    if hour < 18:
        return "Goedemiddag"
    return "Goedenavond"


def screen_lines(decision: Decision, data: DoorData) -> list[str]:
    """The lines the door shows for this decision, headline first."""
    at = decision.tap.at.wall
    name = (
        decision.participant.display_name
        if decision.participant
        else decision.supervisor.display_name
        if decision.supervisor
        else ""
    )
    outcome = decision.outcome
    if outcome in (Outcome.CHECK_IN, Outcome.FORGOT_CHECKOUT):
        lines = [f"✔ {greeting(at)}, {name}! Welkom — ingecheckt om {clock_time(at)}."]
        if outcome is Outcome.FORGOT_CHECKOUT and decision.stale_day:
            lines.append(
                f"! Je bent op {dutch_date(decision.stale_day)} niet uitgecheckt. "
                "Je begeleider zet het goed."
            )
        return lines + _day_lines(decision, data)
    if outcome is Outcome.CHECK_OUT:
        worked = decision.worked_today or timedelta()
        return [
            f"✔ Tot ziens, {name}! Uitgecheckt om {clock_time(at)}.",
            f"  Vandaag gewerkt: {hours(worked)}.",
        ]
    if outcome is Outcome.TOO_SOON:
        came = clock_time(decision.checked_in_at) if decision.checked_in_at else "?"
        return [
            f"? {name}, je bent al ingecheckt om {came}.",
            "  Wil je weg? Tik nog een keer met je pas om uit te checken.",
        ]
    if outcome is Outcome.UNKNOWN_BADGE:
        return ["✖ Deze pas kennen we nog niet. Vraag het je begeleider."]
    if outcome is Outcome.INACTIVE:
        return ["✖ Deze pas is niet actief. Vraag het je begeleider."]
    return [f"★ Begeleidersmodus — {name}."]


def _day_lines(decision: Decision, data: DoorData) -> list[str]:
    participant = decision.participant
    if participant is None:
        return []
    day = decision.tap.at.workshop_day()
    lines = [f"  Taak: {task.text}" for task in data.tasks_for(participant.id, day)]
    word = data.word_for(day)
    if word:
        article = f"{word.article} " if word.article else ""
        lines.append(f"  Woord van de dag: {article}{word.word} — {word.sentence}".rstrip(" —"))
        meaning = word.meaning_in(participant.language)
        if meaning and participant.language != "nl":
            lines.append(f"  ({participant.language}) {meaning}")
    return lines
