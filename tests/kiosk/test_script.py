"""The text helper: scripts, fonts, shaping, display order and wrapping (no Kivy here)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from kiosk import script
from kiosk.script import (
    MissingFont,
    Run,
    font_for,
    markup,
    markup_visual,
    runs,
    script_of,
    visual,
    wrap,
)


def forms(*names: str) -> str:
    """Characters by their Unicode names, so each expectation says what it is."""
    return "".join(unicodedata.lookup(name) for name in names)


# Expected forms worked out by hand from the joining rules, not copied from the output:
# in logical order the first letter takes its initial form, a letter after a joining
# one its final form, and alef/dal/reh never join to the letter after them. Display
# order is the logical order reversed, because Kivy draws left to right.
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # salaam: seen (initial), lam+alef (one ligature, final: seen joins it), meem
        # (isolated: alef does not join forward).
        ("سلام", ("MEEM ISOLATED FORM", "LIGATURE LAM WITH ALEF FINAL FORM", "SEEN INITIAL FORM")),
        # Persian kaar "work": keheh (Persian kaf, initial), alef (final), reh (isolated).
        ("کار", ("REH ISOLATED FORM", "ALEF FINAL FORM", "KEHEH INITIAL FORM")),
        # Persian pedar "father": peh (initial), dal (final), reh (isolated).
        ("پدر", ("REH ISOLATED FORM", "DAL FINAL FORM", "PEH INITIAL FORM")),
    ],
)
def test_visual_shapes_and_orders_rtl_words(word: str, expected: tuple[str, ...]) -> None:
    names = tuple(f"ARABIC LETTER {n}" if "LIGATURE" not in n else f"ARABIC {n}" for n in expected)
    assert visual(word) == forms(*names)


def test_visual_mirrors_brackets_in_rtl_text() -> None:
    # "(nas)": reversed, the logical ")" is drawn first and must show as "(".
    shaped = forms("ARABIC LETTER SAD FINAL FORM", "ARABIC LETTER NOON INITIAL FORM")
    assert visual("(نص)") == f"({shaped})"


def test_visual_keeps_digits_left_to_right() -> None:
    assert visual("الساعة 08:58").startswith("08:58 ")


def test_visual_sentence_starting_with_latin_name_is_still_rtl() -> None:
    assert visual("Ahmed، خوش آمدید").endswith("Ahmed")


@pytest.mark.parametrize("text", ["Welkom, Amal!", "Вітаємо", "ሰላም", "İyi ki doğdun", ""])
def test_visual_leaves_ltr_text_untouched(text: str) -> None:
    assert visual(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Welkom", "latin"),
        ("سلام", "arabic"),
        ("ﻡﻼﺳ", "arabic"),
        ("ሰላም", "ethiopic"),
        ("Привіт", "cyrillic"),
        ("✔", "symbol"),
        ("08:58", "latin"),
        ("Welkom, أحمد!", "latin"),
        ("خوش آمدید، Ahmed!", "arabic"),
    ],
)
def test_script_of_finds_dominant_script(text: str, expected: str) -> None:
    assert script_of(text) == expected


def test_runs_split_mixed_line_with_neutrals_joining_previous_run() -> None:
    assert runs("Welkom, ﺪﻤﺣﺃ!") == [Run("latin", "Welkom, "), Run("arabic", "ﺪﻤﺣﺃ!")]


def test_runs_attach_leading_digits_to_the_following_script() -> None:
    assert runs("08:58 ﺔﻋﺎﺴﻟﺍ") == [Run("arabic", "08:58 ﺔﻋﺎﺴﻟﺍ")]


def test_runs_give_neutrals_the_arabic_font_lacks_to_noto_sans() -> None:
    assert runs("ﻞﻫ (x)") == [Run("arabic", "ﻞﻫ "), Run("latin", "(x)")]


def test_runs_keep_combining_mark_with_its_letter() -> None:
    assert runs("e\u0301 ሰ") == [Run("latin", "e\u0301 "), Run("ethiopic", "ሰ")]


@pytest.mark.parametrize(
    ("name", "bold", "expected"),
    [
        ("latin", False, "NotoSans-Regular.ttf"),
        ("latin", True, "NotoSans-Bold.ttf"),
        ("cyrillic", False, "NotoSans-Regular.ttf"),
        ("arabic", False, "NotoNaskhArabic-Regular.ttf"),
        ("arabic", True, "NotoNaskhArabic-Bold.ttf"),
        ("ethiopic", False, "AbyssinicaSIL-Regular.ttf"),
        ("ethiopic", True, "AbyssinicaSIL-Regular.ttf"),  # no bold face: Kivy emboldens
        ("symbol", False, "DejaVuSans.ttf"),
    ],
)
def test_font_for_picks_installed_font_per_script(
    name: script.Script, bold: bool, expected: str
) -> None:
    path = Path(font_for(name, bold))
    assert path.name == expected
    assert path.exists()


def test_font_for_names_the_debian_package_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = script.Font(Path("/nonexistent/AbyssinicaSIL-Regular.ttf"), None, "fonts-sil-abyssinica")
    monkeypatch.setitem(script.FONTS, "ethiopic", gone)
    with pytest.raises(MissingFont, match="apt install fonts-sil-abyssinica"):
        font_for("ethiopic")


def test_markup_escapes_kivy_markup_characters() -> None:
    assert "a &bl;b&br; &amp; c" in markup("a [b] & c")


def test_markup_spans_one_font_per_run() -> None:
    spans = markup_visual("Welkom, ﺪﻤﺣﺃ!")
    assert spans == (
        f"[font={font_for('latin')}]Welkom, [/font][font={font_for('arabic')}]ﺪﻤﺣﺃ![/font]"
    )


def test_markup_bold_uses_bold_faces_and_kivy_bold_only_without_one() -> None:
    spans = markup_visual("ሰላም Amal", bold=True)
    assert f"[font={font_for('ethiopic')}][b]ሰላም [/b][/font]" in spans
    assert f"[font={font_for('latin', bold=True)}]Amal[/font]" in spans


def test_markup_puts_rtl_text_in_display_order() -> None:
    assert forms("ARABIC LETTER MEEM ISOLATED FORM") in markup("سلام")


def two_words(line: str) -> bool:
    return len(line.split()) <= 2


def test_wrap_keeps_first_logical_words_on_first_line() -> None:
    lines = wrap("واحد اثنان ثلاثة أربعة خمسة ستة", two_words)
    assert lines == [visual("واحد اثنان"), visual("ثلاثة أربعة"), visual("خمسة ستة")]


def test_wrapping_after_reordering_would_put_last_words_first() -> None:
    # What Kivy does on its own (issues 7704, 8525): reorder the whole paragraph, then
    # break it left to right. The first line then starts with the *last* words.
    naive_first_line = " ".join(visual("واحد اثنان ثلاثة أربعة خمسة ستة").split()[:2])
    assert naive_first_line == visual("خمسة ستة")
    assert wrap("واحد اثنان ثلاثة أربعة خمسة ستة", two_words)[0] != naive_first_line


def test_wrap_respects_explicit_newlines() -> None:
    assert wrap("Eet je mee?\nJa", lambda line: True) == ["Eet je mee?", "Ja"]


def test_wrap_gives_an_overlong_word_a_line_of_its_own() -> None:
    assert wrap("a ontruimingslijst b", lambda line: len(line) <= 5) == [
        "a",
        "ontruimingslijst",
        "b",
    ]


def test_wrap_measures_shaped_display_text() -> None:
    seen: list[str] = []
    wrap("خوش آمدید", lambda line: seen.append(line) or True)
    assert seen == [visual("خوش آمدید")]


def test_wrap_gives_every_line_the_paragraph_direction() -> None:
    # The last line holds only a Latin name, yet it belongs to a right-to-left paragraph:
    # its "!" ends the sentence, on the left.
    lines = wrap("أهلاً وسهلاً، Amal!", two_words)
    assert lines[-1] == "!Amal"
    assert lines[0] == visual("أهلاً وسهلاً،")
