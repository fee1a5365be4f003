"""A screen as lines of text: what the headless door prints, and the offscreen demo too.

One rendition of kiosk.views.View, so the terminal says what the screen shows, in the
same words from the same catalogues.
"""

from __future__ import annotations

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
    return lines


def _own(said: Said, indent: str) -> list[str]:
    return [f"{indent}({said.lang}) {said.own}"] if said.own else []
