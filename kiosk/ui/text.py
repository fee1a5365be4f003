"""ScriptLabel: a Kivy Label that shows any of the kiosk's languages correctly.

Kivy draws text in one font, in the order it is given, and wraps after reordering. This
label takes logical text in `source`, and does the rest through kiosk.script: one font per
script run (markup spans), Arabic and Persian shaped and in display order, lines broken in
reading order before Kivy sees them, right-aligned when right to left.
Import only after kiosk.ui.boot.prepare_kivy().
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.factory import Factory
from kivy.properties import BooleanProperty, OptionProperty, StringProperty
from kivy.uix.label import Label

from kiosk.script import FONTS, direction_of, font_for, markup_visual, runs, script_of, wrap


class ScriptLabel(Label):  # Kivy ships no type hints
    """A label for logical text in any script; set `source`, not `text`."""

    source = StringProperty("")
    bold = BooleanProperty(False)
    # "center" centres every script; "start" (or "left") aligns to where reading starts:
    # the left edge for Dutch, the right edge for Arabic and Persian.
    align = OptionProperty("center", options=["center", "start", "left"])

    # Kivy must not embolden on its own: bold comes from the bold font files, per run
    # (kiosk.script.markup_visual); the label-wide flag would embolden them a second time.
    _font_properties = tuple(p for p in Label._font_properties if p != "bold")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", True)
        super().__init__(**kwargs)
        self._measurers: dict[tuple[str, float, bool], CoreLabel] = {}
        # Before the next frame (-1), not after it (0): a frame never shows the old text.
        self._rewrap_soon = Clock.create_trigger(self.rewrap, -1)
        for name in ("source", "bold", "align", "width", "font_size", "padding"):
            self.fbind(name, self._rewrap_soon)
        self._rewrap_soon()

    def _trigger_texture_update(
        self, name: str | None = None, source: Any = None, value: Any = None
    ) -> None:
        if name == "bold":
            return  # see _font_properties: bold never reaches Kivy's core label
        super()._trigger_texture_update(name, source, value)

    def _width_of(self, line: str) -> float:
        """Width of a display-order line as the spans will draw it, font by font."""
        total = 0.0
        for run in runs(line):
            synthetic = self.bold and FONTS[run.script].bold is None
            key = (font_for(run.script, self.bold), float(self.font_size), synthetic)
            if key not in self._measurers:
                self._measurers[key] = CoreLabel(font_name=key[0], font_size=key[1], bold=synthetic)
            total += self._measurers[key].get_extents(run.text)[0]
        return total

    def rewrap(self, *_: Any) -> None:
        """Break `source` into lines for the current width and set the markup text."""
        left, _top, right, _bottom = self.padding
        room = max(1.0, self.width - left - right)
        lines = wrap(self.source, lambda line: self._width_of(line) <= room)
        self.font_name = font_for(script_of(self.source), self.bold)
        if self.align == "center":
            self.halign = "center"
        else:
            self.halign = "right" if direction_of(self.source) == "rtl" else "left"
        self.text_size = (self.width, None)
        self.text = "\n".join(markup_visual(line, self.bold) for line in lines)


Factory.register("ScriptLabel", cls=ScriptLabel)
