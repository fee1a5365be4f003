"""One sign per meaning. The table of every answer is built from the views the screens
really get (kiosk.views): no two answers share a symbol or a sound, each colour belongs to
its family, the participants' "no" and "close" buttons use no answer's symbol, and the
table in docs/screen.md says exactly the same."""

from __future__ import annotations

import colorsys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.decide import Decision, Outcome, Tap
from kiosk.own_views import absence_view
from kiosk.signs import BUTTONS, COLOUR_NAMES, UNTOUCHED
from kiosk.sounds import TUNES
from kiosk.views import View, error_view, not_saved_view, reader_problem_view, view_of
from sync.clock import WORKSHOP_TZ, HeldClock
from sync.roster import DoorData

DOCS = Path(__file__).resolve().parents[2] / "docs"
MORNING = datetime(2026, 11, 24, 8, 58, tzinfo=WORKSHOP_TZ)
DATA = DoorData.from_dict(
    {"participants": [{"id": "p-amal", "display_name": "Amal", "language": "ar"}]}
)
AMAL = DATA.participants["p-amal"]
TAP = Tap("04000002", HeldClock(MORNING).now())


def answer(outcome: Outcome, *, lunch: bool = False, **fields: object) -> View:
    who = None if outcome is Outcome.UNKNOWN_BADGE else AMAL
    decision = Decision(outcome, TAP, who, ask_lunch=lunch, **fields)  # type: ignore[arg-type]
    return view_of(decision, DATA)


def answers(*, lunch: bool = False) -> dict[str, View]:
    """Every answer the door gives, by name, as kiosk.views makes it."""
    return {
        "welcome": answer(Outcome.CHECK_IN, lunch=lunch),
        "birthday": answer(Outcome.CHECK_IN, lunch=lunch, birthday=True),
        "forgot": answer(Outcome.FORGOT_CHECKOUT, lunch=lunch, stale_day=date(2026, 11, 23)),
        "goodbye": answer(Outcome.CHECK_OUT, worked_today=timedelta(hours=4)),
        "too_soon": answer(Outcome.TOO_SOON, checked_in_at=MORNING),
        "absence": absence_view(AMAL.id, "ar", [(date(2026, 11, 26), False)]),
        "unknown": answer(Outcome.UNKNOWN_BADGE),
        "inactive": answer(Outcome.INACTIVE, reason="program_ended"),
        "reader_problem": reader_problem_view("absent"),
        "error": error_view("ar"),
        "not_saved": not_saved_view("disk_full", "ar"),
    }


def stays(seconds: float) -> str:
    return "until the reader works again" if seconds <= 0 else f"{seconds:g} s"


def sign_table() -> list[list[str]]:
    """The rows of docs/screen.md's table, from the views."""
    plain, asking = answers(), answers(lunch=True)
    rows = []
    for name, view in plain.items():
        stay = stays(view.timeout)
        if asking[name].timeout != view.timeout:
            stay += f" ({stays(asking[name].timeout)} with the lunch question)"
        cue = view.cue
        rows.append([f"`{name}`", cue.family, COLOUR_NAMES[cue.colour], cue.symbol,
                     f"`{cue.sound}`", stay, UNTOUCHED[name]])  # fmt: skip
    return rows


def doc_table(path: Path, heading: str) -> list[list[str]]:
    """The first table under `heading`, without its header, cell by cell."""
    after = path.read_text(encoding="utf-8").split(f"\n{heading}\n", 1)[1]
    table = next(block for block in after.split("\n\n") if block.startswith("|"))
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in table.splitlines()[2:]
    ]


def test_no_two_answers_share_a_symbol_or_a_sound() -> None:
    views = answers()
    for part in ("symbol", "sound", "colour"):
        signs = [getattr(view.cue, part) for view in views.values()]
        shared = {s for s in signs if signs.count(s) > 1}
        assert not shared, f"shared {part}: {shared}"


def test_no_two_answers_sound_the_same_tune() -> None:
    tunes = [TUNES[view.cue.sound] for view in answers().values()]
    assert len(set(tunes)) == len(tunes)


# Hues in degrees: success is green, a question blue, a problem red to purple.
FAMILY_HUES = {"success": (80, 180), "question": (190, 260), "problem": (270, 390)}


@pytest.mark.parametrize("name", list(answers()))
def test_each_colour_belongs_to_its_family(name: str) -> None:
    cue = answers()[name].cue
    hue, _, saturation = colorsys.rgb_to_hls(*cue.colour[:3])
    degrees = hue * 360 if hue * 360 >= 30 else hue * 360 + 360  # red wraps round
    low, high = FAMILY_HUES[cue.family]
    assert low <= degrees <= high and saturation > 0.5


@pytest.mark.parametrize("name", list(answers()))
def test_white_symbol_stands_out_on_its_colour(name: str) -> None:
    def luminance(rgb: tuple[float, ...]) -> float:
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    contrast = 1.05 / (luminance(answers()[name].cue.colour[:3]) + 0.05)
    assert contrast >= 3.0  # WCAG for large graphics and text


def test_the_families_say_whether_the_tap_counted() -> None:
    families = {name: view.cue.family for name, view in answers().items()}
    assert [n for n, f in families.items() if f == "success"] == [
        "welcome", "birthday", "forgot", "goodbye"
    ]  # fmt: skip
    assert [n for n, f in families.items() if f == "question"] == ["too_soon", "absence"]


def test_no_and_close_buttons_use_no_answers_symbol() -> None:
    symbols = "".join(view.cue.symbol for view in answers().values())
    assert BUTTONS["no"] not in symbols and BUTTONS["close"] not in symbols
    assert BUTTONS["leave"] == answers()["goodbye"].cue.symbol  # it leads to the goodbye


def test_goodbye_and_error_stay_long_enough_to_read() -> None:
    views = answers()
    assert views["goodbye"].timeout >= 8 and views["error"].timeout >= 8


def test_docs_table_is_the_views_table() -> None:
    documented = doc_table(DOCS / "screen.md", "## One sign per meaning")
    assert documented == sign_table()


def test_docs_name_every_chime() -> None:
    chimes = doc_table(DOCS / "sound.md", "## The chimes (`kiosk/sounds.py`)")
    assert [row[0] for row in chimes] == [f"`{name}`" for name in TUNES]


def test_the_supervisors_printed_page_shows_each_answers_own_symbol() -> None:
    # docs/admin/supervisor.md is printed and hung by the door: its table of what the door
    # says must show today's signs, one row per answer, in the order of the views.
    page = (DOCS / "admin" / "supervisor.md").read_text(encoding="utf-8")
    table = page[page.index("| op het scherm |") :].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("| ")]
    symbols = [row.split("|")[1].split('"')[0].split()[-1] for row in rows]
    assert symbols == [view.cue.symbol for view in answers().values()]


def test_the_recall_check_and_my_words_have_signs_of_their_own() -> None:
    # Issue 16: shown after an answer, never instead of one; no answer's colour, symbol or
    # sound, and each colour in its family with a white symbol that stands out.
    from kiosk.signs import AFTER_TAP

    taken = [view.cue for view in answers().values()]
    for name, cue in AFTER_TAP.items():
        assert all(
            cue.symbol != t.symbol and cue.sound != t.sound and cue.colour != t.colour
            for t in taken
        ), name
        assert TUNES[cue.sound] not in [TUNES[t.sound] for t in taken]
        hue, _, saturation = colorsys.rgb_to_hls(*cue.colour[:3])
        low, high = FAMILY_HUES[cue.family]
        assert low <= hue * 360 <= high and saturation > 0.5, name
    assert AFTER_TAP["recall"].symbol != AFTER_TAP["my_words"].symbol
