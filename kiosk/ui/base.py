"""What every screen of the door shares: its .kv name, the running app, the door's clock,
and filling a box with rows. The screen modules import this, never each other."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from kivy.app import App
from kivy.uix.screenmanager import Screen

from sync.clock import WORKSHOP_TZ


class KioskScreen(Screen):
    """A screen of the door. `kv` names its layout, kv/<kv>.kv, and the screen itself in
    the app's ScreenManager (the `screen` of a kiosk.views.View)."""

    kv: ClassVar[str] = ""  # empty on a kind of screen that is never shown itself

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("name", self.kv)
        super().__init__(**kwargs)


def app() -> Any:
    return App.get_running_app()


def workshop_now() -> datetime:
    """Now, in workshop time, by the door's own clock (a test holds it)."""
    now: datetime = app().door.clock.now().wall
    return now.astimezone(WORKSHOP_TZ)


def fill(box: Any, kind: type, rows: list[dict[str, Any]]) -> None:
    """Make `box` show one `kind` widget per row of properties, in order, reusing the
    widgets it has: a label whose text is unchanged is not drawn again, and no widgets
    (with their textures) are left for the garbage collector."""
    shown = list(reversed(box.children))  # Kivy keeps children last-added first
    for widget in shown[len(rows) :]:
        box.remove_widget(widget)
    for index, row in enumerate(rows):
        if index < len(shown):
            for name, value in row.items():
                setattr(shown[index], name, value)
        else:
            box.add_widget(kind(**row))
