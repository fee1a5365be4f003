"""Reading text off the screen's pixels: where a label's ink is, its colour against the
background (WCAG contrast), and the font size it was drawn at.

The pixels are the window's framebuffer (glReadPixels after a frame), so what is measured
is what a participant sees, not what a widget's properties claim.
"""

from __future__ import annotations

from typing import Any

from kivy.core.text.markup import MarkupLabel
from kivy.core.window import Window
from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
from PIL import Image, ImageChops

RGB = tuple[int, int, int]


def framebuffer() -> Image.Image:
    """The last frame drawn, row 0 at the top (offscreen, the back buffer keeps it)."""
    width, height = Window.size
    data = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    image = Image.frombytes("RGBA", (width, height), data).convert("RGB")
    return image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def window_box(widget: Any) -> tuple[int, int, int, int]:
    """The widget's box in window pixels as (left, top, right, bottom), row 0 at the top."""
    left, bottom = widget.to_window(widget.x, widget.y)
    right, top = widget.to_window(widget.right, widget.top)
    height = Window.height
    return round(left), round(height - top), round(right), round(height - bottom)


def crop(image: Image.Image, widget: Any) -> Image.Image:
    return image.crop(window_box(widget))


def _luminance(colour: RGB) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: RGB, two: RGB) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    high, low = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _distance(one: RGB, two: RGB) -> int:
    return max(abs(a - b) for a, b in zip(one, two, strict=True))


class Ink:
    """The text drawn in one area: its background, its colour, and where it is."""

    def __init__(self, area: Image.Image) -> None:
        colours = area.getcolors(maxcolors=area.width * area.height)
        assert colours, "nothing here"
        # Text covers far less of its box than the background does.
        self.background: RGB = max(colours)[1]
        plain = Image.new("RGB", area.size, self.background)
        # How far each pixel is from the background, in its most changed channel.
        red, green, blue = ImageChops.difference(area, plain).split()
        away = ImageChops.lighter(ImageChops.lighter(red, green), blue)
        far = away.getextrema()[1]
        assert far > 0, "no text drawn here"
        # The text's own colour: the commonest of the pixels well inside the strokes (the
        # edges are blended with the background).
        inside = away.point(lambda v: 255 if v >= 0.75 * far else 0)
        marked = area.copy()
        marked.putalpha(inside)
        counted = marked.getcolors(maxcolors=area.width * area.height) or []
        self.colour: RGB = max((n, c[:3]) for n, c in counted if c[3] == 255)[1]
        span = max(1, _distance(self.colour, self.background))
        # How much of the text's colour each pixel holds: Kivy blends a glyph's alpha
        # linearly into the background, so this is the glyph's alpha at that pixel.
        self.mask = away.point(lambda v: min(255, 255 * v // span))

    @property
    def contrast(self) -> float:
        return contrast(self.colour, self.background)

    def box(self) -> tuple[int, int, int, int]:
        """Where the ink is at least half covered, as (left, top, right, bottom)."""
        box = self.mask.point(lambda a: 255 if a >= 128 else 0).getbbox()
        assert box is not None, "no text drawn here"
        return box


def _mass(alpha: Image.Image) -> float:
    """How much ink: the sum of coverage, in whole pixels. Unlike a bounding box it does
    not change when the texture lands between two pixels and is resampled."""
    return sum(n * v for n, v in alpha.getcolors(maxcolors=256 * 256) or []) / 255


def _rendered_mass(label: Any, size: int) -> float:
    """Ink of the label's own markup rendered alone by Kivy at `size` pixels."""
    core = MarkupLabel(text=label.text, font_name=label.font_name, font_size=size)
    core.refresh()
    texture = core.texture
    return _mass(Image.frombytes("RGBA", texture.size, texture.pixels).getchannel("A"))


def drawn_size(label: Any, ink: Ink) -> int:
    """The font size in pixels the label's text was drawn at, read from its ink on the
    screen: the size at which the same text, rendered alone, puts down as much ink."""
    seen = _mass(ink.mask)
    # Ink grows with the square of the size: one rendering gives a close guess, and the
    # sizes around it settle it.
    first = max(4, round(label.font_size))
    guess = max(4, round(first * (seen / max(1.0, _rendered_mass(label, first))) ** 0.5))
    return min(range(guess - 2, guess + 3), key=lambda s: abs(_rendered_mass(label, s) - seen))
