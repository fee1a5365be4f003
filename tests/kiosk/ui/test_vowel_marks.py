"""Arabic and Persian keep their vowel marks (harakat), each drawn on its own letter.

Real Kivy draws the text kiosk.script puts in display order; the checks compare the ink
of a phrase drawn with its marks and without them. PNGs go to artifacts/screens/text/.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from kivy.base import EventLoop
from kivy.core.text import Label as CoreLabel
from PIL import Image, ImageChops

from kiosk import phrases
from kiosk.language import in_language
from kiosk.script import font_for, visual

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "screens" / "text"
SIZE = 96  # large: a mark is then tens of pixels, a letter's edge one
MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
BEH = "\u0628"
DAMMA, FATHA, KASRA = "\u064f", "\u064e", "\u0650"


@pytest.fixture(scope="module", autouse=True)
def window() -> None:
    EventLoop.ensure_window()


def drawn(logical: str) -> Image.Image:
    """The alpha of `logical` as the kiosk draws it (shaped, in display order, Naskh)."""
    label = CoreLabel(text=visual(logical), font_name=font_for("arabic", True), font_size=SIZE)
    label.refresh()
    texture = label.texture
    return Image.frombytes("RGBA", texture.size, texture.pixels).getchannel("A")


def solid(alpha: Image.Image) -> Image.Image:
    return alpha.point(lambda a: 255 if a >= 128 else 0)


def save(alpha: Image.Image, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    picture = Image.new("RGB", alpha.size, (26, 26, 76))
    picture.paste((255, 255, 255), mask=alpha)
    picture.save(ARTIFACTS / f"{name}.png")


def marks_only(logical: str) -> tuple[Image.Image, Image.Image]:
    """(the letters drawn without marks, the ink the marks add), aligned. A mark has no
    width, so the letters do not move; only a mark drawn first, reaching left of the first
    letter, widens the picture on the left."""
    bare, marked = drawn(MARKS.sub("", logical)), drawn(logical)
    assert bare.height == marked.height and 0 <= marked.width - bare.width <= SIZE // 4
    aligned = Image.new("L", marked.size)
    aligned.paste(bare, (marked.width - bare.width, 0))
    return solid(aligned), solid(ImageChops.subtract(marked, aligned))


def columns(mask: Image.Image) -> list[tuple[int, int]]:
    """The runs of columns holding ink, left to right: the words of a phrase."""
    width, height = mask.size
    inked = [mask.crop((x, 0, x + 1, height)).getbbox() is not None for x in range(width)]
    runs, start = [], None
    for x, ink in enumerate([*inked, False]):
        if ink and start is None:
            start = x
        elif not ink and start is not None:
            runs.append((start, x))
            start = None
    return runs


def test_vowel_marks_are_drawn() -> None:
    logical = "أهلاً وسهلاً"  # "welcome", as the Arabic catalogue writes it
    _letters, added = marks_only(logical)
    save(drawn(logical), "arabic_with_marks")
    save(drawn(MARKS.sub("", logical)), "arabic_without_marks")
    assert added.getbbox() is not None, "the tanween were not drawn"
    # Two tanween, each a stroke pair of some size; not a few antialiased pixels.
    assert sum(1 for a in added.getdata() if a) > SIZE


def test_each_mark_sits_on_its_own_letter_clear_of_it() -> None:
    # Three lone letters beh, read right to left: with damma, with fatha, with kasra.
    logical = f"{BEH}{DAMMA} {BEH}{FATHA} {BEH}{KASRA}"
    letters, added = marks_only(logical)
    save(drawn(logical), "arabic_marks_on_their_letters")
    words = columns(letters)
    assert len(words) == 3
    # Right to left: the first logical letter (with damma) is drawn rightmost.
    expected = {words[2]: "above", words[1]: "above", words[0]: "below"}
    for (left, right), where in expected.items():
        letter = letters.crop((left, 0, right, letters.height)).getbbox()
        mark = added.crop((left, 0, right, added.height)).getbbox()
        assert letter is not None and mark is not None, f"no mark over columns {left}-{right}"
        if where == "above":
            assert mark[3] <= letter[1], "the mark above touches or overlaps its letter"
        else:
            assert mark[1] >= letter[3], "the mark below touches or overlaps its letter"
    # Nothing was drawn between the words: every mark is over its own letter.
    for (_, right), (left, _) in pairwise(words):
        assert added.crop((right, 0, left, added.height)).getbbox() is None


def ink(mask: Image.Image) -> int:
    return sum(1 for a in mask.getdata() if a)


def alone(mark: str) -> int:
    """The ink of one mark drawn clear of everything: on a lone beh (tested above)."""
    return ink(marks_only(BEH + mark)[1])


def phrases_with_marks(lang: str) -> list[str]:
    texts = [in_language(lang, msgid, **placeholders(msgid)) for msgid in phrases.PARTICIPANT]
    return [text for text in texts if text and MARKS.search(text)]


def placeholders(msgid: str) -> dict[str, str]:
    return dict.fromkeys(re.findall(r"\{(\w+)\}", msgid), "X")


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_marks_of_every_phrase_are_drawn_whole_and_clear_of_the_letters(lang: str) -> None:
    # A mark that overlapped a letter would add less ink than it has alone; one lost or
    # clipped, none. ("أهلاً" is drawn "أهلًا": see kiosk.script._tanween_on_letter.)
    found = phrases_with_marks(lang)
    assert found, f"no {lang} phrase has a vowel mark to check"
    for text in found:
        _letters, added = marks_only(text)
        expected = sum(alone(mark) for mark in MARKS.findall(text))
        assert ink(added) >= 0.95 * expected, f"{text}: marks hidden by letters or lost"
        assert ink(added) <= 1.05 * expected, f"{text}: more ink than its marks"


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_no_vowel_mark_of_a_catalogue_phrase_is_lost(lang: str) -> None:
    for msgid in phrases.PARTICIPANT:
        text = in_language(lang, msgid, **placeholders(msgid))
        assert text is not None
        assert Counter(MARKS.findall(visual(text))) == Counter(MARKS.findall(text)), text


def test_the_welcome_keeps_its_tanween() -> None:
    # The defect: the reshaper deleted harakat, so "أهلاً وسهلاً" was drawn "أهلا وسهلا".
    welcome = in_language("ar", phrases.WELCOME, name="Amal")
    assert welcome is not None and welcome.count("\u064b") == 2
    assert visual(welcome).count("\u064b") == 2
