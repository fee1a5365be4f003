"""Keeping a kiosk that runs for months small: fewer malloc arenas, freed memory handed
back to the system, and start-up objects kept out of the garbage collector's way."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

# glibc's mallopt parameters
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


@cache  # find_library runs ldconfig: once, not at every tidy
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def limit_arenas(arenas: int = 2) -> bool:
    """Tune malloc for a process that draws for months. Call before threads start.

    - Few arenas: every thread (reader, sync, speech, SDL, the GL driver's) otherwise gets
      its own, and each keeps its freed memory.
    - Large blocks (label textures, which the software GL keeps in process memory) get
      their own mappings, returned to the system when freed, instead of fragmenting the
      heap; glibc would otherwise raise this threshold as soon as one is freed.
    """
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    return all(
        libc.mallopt(param, value)
        for param, value in (
            (M_ARENA_MAX, arenas),
            (M_MMAP_THRESHOLD, 256 * 1024),
            (M_TRIM_THRESHOLD, 1024 * 1024),
        )
    )


def drop_text_surfaces() -> bool:
    """Let each label's SDL surface go once its pixels are in the texture.

    Kivy's SDL2 text provider renders a label into an SDL surface, copies the pixels out
    for the texture, and keeps the surface until the label renders again: a second copy of
    every label the door has drawn (6.9 MiB after 100 taps, the largest share of the
    door's growth). Nothing reads the surface after `_render_end`; the next render makes a
    new one. Call before the first label is drawn; False where Kivy's text provider is not
    SDL2's (nothing to drop).
    """
    try:
        from kivy.core.text.text_sdl2 import LabelSDL2
    except ImportError:
        return False
    if getattr(LabelSDL2, "_drops_surface", False):
        return True
    keep_surface = LabelSDL2._render_end

    def render_end(label: Any) -> Any:
        data = keep_surface(label)
        label._surface = None
        return data

    LabelSDL2._render_end = render_end
    LabelSDL2._drops_surface = True
    return True


def trim() -> bool:
    """Give freed heap memory back to the system (glibc keeps it otherwise)."""
    libc = _libc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    return bool(libc.malloc_trim(0))


class Tidy:
    """Collect garbage and hand memory back now and then, when the door is at rest.

    A full collection is cheap after settle_after_start(); malloc_trim runs on its own
    thread (ctypes lets go of the GIL), so the screen never waits for it.
    """

    def __init__(self, every: float = 0.25, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self.last = float("-inf")

    def __call__(self) -> bool:
        if self.clock() - self.last < self.every:
            return False
        self.last = self.clock()
        gc.collect()
        threading.Thread(target=trim, name="trim", daemon=True).start()
        return True


def offscreen() -> bool:
    """Whether SDL draws into an offscreen buffer (kiosk.ui.boot.prepare_kivy)."""
    return os.environ.get("SDL_VIDEODRIVER") == "offscreen"


def flush_frame(*_: object) -> None:
    """Hand the frame just drawn to the GL driver to rasterize, and its commands with it.

    Bound to Window.on_flip when drawing offscreen. A buffer swap flushes what was queued
    (on the Pi's display, under X11), but an offscreen surface's swap does nothing: llvmpipe
    then kept every frame's commands in one scene until it held 36 MiB (its limit), and RSS
    saw-tooths by ±8 MiB with the frames drawn since (the time bar draws several a second).
    glFlush here, not glFinish: the frame is not held up while llvmpipe rasterizes it
    (glFinish at on_flip took tap → frame p99 from 63 to 140–190 ms). finish_last_frame
    waits for it before the next frame instead.
    """
    from kivy.graphics.opengl import glFlush

    glFlush()


def finish_last_frame(*_: object) -> None:
    """Wait until the frame flushed last is rasterized, before drawing the next one.

    Bound to Window.on_draw with flush_frame: the rasterizer has had a frame's time for it,
    so this seldom waits, and at most one frame's commands are kept. With glFlush alone, a
    busy machine's rasterizer fell behind and scenes piled up (208 MiB after 1000 taps).
    """
    from kivy.graphics.opengl import glFinish

    glFinish()


def settle_after_start() -> None:
    """After the first frame: collect once, then freeze what start-up made (Kivy's ~10⁵
    objects), so a full collection no longer walks them — it took 70–100 ms mid-tap."""
    gc.collect()
    gc.freeze()
    trim()
