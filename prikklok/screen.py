"""`prikklok kiosk`: the touchscreen app, built from the configuration.

Kivy reads its settings at import, so nothing here imports it before prepare_kivy().
Without a display (no X11, Wayland or KMS) the screen runs offscreen and, for the demo,
prints each screen it shows and saves a screenshot of it.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from prikklok.config import Config
from prikklok.parts import build_feedback, open_parts
from sync.clock import SystemClock

if TYPE_CHECKING:
    from kiosk.views import View

log = logging.getLogger(__name__)


def screen_settings(config: Config) -> dict[str, Any]:
    screen = config["screen"]
    data_dir = Path(config["kiosk"]["data_dir"])
    cache = Path(screen["speech_cache"]) if screen["speech_cache"] else data_dir / "speech"
    return {
        "dim_after": screen["dim_after_seconds"],
        "supervisor_idle": screen["supervisor_idle_seconds"],
        "lunch_default": screen["lunch_default"],
        "lunch_seconds": screen["lunch_seconds"],
        "sound": screen["sound"],
        "cache_dir": cache,
        "photo_dir": config.media_path,
    }


def online_check(config: Config, journal: Any) -> Callable[[], bool]:
    """Online: the server answered a heartbeat within three sync intervals."""
    window = timedelta(seconds=max(30.0, 3 * config["sync"]["interval_seconds"]))

    def online() -> bool:
        contact = journal.last_contact()
        return bool(contact) and datetime.now(UTC) - contact[0] < window

    return online


def run_screen(
    config: Config,
    *,
    offscreen: bool,
    stdin: TextIO | None = None,
    keys: Mapping[str, str] | None = None,
    on_screen: Callable[[str, View | None], None] | None = None,
) -> int:
    """Run the kiosk app until its window closes or the process is asked to stop."""
    from kiosk.ui.boot import prepare_kivy
    from kiosk.ui.memory import limit_arenas

    limit_arenas()  # before Kivy, SDL and the GL driver start their threads

    data_dir = Path(config["kiosk"]["data_dir"])
    prepare_kivy(offscreen=offscreen, home=data_dir / "kivy", fps=config["screen"]["fps"])
    if config["screen"]["fullscreen"] and not offscreen:
        os.environ.setdefault("KCFG_GRAPHICS_FULLSCREEN", "auto")
        os.environ.setdefault("KCFG_GRAPHICS_SHOW_CURSOR", "0")

    from kiosk.door import Door
    from kiosk.headless import rules_from
    from kiosk.player import SilentPlayer, best_player
    from kiosk.speech import Pronouncer
    from kiosk.ui.app import KioskApp, ScreenSettings

    parts = open_parts(config, stdin=stdin)
    if keys and hasattr(parts.reader, "aliases"):
        parts.reader.aliases.update(keys)  # typed "1" + Enter taps like the key 1
    feedback = build_feedback(config)
    settings = ScreenSettings(**screen_settings(config))
    door = Door(
        journal=parts.journal,
        clock=SystemClock(),
        feedback=feedback,
        rules=rules_from(config),
        on_answer=parts.nudge if parts.agent else None,
        reserve=parts.reserve,
    )
    player = best_player() if settings.sound and not offscreen else SilentPlayer()
    # No way to play sound here: no speaker button either (offscreen, tests and demos
    # still render the words, to show that they can).
    cache = settings.cache_dir
    speaks = settings.sound and (offscreen or not isinstance(player, SilentPlayer))
    app = KioskApp(
        door=door,
        journal=parts.journal,
        reader=parts.reader,
        settings=settings,
        player=player,
        pronouncer=Pronouncer(cache / "words") if speaks and cache else None,
        keys=keys,
        on_screen=on_screen,
        is_online=online_check(config, parts.journal),
    )
    if offscreen and hasattr(parts.reader, "on_eof"):
        from kivy.clock import Clock

        # The end of piped taps ends an offscreen run once the last screen is shown and
        # pictured; a window stays until it is closed, whatever its standard input is.
        def stop_when_pictured(_dt: float) -> None:
            # On a loaded machine a frame can take longer than the pause below: stopping
            # then would drop the pictures of the last screens still waiting to be taken.
            if getattr(on_screen, "pending", 0):
                Clock.schedule_once(stop_when_pictured, 0.2)
            else:
                app.stop()

        parts.reader.on_eof = lambda: Clock.schedule_once(stop_when_pictured, 1.0)
    if threading.current_thread() is threading.main_thread():
        from kivy.clock import Clock as KivyClock

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: KivyClock.schedule_once(lambda _dt: app.stop()))
    try:
        app.run()
        return 0
    finally:
        parts.stop_agent()
        feedback.close()
        parts.journal.close()


class ScreenPrinter:
    """For the offscreen demo: print what each screen shows, with a picture of the frame
    that showed it (kiosk.ui.pictures)."""

    def __init__(self, out: TextIO, folder: Path | None) -> None:
        self.out = out
        self.folder = folder
        self.count = 0
        self.pending = 0  # screens announced and not yet printed (their picture to come)
        self._pictures: Any = None
        if folder is not None:
            # One run's pictures: those of an earlier run would read as this one's.
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.png"):
                old.unlink()

    def __call__(self, name: str, view: View | None) -> None:
        from kivy.app import App

        from kiosk.transcript import transcript

        app = App.get_running_app()
        if view is not None:
            said = transcript(view)
            lines = [f"[{name}] {said[0]}", *said[1:]]
        else:
            # Supervisor mode's screens say what they show themselves.
            shown: list[str] = getattr(app.screen(name), "transcript", list)()
            lines = [f"[{name}] {shown[0]}", *shown[1:]] if shown else [f"[{name}]"]
        if self.folder is None:
            self._print(lines)
            return
        from kiosk.ui.pictures import FramePictures

        if self._pictures is None:
            self._pictures = FramePictures(app.manager)
        self.count += 1
        path = self.folder / f"{self.count:03d}-{name}.png"
        self.pending += 1

        def pictured(taken: Path | None) -> None:
            self.pending -= 1
            note = f"picture: {taken}" if taken else "no picture: the next screen came first"
            self._print([*lines, f"  {note}"])

        self._pictures.want(name, path, pictured)

    def _print(self, lines: list[str]) -> None:
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
