"""Tiles in columns that fit the space they are given, a page at a time.

Supervisor mode's list and the evacuation list are grids of tiles, each at least one
touch target tall. On a busy morning every name must be on the screen at once, so the
tiles go into as many columns as the width holds rather than into a ScrollView (a thin
scroll bar is hard to see and to hit, and a stencil costs ~15 MiB with a software GL).
Only a list longer than the screen holds gets pages, turned with a PageButton. The
arithmetic is kiosk.supervision.grid_for; this is the layout around it.
"""

from __future__ import annotations

from math import floor
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.factory import Factory
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button

from kiosk.script import FONTS, font_for, runs, visual
from kiosk.supervision import Grid, grid_for
from kiosk.ui.base import fill


class TileColumns(BoxLayout):
    """Shows `rows` (one dict of properties per tile) as `tile` widgets, down each column
    and then across, on as many pages as needed."""

    tile = ObjectProperty(None)  # the tile's widget class
    tile_height = NumericProperty(60)
    tile_width = NumericProperty(230)  # the narrowest a tile may be
    rows = ListProperty([])
    page = NumericProperty(0)
    pages = NumericProperty(1)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "horizontal")
        super().__init__(**kwargs)
        self.grid = Grid(1, 1, 1)
        # At once, not on a trigger: the tiles are placed in the same frame as the size or
        # the rows that decide them, so no frame shows a list half laid out.
        for name in ("size", "rows", "page", "tile_height", "tile_width", "spacing"):
            self.fbind(name, self.arrange)

    def arrange(self, *_: Any) -> None:
        if self.tile is None or self.height <= 0 or self.width <= 0:
            return
        gap = float(self.spacing)
        rows_fit = floor((self.height + gap) / (self.tile_height + gap))
        columns_fit = floor((self.width + gap) / (self.tile_width + gap))
        self.grid = grid_for(len(self.rows), rows_fit, columns_fit)
        self.pages = self.grid.pages
        if self.page >= self.pages:
            self.page = self.pages - 1  # binds back to arrange
            return
        columns = self.grid.columns_of(self.rows, int(self.page))
        shown = list(reversed(self.children))  # Kivy keeps children last-added first
        for column in shown[len(columns) :]:
            self.remove_widget(column)
        for index, tiles in enumerate(columns):
            if index < len(shown):
                column = shown[index]
            else:
                # As tall as its tiles and held at the top: a short list starts at the top.
                column = BoxLayout(orientation="vertical", size_hint_y=None, pos_hint={"top": 1})
                self.add_widget(column)
            column.spacing = gap
            fill(column, self.tile, tiles)
            for widget in column.children:
                widget.size_hint_y = None
                widget.height = self.tile_height
            column.height = max(0.0, len(tiles) * (self.tile_height + gap) - gap)

    def turn(self, step: int) -> None:
        """The next (1) or the previous (-1) page."""
        self.page = max(0, min(self.pages - 1, self.page + step))

    def tiles(self) -> list[Any]:
        """The tiles shown now, in reading order."""
        return [tile for column in reversed(self.children) for tile in reversed(column.children)]


class NameTile:
    """Mixin for a tile that shows a name on one line (its label has id `name_label`): a
    name too wide for the label at `name_large` is drawn at `name_small`, and one too wide
    even then is cut at the tile's edge (`name_fits` False: the label's max_lines)."""

    name = StringProperty("")
    name_large = NumericProperty(24)
    name_small = NumericProperty(18)
    name_size = NumericProperty(24)  # the size the name is drawn at
    name_fits = BooleanProperty(True)
    ids: Any  # the widget's, from its .kv rule

    def on_kv_post(self, base_widget: Any) -> None:
        super().on_kv_post(base_widget)  # type: ignore[misc]
        label = self.ids.name_label
        for name in ("width", "bold", "padding"):
            label.fbind(name, self._fit)
        self._fit()

    def on_name(self, *_: Any) -> None:
        self._fit()

    def on_name_large(self, *_: Any) -> None:
        self._fit()

    def on_name_small(self, *_: Any) -> None:
        self._fit()

    def _fit(self, *_: Any) -> None:
        label = self.ids.get("name_label")
        if label is None:  # before its .kv rule is applied
            return
        left, _top, right, _bottom = label.padding
        room = label.width - left - right
        if line_width(self.name, self.name_large, label.bold) <= room:
            self.name_size, self.name_fits = self.name_large, True
        else:
            self.name_size = self.name_small
            self.name_fits = line_width(self.name, self.name_small, label.bold) <= room


_measurers: dict[tuple[str, float, bool], CoreLabel] = {}


def line_width(text: str, size: float, bold: bool) -> float:
    """How wide `text` is drawn on one line, font by font, as a ScriptLabel draws it."""
    total = 0.0
    for run in runs(visual(text)):
        synthetic = bold and FONTS[run.script].bold is None
        key = (font_for(run.script, bold), float(size), synthetic)
        if key not in _measurers:
            _measurers[key] = CoreLabel(font_name=key[0], font_size=key[1], bold=synthetic)
        total += _measurers[key].get_extents(run.text)[0]
    return total


class Paging:
    """Mixin: follows a TileColumns' pages; `paged` only while it has more than one."""

    columns = ObjectProperty(None, allownone=True)
    paged = BooleanProperty(False)
    page_text = StringProperty("")  # "1 / 2"

    def on_columns(self, _widget: Any, columns: Any) -> None:
        if columns is not None:
            columns.fbind("pages", self._follow)
            columns.fbind("page", self._follow)
            self._follow()

    def _follow(self, *_: Any) -> None:
        columns = self.columns
        self.paged = columns.pages > 1
        self.page_text = f"{int(columns.page) + 1} / {int(columns.pages)}" if self.paged else ""


class PageButton(Paging, Button):
    """The next (step 1) or the previous (step -1) page; its look is in supervisor.kv."""

    step = NumericProperty(1)

    def on_release(self) -> None:
        if self.columns is not None:
            self.columns.turn(int(self.step))


for _cls in (TileColumns, PageButton):
    Factory.register(_cls.__name__, cls=_cls)
