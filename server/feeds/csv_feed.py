"""The CSV feed, made to open right in Dutch Excel: `;` between fields, UTF-8 with a BOM,
decimal commas, dates as dd-mm-jjjj, times in the site's time, headers in Dutch.

Two views of the same figures: one row per participant-day (`days`, the default), or
one row per participant over the whole period (`summary`).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from server.feeds.content import (
    OWN_SAY_HEADER,
    STATUS_LABELS,
    Feed,
    own_say_columns,
    reason_label,
)
from server.learning.progress import WordProgress

DAY_HEADER = [
    "Deelnemer",
    "Naam",
    "Datum",
    "Status",
    "Afgesproken",
    "Binnen",
    "Weg",
    "Uren",
    "Te laat",
    "Uitchecken vergeten",
    "Reden afwezig",
    "Correcties",
    # What the participant said at the door (sync.own_say), with a supervisor's verdict:
    *OWN_SAY_HEADER,
]
SUMMARY_HEADER = [
    "Deelnemer",
    "Naam",
    "Van",
    "Tot en met",
    "Afgesproken dagen",
    "Dagen aanwezig",
    "Uren",
    "Te laat",
    "Afwezig, afgemeld",
    "Afwezig, niet afgemeld",
    "Uitchecken vergeten",
    "Achter elkaar afwezig",
    "Signaal",
    "Zelf afgemeld",
    # The words of the day and the recall checks at the door (docs/learning.md), as of now:
    "Woorden ontmoet",
    "Woordvragen gesteld",
    "Woordvragen beantwoord",
    "Deel beantwoord (%)",
    "Onthouden volgens model (%)",
    "Na 30 dagen nog geweten (%)",
    "Na 30 dagen, aantal vragen",
    "Na 30 dagen volgens model (%)",
    # Which curve the model used: fitted to this many of the site's answers; 0: standard.
    "Model aangepast aan antwoorden (0: standaard)",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text(value: str) -> str:
    """Text a spreadsheet shows as text: a name starting like a formula is not run."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def dutch_day(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def local_time(moment: datetime | None, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M") if moment else ""


def percent(share: float | None) -> str:
    return "" if share is None else decimal(100 * share)


def yes(value: bool) -> str:
    return "ja" if value else "nee"


def _write(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def days_csv(feed: Feed) -> bytes:
    rows = [DAY_HEADER]
    for person in feed.participants:
        plan = person.plan
        tz = plan.site.timezone
        for day in person.days:
            rows.append(
                [
                    text(plan.participant_id),
                    text(plan.display_name),
                    dutch_day(day.day),
                    STATUS_LABELS[day.status],
                    yes(day.agreed),
                    local_time(day.first_in, tz),
                    local_time(day.last_out, tz),
                    decimal(day.counted_seconds / 3600),
                    yes(day.late),
                    str(day.forgotten_check_outs),
                    reason_label(day),
                    str(day.corrections),
                    *own_say_columns(day, tz),
                ]
            )
    return _write(rows)


def summary_csv(feed: Feed) -> bytes:
    rows = [SUMMARY_HEADER]
    for person in feed.participants:
        plan, figures = person.plan, person.figures
        rows.append(
            [
                text(plan.participant_id),
                text(plan.display_name),
                dutch_day(feed.first),
                dutch_day(feed.last),
                str(figures.agreed_days),
                str(figures.days_present),
                decimal(figures.hours),
                str(figures.late_arrivals),
                str(figures.absences_excused),
                str(figures.absences_unexcused),
                str(figures.forgotten_check_outs),
                str(person.absence_run),
                f"{person.absence_run} keer achter elkaar afwezig" if person.alert else "",
                str(figures.absences_announced),
                *_word_columns(person.words),
            ]
        )
    return _write(rows)


def _word_columns(words: WordProgress) -> list[str]:
    return [
        str(words.words_met),
        str(words.checks_shown),
        str(words.checks_answered),
        percent(words.share_answered),
        percent(words.model_recall),
        percent(words.recall_30d),
        str(words.recall_30d_checks),
        percent(words.model_recall_30d),
        str(words.model_answers),
    ]
