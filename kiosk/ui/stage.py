"""The real app, driven step by step: for the tests, the benchmarks and the offscreen demo.

`App.run()` owns the loop until the window closes; a Stage instead builds the same app
and turns Kivy's event loop by hand, so a caller can tap, wait for a screen and look.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.lang.parser import global_idmap

from kiosk.ui.app import KioskApp


class NotShown(AssertionError):
    """The screen did not come within the time allowed."""


class Stage:
    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self.frames = 0
        Window.bind(on_flip=self._flipped)
        app._run_prepare()  # build, add to the window and start, as App.run() does

    def _flipped(self, *_: Any) -> None:
        self.frames += 1

    def step(self) -> None:
        """One turn of Kivy's loop: clock callbacks, input, and a frame if needed."""
        EventLoop.idle()

    def pump(self, seconds: float = 0.1) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.step()

    def wait_for(self, check: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
        end = time.monotonic() + timeout
        while not check():
            if time.monotonic() > end:
                raise NotShown(f"not shown within {timeout} s: {what or check}")
            self.step()

    def wait_for_screen(self, name: str, timeout: float = 5.0) -> Any:
        self.wait_for(lambda: self.app.manager.current == name, timeout, f"screen {name!r}")
        self.next_frame()
        return self.app.screen(name)

    def next_frame(self) -> None:
        """Until a frame has been drawn after now: what the screen shows is on the glass.
        A screen at rest draws no frames (the waiting screen), so ask for one."""
        seen = self.frames
        Window.canvas.ask_update()
        self.wait_for(lambda: self.frames > seen, 2.0, "a frame")

    def screenshot(self, path: Path) -> Path:
        self.pump(0.05)  # let layouts settle; the export renders the widgets itself
        return self.app.screenshot(path)

    def close(self) -> None:
        Window.unbind(on_flip=self._flipped)
        self.app.dispatch("on_stop")  # also lets kv's `app` forget this app
        if self.app.root is not None:
            Window.remove_widget(self.app.root)
        self.step()
        # A kv rule evaluated in that last step (a screen leaving) may have made kv's `app`
        # hold on to this app again; the next app must not inherit it.
        object.__setattr__(global_idmap["app"], "_obj", None)
