"""The one text helper: which script a text is in, which font draws it, and RTL display order.

Kivy neither shapes Arabic letters nor reorders right-to-left text, and it has no font
fallback. So every line the kiosk shows passes through here: Arabic and Persian are shaped
with `arabic-reshaper` (letters take their joined forms) and put in display order with
`python-bidi`; a mixed line is cut into runs, one font per script, as Kivy markup spans.
Pure Python: the Kivy widget lives in kiosk.ui.text.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from arabic_reshaper import ArabicReshaper

# The pure-Python algorithm, not python-bidi's default Rust wrapper: since 0.5 the wrapper
# skips rule L4, so brackets in right-to-left text keep pointing the wrong way
# (MeirKriheli/python-bidi#25). The old implementation mirrors them.
from bidi.algorithm import get_display

Script = Literal["latin", "arabic", "ethiopic", "cyrillic", "symbol"]
Direction = Literal["ltr", "rtl"]

_NOTO = Path("/usr/share/fonts/truetype/noto")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_ABYSSINICA = Path("/usr/share/fonts/truetype/abyssinica")


@dataclass(frozen=True)
class Font:
    """The font files for one script and the Debian package that installs them."""

    regular: Path
    bold: Path | None  # None: the family has no bold; Kivy emboldens the regular face
    package: str


FONTS: dict[Script, Font] = {
    "latin": Font(_NOTO / "NotoSans-Regular.ttf", _NOTO / "NotoSans-Bold.ttf", "fonts-noto-core"),
    "cyrillic": Font(
        _NOTO / "NotoSans-Regular.ttf", _NOTO / "NotoSans-Bold.ttf", "fonts-noto-core"
    ),
    # Naskh rather than Noto Sans Arabic: the book hand people learnt to read in school.
    "arabic": Font(
        _NOTO / "NotoNaskhArabic-Regular.ttf", _NOTO / "NotoNaskhArabic-Bold.ttf", "fonts-noto-core"
    ),
    # Abyssinica SIL is the Ge'ez face Eritrean readers know from print; it has no bold.
    "ethiopic": Font(_ABYSSINICA / "AbyssinicaSIL-Regular.ttf", None, "fonts-sil-abyssinica"),
    # ✔ ✖ ★ and friends: Noto Sans has none of them, DejaVu Sans has them all.
    "symbol": Font(
        _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf", "fonts-dejavu-core"
    ),
}

# Neutral characters Noto Naskh Arabic can draw (checked against its .notdef box with
# Pillow): it has digits and a few marks, but no "?", "(", "-", quotes or "/". Other
# neutrals next to Arabic go to Noto Sans instead of turning into boxes.
_ARABIC_FONT_NEUTRALS = frozenset(" \u00a00123456789.,:!«»\u200c\u200d\u200e\u200f")

_BLOCKS: tuple[tuple[int, int, Script], ...] = (
    (0x0400, 0x052F, "cyrillic"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0x1200, 0x139F, "ethiopic"),
    (0x1C80, 0x1C8F, "cyrillic"),
    (0x2190, 0x21FF, "symbol"),
    (0x2300, 0x23FF, "symbol"),
    (0x25A0, 0x27BF, "symbol"),
    (0x2B00, 0x2BFF, "symbol"),
    (0x2D80, 0x2DDF, "ethiopic"),
    (0x2DE0, 0x2DFF, "cyrillic"),
    (0xA640, 0xA69F, "cyrillic"),
    (0xAB00, 0xAB2F, "ethiopic"),
    (0xFB50, 0xFDFF, "arabic"),  # presentation forms A: what the reshaper produces
    (0xFE70, 0xFEFF, "arabic"),  # presentation forms B
)


# Vowel marks (harakat: fatha, damma, kasra, tanween, shadda, sukun, the Persian hamza
# above) are kept: "أهلاً" is not "أهلا", and a reader still learning the script leans on
# them. The reshaper would delete them by default.
_RESHAPER = ArabicReshaper(configuration={"delete_harakat": False})
# The Arabic combining marks the reshaper knows as harakat (its HARAKAT_RE), plus the rest
# of the Arabic block's combining marks.
_HARAKAT = frozenset(
    chr(c)
    for c in (*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE))
    if unicodedata.category(chr(c)) == "Mn"
)
_FATHATAN = "\u064b"
_ALEF = "\u0627"


class MissingFont(RuntimeError):
    """A font file the kiosk needs is not installed."""


class Run(NamedTuple):
    """A stretch of one line drawn with one font."""

    script: Script
    text: str


def _char_script(ch: str) -> Script | None:
    """The script of one character; None for neutrals (spaces, digits, punctuation)."""
    code = ord(ch)
    for low, high, script in _BLOCKS:
        if low <= code <= high:
            return script
    if unicodedata.category(ch).startswith("L"):
        return "latin"  # any other letter: Noto Sans covers Latin, Greek and more
    return None


def _draws(script: Script, ch: str) -> bool:
    """Whether the font of `script` has a glyph for this neutral character."""
    return script != "arabic" or ch in _ARABIC_FONT_NEUTRALS


def script_of(text: str) -> Script:
    """The dominant script of `text` by letter count ("latin" when it has no letters)."""
    counts = Counter(s for s in map(_char_script, text) if s is not None)
    if not counts:
        return "latin"
    return counts.most_common(1)[0][0]


# How much larger than Latin a script is set, so that its letters look as large. A Ge'ez
# letter is a syllable with fine strokes, read like a capital; in Abyssinica SIL most are
# 0.63 em tall against Noto Sans' capitals at 0.72 em, so a Tigrinya line at the Dutch
# line's size looks a size smaller. Arabic (Noto Naskh) needs nothing.
OPTICAL_SCALE: dict[Script, float] = {"ethiopic": 1.15}


def optical_size(text: str, size: float) -> float:
    """The font size at which `text` looks as large as Latin text at `size`."""
    return float(round(size * OPTICAL_SCALE.get(script_of(text), 1.0)))


def direction_of(text: str) -> Direction:
    """Right to left when Arabic letters dominate.

    Dominance rather than bidi's "first strong character" rule: a Persian sentence that
    begins with a participant's Latin-script name is still a right-to-left sentence.
    """
    return "rtl" if script_of(text) == "arabic" else "ltr"


def runs(text: str) -> list[Run]:
    """Split one line into script runs; neutrals join the run before them, else the next.

    A neutral the neighbouring font cannot draw (a "?" beside Arabic) gets Noto Sans.
    """
    own = [_char_script(ch) for ch in text]
    following: list[Script | None] = [None] * len(text)
    ahead: Script | None = None
    for i in range(len(text) - 1, -1, -1):
        following[i] = ahead
        ahead = own[i] or ahead
    resolved: list[Script] = []
    before: Script | None = None
    for i, ch in enumerate(text):
        script = own[i]
        if script is None:
            if unicodedata.category(ch) in ("Mn", "Me") and resolved:
                script = resolved[-1]  # a combining mark stays with its base letter
            else:
                near = before or following[i]
                script = near if near is not None and _draws(near, ch) else "latin"
        else:
            before = script
        resolved.append(script)
    out: list[Run] = []
    for ch, script in zip(text, resolved, strict=True):
        if out and out[-1].script == script:
            out[-1] = Run(script, out[-1].text + ch)
        else:
            out.append(Run(script, ch))
    return out


def font_for(script: Script, bold: bool = False) -> str:
    """The font file for `script`; the regular face when the family has no bold."""
    font = FONTS[script]
    path = font.bold if bold and font.bold is not None else font.regular
    if not path.exists():
        raise MissingFont(
            f"{path} is missing: the kiosk needs it for {script} text. "
            f"Install the Debian package: sudo apt install {font.package}"
        )
    return str(path)


def visual(text: str, direction: Direction | None = None) -> str:
    """Display order for Kivy: shaped and reordered if right-to-left, else unchanged.

    Each "\\n" line is its own paragraph. `direction` overrides the guess, so the lines of
    one wrapped paragraph all share the paragraph's direction.
    """
    base = direction or direction_of(text)
    if base == "ltr" and not any(_char_script(ch) == "arabic" for ch in text):
        return text  # nothing to shape or reorder
    return "\n".join(
        _marks_after_letters(
            get_display(
                _RESHAPER.reshape(_tanween_on_letter(line)), base_dir="R" if base == "rtl" else "L"
            )
        )
        for line in text.split("\n")
    )


def _tanween_on_letter(line: str) -> str:
    """Write "أهلاً" as "أهلًا": the tanween on the letter before its seat, the alef.

    Both spellings are in use and read the same; Unicode recommends the second. On the
    alef of a lam-alef ligature the mark would have no glyph drawn before it to hang on
    (see below) and would sit low across the alef's stroke; on the lam, the letter before,
    the font's own anchor holds it clear above the ligature.
    """
    return line.replace(_ALEF + _FATHATAN, _FATHATAN + _ALEF)


def _marks_after_letters(display: str) -> str:
    """Put each vowel mark back after its letter in a display-order line.

    python-bidi reverses a right-to-left run marks and all, so a mark ends up before its
    letter (it skips rule L3). Kivy's text renderer (SDL_ttf) lays the line out left to
    right as given and hangs a mark on the glyph drawn just before it, at the font's
    anchor. So the mark must come right after its letter in display order.
    """
    if not any(ch in _HARAKAT for ch in display):
        return display
    out: list[str] = []
    marks: list[str] = []
    for ch in display:
        if ch in _HARAKAT:
            marks.append(ch)
        else:
            out.append(ch)
            out.extend(marks)
            marks = []
    out.extend(marks)
    return "".join(out)


def escape(text: str) -> str:
    """Escape Kivy markup's special characters ("&" first: the others produce "&")."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def markup_visual(line: str, bold: bool = False) -> str:
    """Kivy markup for text already in display order: one font span per script run."""
    spans = []
    for run in runs(line):
        body = escape(run.text)
        if bold and FONTS[run.script].bold is None:
            body = f"[b]{body}[/b]"  # no bold face in this family: let Kivy embolden
        spans.append(f"[font={font_for(run.script, bold)}]{body}[/font]")
    return "".join(spans)


def markup(text: str, bold: bool = False) -> str:
    """Kivy markup for logical text: shaped, reordered, and one font span per run."""
    return "\n".join(markup_visual(line, bold) for line in visual(text).split("\n"))


def wrap(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Break `text` into lines in logical order, then put each line in display order.

    Kivy wraps *after* the text has been reordered, so a wrapped Arabic paragraph comes
    out with its last words on the first line (Kivy issues 7704 and 8525). Breaking first
    keeps the reading order. `fits` is given a candidate line in display order (shaped,
    as it will be drawn) and says whether it fits the width. A word that fits nowhere
    gets a line of its own. Explicit "\\n" always breaks.
    """
    direction = direction_of(text)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if current and not fits(visual(candidate, direction)):
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return [visual(line, direction) for line in lines]
