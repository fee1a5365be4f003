"""One sign per meaning: every answer of the door in colour, symbol and sound, how long it
stays on the screen, and what happens when nobody touches it.

The colour's family says at a glance what the tap did, before any word is read:

- success (greens): the tap counted — you are in, or out. "Forgot to check out" is one
  too: the check-in worked; the note for the supervisor does not undo it.
- question (blue): the door asks; answer it, or let the default happen.
- problem (reds, up to purple): the tap did not count — tap again, or go to your supervisor.

No two answers share a symbol or a sound, and the buttons' "no" and "close" use no
answer's symbol. kiosk.views hands each screen its Cue; the table in docs/screen.md is
written from here, and tests/kiosk/test_signs.py holds the two together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RGBA = tuple[float, float, float, float]
Family = Literal["success", "question", "problem"]


@dataclass(frozen=True)
class Cue:
    """The language-free part of an answer: colour, symbol and sound together."""

    colour: RGBA
    symbol: str
    sound: str  # a name in kiosk.sounds.TUNES
    family: Family = "success"


GREEN: RGBA = (0.05, 0.55, 0.25, 1)
LEAF: RGBA = (0.30, 0.58, 0.08, 1)  # a yellower green: a party
PINE: RGBA = (0.05, 0.42, 0.20, 1)  # a darker green: in, with a note
TEAL: RGBA = (0.00, 0.48, 0.42, 1)  # the blue end of the greens: out, and well done
BLUE: RGBA = (0.10, 0.35, 0.70, 1)
INDIGO: RGBA = (0.20, 0.28, 0.78, 1)  # a question the participant opened themselves
OCEAN: RGBA = (0.05, 0.40, 0.60, 1)  # the recall check: a question the door puts, softly
MOSS: RGBA = (0.18, 0.50, 0.12, 1)  # "mijn woorden": what they have learnt
ORANGE_RED: RGBA = (0.80, 0.28, 0.05, 1)
RED: RGBA = (0.75, 0.10, 0.10, 1)
DARK_RED: RGBA = (0.55, 0.08, 0.08, 1)
CRIMSON: RGBA = (0.72, 0.06, 0.30, 1)
PURPLE: RGBA = (0.42, 0.18, 0.58, 1)  # only for "not saved": unlike any answer to a tap

COLOUR_NAMES: dict[RGBA, str] = {
    GREEN: "green",
    LEAF: "leaf green",
    PINE: "pine green",
    TEAL: "teal",
    BLUE: "blue",
    INDIGO: "indigo",
    OCEAN: "ocean blue",
    MOSS: "moss green",
    ORANGE_RED: "orange-red",
    RED: "red",
    DARK_RED: "dark red",
    CRIMSON: "crimson",
    PURPLE: "purple",
}

CUES: dict[str, Cue] = {
    "welcome": Cue(GREEN, "✔", "welcome", "success"),
    "birthday": Cue(LEAF, "★", "birthday", "success"),
    # ✔ says "you are in", as on the welcome; ✎ adds "a note for your supervisor".
    "forgot": Cue(PINE, "✔✎", "forgot", "success"),
    "goodbye": Cue(TEAL, "➔", "goodbye", "success"),
    # A clock a quarter gone: you came in only minutes ago.
    "too_soon": Cue(BLUE, "◔", "ask", "question"),
    # A box crossed out: "Ik kom niet op …", a day they will not come.
    "absence": Cue(INDIGO, "☒", "absence", "question"),
    "unknown": Cue(ORANGE_RED, "?", "unknown", "problem"),
    "inactive": Cue(RED, "⊘", "inactive", "problem"),
    "reader_problem": Cue(DARK_RED, "⚠", "reader_problem", "problem"),
    "error": Cue(CRIMSON, "↻", "error", "problem"),  # tap again
    "not_saved": Cue(PURPLE, "☛", "not_saved", "problem"),  # go to your supervisor
}

# Not answers to a tap, but what comes after one (kiosk.word_views): the recall check after
# a check-out (a note: listen), and "mijn woorden". Their signs are no answer's either.
AFTER_TAP: dict[str, Cue] = {
    "recall": Cue(OCEAN, "♪", "recall", "question"),
    "my_words": Cue(MOSS, "❖", "my_words", "success"),
}
CUES.update(AFTER_TAP)

# Seconds an answer stays when nobody touches it (0: until its cause is gone). A slow
# reader gets time; the next tap ends any answer at once, so a long stay holds nobody up.
STAYS: dict[str, float] = {
    "welcome": 8.0,
    "birthday": 8.0,
    "forgot": 10.0,
    "goodbye": 10.0,
    "too_soon": 20.0,
    "absence": 20.0,
    "unknown": 12.0,
    "inactive": 12.0,
    "reader_problem": 0.0,
    "error": 10.0,
    "not_saved": 15.0,
    "recall": 5.0,  # sync.recall.CHECK_SECONDS: no touch by then, the check is skipped
    "my_words": 20.0,
}

# An answer that puts a question of the participant's own say (kiosk.questions: "Waarom
# ga je eerder weg?", "Hoe laat ging je weg op …?") stays at least this long; untouched,
# nothing is recorded.
QUESTION_SECONDS = 15.0

# Answers that ask "Eet je mee?" before lunch stay [screen] lunch_seconds instead.
ASKS_LUNCH = frozenset({"welcome", "birthday", "forgot"})

# What happens when nobody touches the answer (the docs' words).
UNTOUCHED: dict[str, str] = {
    "welcome": "back to waiting; an unanswered lunch question records the default",
    "birthday": "back to waiting; an unanswered lunch question records the default",
    "forgot": "back to waiting; an unanswered lunch question records the default",
    "goodbye": "back to waiting",
    "too_soon": "you stay checked in (“Je blijft ingecheckt”); back to waiting",
    "absence": "nothing is recorded; back to waiting",
    "unknown": "back to waiting",
    "inactive": "back to waiting",
    "reader_problem": "a touch does nothing; back to waiting once the reader works",
    "error": "back to waiting; the tap is not recorded: tap again",
    "not_saved": "back to waiting; the tap is not recorded: go to your supervisor",
    "recall": "the check is recorded as skipped; back to waiting",
    "my_words": "back to waiting",
}

# The symbols on buttons. "No" and "close" are not an answer's symbol; "leave" is the
# goodbye's arrow because it leads to the goodbye.
BUTTONS: dict[str, str] = {"yes": "✔", "no": "✖", "close": "✖", "leave": "➔"}


def stays(answer: str, *, asks_lunch: bool = False, lunch_seconds: float = 15.0) -> float:
    """How long an answer stays when nobody touches it."""
    if asks_lunch and answer in ASKS_LUNCH:
        return lunch_seconds
    return STAYS[answer]
