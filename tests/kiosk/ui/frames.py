"""What the glass showed for each answer: a recorder of the frames drawn after each screen
change, for the rush tests and the rush benchmark.

The app announces each screen it puts up (KioskApp's on_screen); at every frame Kivy
draws after that (Window's on_flip, just before the buffers swap) the recorder reads the
text the screen's labels hold then, which is what their textures were drawn from.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from kivy.core.window import Window

MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


@dataclass
class Answered:
    """One screen put up: for which badge, and the text of each frame drawn while it was up."""

    screen: str
    uid: str | None
    shown_at: float
    frames: list[str] = field(default_factory=list)
    first_frame_at: float | None = None


def drawn_text(screen: Any) -> str:
    """The text every label of `screen` holds now, markup taken out, one label a line."""
    texts = []
    for widget in screen.walk(restrict=True):
        text = getattr(widget, "text", "")
        if isinstance(text, str) and text and widget.opacity > 0:
            texts.append(MARKUP.sub("", text))
    return "\n".join(texts)


class FrameRecorder:
    """Pass `shown` as the app's on_screen; `answers` then holds every screen put up."""

    def __init__(self) -> None:
        self.answers: list[Answered] = []
        self.app: Any = None
        Window.bind(on_flip=self._flipped)

    def shown(self, name: str, view: Any) -> None:
        uid = getattr(view, "uid", None) if view is not None else None
        self.answers.append(Answered(name, uid, time.perf_counter()))

    def _flipped(self, *_: Any) -> None:
        if not self.answers or self.app is None:
            return
        current = self.answers[-1]
        if self.app.manager.current != current.screen:
            return  # a screen changed without an announcement: not ours to judge
        if current.first_frame_at is None:
            current.first_frame_at = time.perf_counter()
        current.frames.append(drawn_text(self.app.screen(current.screen)))

    def answered(self, uid: str) -> Answered | None:
        """The last screen put up for `uid`, once a frame has shown it."""
        for answer in reversed(self.answers):
            if answer.uid == uid:
                return answer if answer.frames else None
        return None

    def close(self) -> None:
        Window.unbind(on_flip=self._flipped)
