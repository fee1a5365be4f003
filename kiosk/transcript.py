"""A screen as lines of text: what the headless door prints, and the offscreen demo too.

One rendition of kiosk.views.View, so the terminal says what the screen shows, in the
same words from the same catalogues.
"""

from __future__ import annotations

from collections.abc import Sequence

from kiosk import phrases as P
from kiosk.language import dutch
from kiosk.supervision import PresentRow, RollCall
from kiosk.views import Said, View


def transcript(view: View) -> list[str]:
    """The symbol and headline first, then the lines, tasks, word and lunch question."""
    lines = [f"{view.cue.symbol} {view.title.dutch}".rstrip()]
    lines += _own(view.title, "    ")
    for said in view.lines:
        if said.dutch:
            lines.append(f"  {said.dutch}")
        lines += _own(said, "    ")
    if view.otherwise:  # what happens when nobody answers
        lines.append(f"  … {view.otherwise.dutch}")
        lines += _own(view.otherwise, "    ")
    lines += [f"  • {task.text}" for task in view.tasks]
    if view.word:
        word = view.word
        sentence = f" — {word.sentence}" if word.sentence else ""
        lines.append(f"  Woord van de dag: {word.heading}{sentence}")
        if word.meaning:
            lines.append(f"    ({word.lang}) {word.meaning}")
    if view.ask_lunch:
        lines.append("  Eet je mee? [ja] [nee]")
    if view.question is not None:  # the participant's own say (kiosk.own_views)
        choices = " ".join(
            f"[{c.label.dutch}{' · ' + c.note.dutch if c.note else ''}]"
            for c in view.question.choices
        )
        lines.append(f"  {view.question.prompt.dutch} {choices}")
        lines += _own(view.question.prompt, "    ")
    if view.week is not None:
        tiles = " · ".join(f"{d.symbol} {d.label}" for d in view.week.days)
        lines.append(f"  {tiles}")
        if view.week.next_day is not None:
            lines.append(f"  {view.week.next_day.dutch}")
            lines += _own(view.week.next_day, "    ")
    if view.not_coming is not None:
        lines.append(f"  [☒ {view.not_coming.dutch}]")
    if view.recall is not None:  # the recall check (kiosk.word_views): the word, 4 pictures
        pictures = " ".join(f"[{p.heading}]" for p in view.recall.choices)
        lines.append(f"  {pictures}")
    return lines


# What became of a recall check, as the headless door prints it.
RECALL_OUTCOMES = {"right": "goed", "wrong": "fout", "skipped": "overgeslagen"}


def recall_outcome(heading: str, outcome: str) -> str:
    return f"  {'♪'} {heading}: {RECALL_OUTCOMES[outcome]}"


def _own(said: Said, indent: str) -> list[str]:
    return [f"{indent}({said.lang}) {said.own}"] if said.own else []


def supervisor_transcript(
    heading: str, counts: str, rows: Sequence[PresentRow], status: Sequence[str], alert: str = ""
) -> list[str]:
    """Supervisor mode: who is in and since when, whom she may check in by hand, the status.

    Only what the screen shows after a supervisor's badge, by display name (often a first
    name, docs/privacy.md); never a badge id.
    """
    lines = [f"☰ {heading}", *([f"  ⚠ {alert}"] if alert else []), f"  {counts}"]
    lines += [f"  ✔ {row.name} — {row.since_text}" for row in rows if row.inside]
    outside = [row.name for row in rows if not row.inside]
    if outside:
        lines.append(f"  {dutch(P.CHECK_IN)}: {', '.join(outside)}")
    if status:
        lines.append(f"  {' · '.join(status)}")
    return lines


def roll_call_transcript(heading: str, roll: RollCall) -> list[str]:
    """The evacuation list: when it was made, how many are seen, and everyone on it."""
    lines = [f"⚠ {heading} · {roll.made_text}", f"  {roll.seen_text}"]
    if not roll.entries:
        lines.append(f"  {dutch(P.NOBODY_INSIDE)}")
    for entry in roll.entries:
        box = "☑" if roll.ticked(entry.key) else "☐"
        role = f" ({dutch(P.SUPERVISOR)})" if entry.supervisor else ""
        lines.append(f"  {box} {entry.name}{role} — {entry.since_text}")
    return lines
