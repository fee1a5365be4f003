"""Pictures of what the glass showed: the frame drawn for a screen, not a re-render later.

The offscreen demo saves a picture of every screen it shows. Rendering the widgets a
moment after the screen changed can catch the next screen already up, or a layout not yet
settled, or (before the first frame) nothing at all. So the picture is read from the frame
buffer at the frame itself — Window's on_flip runs just before the buffers swap — and the
screen's picture is its last frame before either the screen settles (a whole turn of the
loop draws nothing more) or the next screen replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window


@dataclass
class _Wanted:
    screen: str
    path: Path
    done: Callable[[Path | None], None]
    pixels: tuple[bytes, int, int] | None = None  # the last frame that showed it


class FramePictures:
    """Saves the frame that shows a screen; `manager` is the app's ScreenManager."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager
        self.frames = 0
        self._wanted: _Wanted | None = None
        Window.bind(on_flip=self._flipped)

    @property
    def waiting(self) -> bool:
        return self._wanted is not None

    def want(self, screen: str, path: Path, done: Callable[[Path | None], None]) -> None:
        """Picture `screen` (just put up) at `path`; `done` gets the path, or None when
        the next screen came before any frame showed this one."""
        self._finish()
        self._wanted = _Wanted(screen, path, done)

    def close(self) -> None:
        Window.unbind(on_flip=self._flipped)
        self._finish()

    def _flipped(self, *_: Any) -> None:
        if self.manager.get_root_window() is None:  # its app has stopped
            self.close()
            return
        self.frames += 1
        wanted = self._wanted
        if wanted is None or self.manager.current != wanted.screen:
            return
        wanted.pixels = _frame_buffer()
        seen = self.frames
        # At the next turn, ask whether the turn after it drew anything more.
        Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt: self._quiet(seen)))

    def _quiet(self, seen: int) -> None:
        if self.frames == seen:  # a whole turn without a frame: the screen has settled
            self._finish()

    def _finish(self) -> None:
        wanted, self._wanted = self._wanted, None
        if wanted is None:
            return
        if wanted.pixels is None:
            wanted.done(None)
            return
        data, width, height = wanted.pixels
        from PIL import Image

        wanted.path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.frombytes("RGB", (width, height), data)
        image.transpose(Image.Transpose.FLIP_TOP_BOTTOM).save(wanted.path)
        wanted.done(wanted.path)


def _frame_buffer() -> tuple[bytes, int, int]:
    """The frame about to be shown (GL's back buffer), bottom row first."""
    from kivy.graphics.opengl import (
        GL_PACK_ALIGNMENT,
        GL_RGB,
        GL_UNSIGNED_BYTE,
        glPixelStorei,
        glReadPixels,
    )

    width, height = (int(x) for x in Window.size)
    glPixelStorei(GL_PACK_ALIGNMENT, 1)
    return glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE), width, height
