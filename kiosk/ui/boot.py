"""Kivy's settings, made before Kivy is first imported (it reads them at import time)."""

from __future__ import annotations

import os
from pathlib import Path


def has_display() -> bool:
    """Whether a window can be shown: X11, Wayland, or the Pi's KMS/DRM console."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return True
    return os.environ.get("SDL_VIDEODRIVER", "") in ("kmsdrm", "wayland", "x11")


def prepare_kivy(
    *,
    offscreen: bool,
    home: Path | None = None,
    fps: int = 30,
    size: tuple[int, int] = (1024, 600),
) -> None:
    """Set Kivy's environment: no argv parsing, no log files, and offscreen if asked."""
    os.environ["KIVY_NO_ARGS"] = "1"  # prikklok's own CLI owns sys.argv
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_CONFIG", "1")  # settings come from KCFG_* below
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ["KIVY_WINDOW"] = "sdl2"
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        os.environ["KIVY_HOME"] = str(home)
    if offscreen:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    # Kivy's KCFG_<SECTION>_<KEY> variables set its config before the window exists.
    # The kiosk redraws only what changes; the cap keeps an idle Pi from burning a core.
    os.environ["KCFG_GRAPHICS_MAXFPS"] = str(fps)
    os.environ.setdefault("KCFG_GRAPHICS_WIDTH", str(size[0]))
    os.environ.setdefault("KCFG_GRAPHICS_HEIGHT", str(size[1]))
    # No multisampling: text and flat shapes gain nothing from it, and it doubles the
    # frame buffers (memory, and fill time with a software renderer).
    os.environ.setdefault("KCFG_GRAPHICS_MULTISAMPLES", "0")
    os.environ["KCFG_KIVY_EXIT_ON_ESCAPE"] = "0"  # a keyboard at the door must not quit
    os.environ["KCFG_INPUT_MOUSE"] = "mouse,disable_multitouch"
