"""Real Kivy renders text, and the pixels show the glyphs in reading order and not as boxes.

Each check compares renderings: a phrase against its words drawn alone, a wrapped paragraph
against its lines drawn alone, a letter against the font's .notdef box. PNGs of what was
drawn go to artifacts/screens/text/ for a person (and a native reader) to look at.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import pytest
from kivy.base import EventLoop
from kivy.core.text import Label as CoreLabel
from kivy.core.window import Window
from PIL import Image, ImageChops, ImageStat

from kiosk import phrases
from kiosk.language import LANGUAGES, in_language
from kiosk.script import font_for, runs, visual, wrap
from kiosk.ui.text import ScriptLabel

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "screens" / "text"
NASKH = font_for("arabic")
SIZE = 48
# Mean difference of two alpha masks (0-255) below which they show the same glyphs; text
# drawn at another x offset differs by a few levels at glyph edges (antialiasing).
SAME = 12.0


def render(text: str, font: str = NASKH, size: int = SIZE, halign: str = "left") -> Image.Image:
    """Draw `text` (already in display order) with Kivy's own text provider."""
    label = CoreLabel(text=text, font_name=font, font_size=size, halign=halign)
    label.refresh()
    texture = label.texture
    return Image.frombytes("RGBA", texture.size, texture.pixels)  # row 0 is the top


def ink(image: Image.Image) -> Image.Image:
    """The alpha mask, cut to the columns that carry ink (rows kept: one font, one height)."""
    alpha = image.getchannel("A")
    box = alpha.getbbox()
    assert box is not None, "nothing was drawn"
    return alpha.crop((box[0], 0, box[2], alpha.height))


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean alpha difference of two inked areas, best over a 2-pixel shift; inf if unlike."""
    if abs(a.width - b.width) > 3 or abs(a.height - b.height) > 3:
        return float("inf")
    width, height = min(a.width, b.width), min(a.height, b.height)
    best = float("inf")
    for dx in range(-2, 3):
        for dy in range(-2, 3):
            left, top = max(dx, 0), max(dy, 0)
            one = a.crop((left, top, left + width - 2, top + height - 2))
            two = b.crop((left - dx, top - dy, left - dx + width - 2, top - dy + height - 2))
            best = min(best, ImageStat.Stat(ImageChops.difference(one, two)).mean[0])
    return best


def save(image: Image.Image, name: str) -> None:
    """Keep a rendering as a PNG: white text on the kiosk's dark blue."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    background = Image.new("RGBA", image.size, (26, 26, 76, 255))
    background.alpha_composite(image)
    background.convert("RGB").save(ARTIFACTS / f"{name}.png")


@pytest.fixture(scope="module", autouse=True)
def window() -> object:
    EventLoop.ensure_window()
    return Window


def test_rtl_phrase_draws_first_word_on_the_right() -> None:
    first, second = "صباح", "الخير"  # "good morning", logical order
    phrase = render(visual(f"{first} {second}"))
    save(phrase, "arabic_phrase")
    drawn = ink(phrase)
    alone_first, alone_second = ink(render(visual(first))), ink(render(visual(second)))
    left = drawn.crop((0, 0, alone_second.width, drawn.height))
    right = drawn.crop((drawn.width - alone_first.width, 0, drawn.width, drawn.height))
    assert difference(left, alone_second) < SAME
    assert difference(right, alone_first) < SAME
    assert difference(drawn.crop((0, 0, alone_first.width, drawn.height)), alone_first) > SAME


def test_unprocessed_rtl_phrase_fails_the_same_check() -> None:
    # Kivy given logical, unshaped text: the words come out left to right, letters apart.
    raw = render("صباح الخير")
    save(raw, "arabic_phrase_without_script_layer")
    drawn, alone_second = ink(raw), ink(render(visual("الخير")))
    left = drawn.crop((0, 0, alone_second.width, drawn.height))
    assert difference(left, alone_second) > SAME


def test_wrapped_rtl_paragraph_draws_first_line_on_top() -> None:
    paragraph = "تم تسجيل حضورك الساعة 08:58. هل تريد المغادرة؟"
    lines = wrap(paragraph, lambda line: len(line.split()) <= 3)
    assert len(lines) == 3
    block = render("\n".join(lines), halign="right")
    save(block, "arabic_wrapped")
    top = ink(block.crop((0, 0, block.width, block.height // 3)))  # lines are equally tall
    assert difference(top, ink(render(lines[0]))) < SAME
    assert difference(top, ink(render(lines[-1]))) > SAME


def test_script_label_wraps_rtl_in_reading_order_and_aligns_right() -> None:
    label = ScriptLabel(
        source="سرپرست شما می‌گوید چه کار کنید. با ما غذا می‌خورید؟",
        font_size=SIZE,
        size_hint=(None, None),
        size=(420, 260),
        align="start",
    )
    Window.add_widget(label)
    try:
        for _ in range(3):
            EventLoop.idle()
        shot = label.export_as_image().texture
        image = Image.frombytes("RGBA", shot.size, shot.pixels)
    finally:
        Window.remove_widget(label)
    save(image, "script_label_persian")
    lines = wrap(label.source, lambda line: label._width_of(line) <= label.width)
    assert len(lines) > 1
    assert label.halign == "right"
    # The label draws its texture centred; row 0 of the export is the top.
    height = label.texture_size[1]
    top = (image.height - height) // 2
    top_line = image.crop((0, top, image.width, top + height // len(lines)))
    assert difference(ink(top_line), ink(render(lines[0]))) < SAME
    assert difference(ink(top_line), ink(render(lines[-1]))) > SAME
    box = image.getchannel("A").getbbox()
    assert box is not None and box[2] >= image.width - 4  # right-aligned


@cache
def notdef(font: str) -> bytes:
    """What the font draws for a character it lacks: the .notdef box (tofu)."""
    return ink(render("\u4e2d", font)).tobytes()  # a Chinese letter: none of our fonts has it


@cache
def is_tofu(char: str, font: str) -> bool:
    return ink(render(char, font)).tobytes() == notdef(font)


def test_tofu_detector_sees_ethiopic_missing_from_noto_sans() -> None:
    assert is_tofu("ሰ", font_for("latin"))  # proves the check below can fail


def test_tigrinya_renders_in_abyssinica_not_as_tofu() -> None:
    text = "እንቋዕ ብደሓን መጻእኩም"
    image = render(text, font_for("ethiopic"))
    save(image, "tigrinya_welcome")
    assert ink(image).getbbox() is not None
    for char in set(text) - {" "}:
        assert not is_tofu(char, font_for("ethiopic")), char


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_participant_phrase_has_a_glyph_for_every_letter(lang: str) -> None:
    # The font chosen per run must draw every character of every translation.
    values = {"name": "Amal", "time": "08:58", "duration": "6", "weekday": "", "date": ""}
    values |= {"hours": 6, "minutes": 30, "known": "12", "met": "30"}
    missing = set()
    for msgid in phrases.PARTICIPANT:
        text = in_language(lang, msgid, **values)
        assert text is not None
        for run in runs(visual(text)):
            visible = {c for c in run.text if unicodedata.category(c)[0] not in "ZC"}
            missing |= {(c, run.script) for c in visible if is_tofu(c, font_for(run.script))}
    assert not missing


def test_welcome_in_every_language_renders_for_review() -> None:
    # One picture of the welcome screen's lines in all eight languages, for native readers.
    from kivy.uix.boxlayout import BoxLayout

    box = BoxLayout(orientation="vertical", size_hint=(None, None), size=(900, 1300))
    for lang in sorted(LANGUAGES):
        lines = [
            in_language(lang, phrases.WELCOME, name="Amal"),
            in_language(lang, phrases.CHECKED_IN_AT, time="08:58"),
            in_language(lang, phrases.LUNCH_QUESTION),
        ]
        box.add_widget(ScriptLabel(source="\n".join(filter(None, lines)), font_size=30))
    Window.add_widget(box)
    try:
        for _ in range(3):
            EventLoop.idle()
        shot = box.export_as_image().texture
        image = Image.frombytes("RGBA", shot.size, shot.pixels)
    finally:
        Window.remove_widget(box)
    save(image, "welcome_all_languages")
    assert all(label.texture_size[1] > 60 for label in box.children)


def test_a_drawn_label_keeps_one_copy_of_its_pixels_the_texture() -> None:
    """Kivy's SDL2 text provider kept each label's SDL surface after copying its pixels
    into the texture: a second copy of every label the door drew. The door lets it go
    (kiosk.ui.memory.drop_text_surfaces) and the text is drawn all the same."""
    from kiosk.ui.memory import drop_text_surfaces

    assert drop_text_surfaces()
    label = CoreLabel(text="Goedemorgen", font_name=font_for("latin"), font_size=SIZE)
    label.refresh()
    # The texture is filled when first used; reading its pixels uses it.
    drawn = Image.frombytes("RGBA", label.texture.size, label.texture.pixels)
    assert getattr(label, "_surface", None) is None
    assert drawn.getchannel("A").getbbox() is not None  # the glyphs are there
    again = CoreLabel(text="Goedemorgen", font_name=font_for("latin"), font_size=SIZE)
    again.refresh()
    assert again.texture.pixels == label.texture.pixels
