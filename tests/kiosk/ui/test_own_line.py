"""The participant's own language is a first-class line, measured on the screen's pixels.

Every screen a participant can meet is shown by the real app, offscreen, in every
language the door speaks; then, from the framebuffer:
- the own line is drawn at least as large as the Dutch line above it (the font size in
  pixels each was drawn at, read from its ink);
- both lines stand out from their background at a WCAG contrast of 4.5:1 or more, and
  the own line no less than the Dutch;
- no text leaves the screen or its own box: a long translation wraps inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from statistics import median
from typing import Any

import pytest
from PIL import Image

from kiosk.language import LANGUAGES
from kiosk.language import LOCALE_DIR as LOCALE
from kiosk.views import CALL_SECONDS, error_view, not_saved_view
from sync.journal import Journal
from sync.roster import DoorData
from tests.kiosk.ui.conftest import (
    ARTIFACTS,
    ENDED,
    MORNING,
    PEOPLE,
    Doorway,
    door_data,
    running_kiosk,
)
from tests.kiosk.ui.pixels import Ink, crop, drawn_size, framebuffer, window_box

# The people of conftest, and one more for each language the door speaks that it leaves
# out; and for each language a badge whose program has ended.
OTHER_NAMES = iter(("Grace", "Olena", "Emre", "Mariam", "Yonas", "Leyla"))
EVERYONE = {
    **PEOPLE,
    **{
        code: (f"p-{code}", next(OTHER_NAMES), f"0400{n:04X}")
        for n, code in enumerate(sorted(set(LANGUAGES) - set(PEOPLE)), start=0x10)
    },
}
ENDED_ALL = {
    **ENDED,
    **{code: f"0400E{n:03X}" for n, code in enumerate(sorted(set(LANGUAGES) - set(ENDED)))},
}
UNKNOWN_BADGE = "04FFFF09"
WCAG_AA = 4.5
PICTURED = ("nl", "ar", "ti", "fa", "any")  # saved for people to look at, as drawn


@pytest.fixture
def door(tmp_path: Path) -> Iterator[Doorway]:
    """The real door, knowing a participant and an ended badge in each of the eight."""
    from hardware.simulated import SimulatedReader

    socket_path = tmp_path / "taps.sock"
    reader = SimulatedReader(socket_path=socket_path)
    with running_kiosk(tmp_path, reader, socket_path) as doorway:
        data: dict[str, Any] = door_data(MORNING)
        for lang, (pid, name, uid) in EVERYONE.items():
            if lang not in PEOPLE:
                data["participants"].append(
                    {"id": pid, "display_name": name, "language": lang,
                     "agreed_weekdays": [2, 4], "program_start": "2026-09-01",
                     "program_end": "2027-02-28"}
                )  # fmt: skip
                data["badges"].append({"uid": uid, "holder_id": pid})
            if lang not in ENDED:
                data["participants"].append(
                    {"id": f"p-ended-{lang}", "display_name": "Yusuf", "language": lang,
                     "program_start": "2026-01-01", "program_end": "2026-06-30"}
                )  # fmt: skip
                data["badges"].append({"uid": ENDED_ALL[lang], "holder_id": f"p-ended-{lang}"})
        # From a connection of its own, as the sync agent stores it: the door sees it.
        other = Journal(tmp_path / "journal.db", kiosk_id="door-test")
        other.store_door_data(DoorData.from_dict(data), source="test")
        other.close()
        doorway.stage.app.door.refresh()
        yield doorway


def shown(widget: Any, screen: Any) -> bool:
    """Drawn with something in it: not collapsed, not hidden by itself or a parent."""
    if widget.width <= 0 or widget.height <= 0:
        return False
    while widget is not screen:
        if widget.opacity == 0:
            return False
        widget = widget.parent
    return True


def settled(door: Doorway, screen_name: str) -> tuple[Any, Image.Image]:
    """The screen once its labels have wrapped and been drawn, and its pixels."""
    from kivy.core.window import Window

    stage = door.stage
    stage.wait_for(lambda: stage.app.manager.current == screen_name, 5.0, screen_name)
    stage.pump(0.15)  # labels rewrap on the next frame, then draw again
    Window.canvas.ask_update()  # one more frame, drawn now: that is the one read back
    stage.next_frame()
    return stage.app.screen(screen_name), framebuffer()


def check_screen(door: Doorway, screen_name: str, lang: str) -> list[tuple[int, int]]:
    """Every check of this module on one screen; returns (Dutch, own) drawn sizes."""
    from kivy.core.window import Window
    from kivy.factory import Factory

    from kiosk.ui.text import ScriptLabel
    from kiosk.ui.widgets import SaidBlock

    screen, image = settled(door, screen_name)
    where = f"{screen_name} in {lang}"
    if lang in PICTURED:
        folder = ARTIFACTS / ("kiosk" if lang == "any" else lang)
        folder.mkdir(parents=True, exist_ok=True)
        image.save(folder / f"{screen_name}.png")
    for label in screen.walk(restrict=True):
        if not isinstance(label, ScriptLabel) or not label.text or not shown(label, screen):
            continue
        left, top, right, bottom = window_box(label)
        assert left >= 0 and top >= 0, f"{where}: {label.source!r} leaves the screen"
        assert right <= Window.width and bottom <= Window.height, f"{where}: {label.source!r}"
        width, height = label.texture_size
        assert width <= label.width + 1 and height <= label.height + 1, (
            f"{where}: {label.source!r} is cut off by its box"
        )
    sizes = []
    blocks = [
        b for b in screen.walk(restrict=True) if isinstance(b, SaidBlock) and shown(b, screen)
    ]
    reference = None  # the Dutch line an own-only line (a list of languages) stands under
    for block in blocks:
        dutch_label, own_label = block.ids.dutch, block.ids.own
        if dutch_label.text:
            dutch_ink = Ink(crop(image, dutch_label))
            assert dutch_ink.contrast >= WCAG_AA, f"{where}: {dutch_label.source!r}"
            reference = (dutch_label, dutch_ink, drawn_size(dutch_label, dutch_ink))
        if not own_label.text:
            continue
        assert reference is not None, f"{where}: an own line with no Dutch above it"
        dutch_label, dutch_ink, dutch_px = reference
        own_ink = Ink(crop(image, own_label))
        own_px = drawn_size(own_label, own_ink)
        assert own_ink.contrast >= WCAG_AA, f"{where}: {own_label.source!r}"
        assert own_ink.contrast >= dutch_ink.contrast, (
            f"{where}: {own_label.source!r} is fainter than the Dutch "
            f"({own_ink.contrast:.1f}:1 against {dutch_ink.contrast:.1f}:1)"
        )
        assert own_px >= dutch_px, (
            f"{where}: {own_label.source!r} drawn at {own_px} px, "
            f"under the Dutch {dutch_label.source!r} at {dutch_px} px"
        )
        sizes.append((dutch_px, own_px))
    for card in screen.walk(restrict=True):
        if isinstance(card, Factory.WordCard) and card.word and card.word.meaning:
            labels = {w.source: w for w in card.walk(restrict=True) if isinstance(w, ScriptLabel)}
            word, meaning = labels[card.word.heading], labels[card.word.meaning]
            word_ink, meaning_ink = Ink(crop(image, word)), Ink(crop(image, meaning))
            word_px, meaning_px = drawn_size(word, word_ink), drawn_size(meaning, meaning_ink)
            assert meaning_px >= word_px, f"{where}: the word's meaning is smaller than the word"
            assert meaning_ink.contrast >= max(WCAG_AA, word_ink.contrast), (
                f"{where}: the word's meaning is fainter than the word"
            )
            sizes.append((word_px, meaning_px))
    return sizes


def participant_screens(door: Doorway, lang: str) -> Iterator[str]:
    """Walk one participant through every screen they can meet; yield each screen's name."""
    stage, uid = door.stage, EVERYONE[lang][2]
    door.welcome(EVERYONE[lang])
    yield "welcome"
    door.clock.advance(90)
    door.tap(uid)
    yield "too_soon"
    stage.app.screen("too_soon").ids.yes.dispatch("on_release")
    yield "goodbye"
    door.tap(uid)  # back in, and gone home without a check-out
    stage.wait_for_screen("welcome")
    door.clock.advance(24 * 3600)
    door.tap(uid)
    yield "forgot"
    door.tap(ENDED_ALL[lang])
    yield "inactive"
    stage.app.show(error_view(lang))  # a tap the journal was too busy to take
    yield "error"
    stage.app.show(not_saved_view("disk_full", lang))  # test_app fills a real disk
    yield "not_saved"


@pytest.mark.parametrize("lang", ["ar", "ti", "fa", *sorted(set(LANGUAGES) - {"ar", "ti", "fa"})])
def test_own_line_is_as_large_and_as_clear_as_the_dutch(door: Doorway, lang: str) -> None:
    measured = []
    for screen_name in participant_screens(door, lang):
        measured += check_screen(door, screen_name, lang)
    if lang == "nl":
        assert measured == []  # a Dutch speaker reads Dutch only
    else:
        assert len(measured) >= 15  # title and lines of seven screens, the lunch question


def test_screens_for_nobody_in_particular_are_as_large_in_every_language(door: Doorway) -> None:
    from hardware.badge import ReaderHealth

    measured = check_screen(door, "waiting", "any")
    waiting = door.stage.app.waiting
    for _ in range(len(LANGUAGES) - 2):  # the call below "tap your badge", language by language
        door.clock.advance(CALL_SECONDS)
        waiting.tick()
        measured += check_screen(door, "waiting", f"turn {waiting.call.lang}")
    door.tap(UNKNOWN_BADGE)
    measured += check_screen(door, "unknown", "any")
    door.stage.app.show(error_view(None))
    measured += check_screen(door, "error", "any")
    door.stage.app.show(not_saved_view("read_only", None))
    measured += check_screen(door, "not_saved", "any")
    door.stage.app._health(ReaderHealth.ABSENT)
    measured += check_screen(door, "reader_problem", "any")
    # Each of the seven other languages on four screens, and in turn on the waiting screen.
    assert len(measured) >= 5 * 7


def catalogue_letters(lang: str) -> list[str]:
    """Every letter of the language's catalogue, as drawn (Arabic joined), as often as used."""
    from kiosk.script import visual

    po = (LOCALE / lang / "LC_MESSAGES" / "prikklok.po").read_text(encoding="utf-8")
    body = re.sub(r"\{\w+\}", "", " ".join(re.findall(r'msgstr "(.+)"', po)))
    return [c for c in visual(body) if c.isalpha()]


def heights(letters: list[str], size: float) -> list[int]:
    """How tall each letter is drawn, in ink pixels, in a SaidBlock line of `size`: bold,
    at its script's own size (kiosk.script.optical_size)."""
    from kivy.core.text import Label as CoreLabel

    from kiosk.script import font_for, optical_size, script_of

    drawn: dict[str, int] = {}
    for letter in set(letters):
        core = CoreLabel(
            text=letter,
            font_name=font_for(script_of(letter), bold=True),
            font_size=optical_size(letter, size),
        )
        core.refresh()
        texture = core.texture
        alpha = Image.frombytes("RGBA", texture.size, texture.pixels).getchannel("A")
        box = alpha.point(lambda a: 255 if a >= 128 else 0).getbbox()
        drawn[letter] = 0 if box is None else box[3] - box[1]
    return [drawn[letter] for letter in letters]


@pytest.mark.parametrize("size", [30, 42])
@pytest.mark.parametrize("lang", ["ar", "fa", "ti"])
def test_own_letters_are_drawn_as_tall_as_the_dutch_letters(lang: str, size: int) -> None:
    # Lines of one font size: their letters, measured as drawn, are as tall too.
    own = median(heights(catalogue_letters(lang), size))
    dutch = median(heights(catalogue_letters("nl"), size))
    assert own >= dutch, f"{lang} letters {own} px tall, Dutch {dutch} px"


@pytest.mark.parametrize("size", [30, 42])
def test_geez_letters_stand_as_tall_as_dutch_capitals(size: int) -> None:
    # Why Ge'ez is set larger: each letter a syllable, read like a capital.
    capitals = median(heights(list("ABDEGHIJKLMNPRSTUVWZ"), size))
    assert median(heights(catalogue_letters("ti"), size)) >= capitals
