"""The door's voice: the word of the day when someone presses the speaker, and the greeting
of a site that wants one, once the answer's chime is over.

espeak-ng renders on a short-lived thread (kiosk.speech caches each text once); the sound is
played on the UI thread, handed over with Clock.schedule_once. A greeting belongs to its
answer: when the next answer comes first, it is dropped unsaid.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from kivy.clock import Clock

from kiosk.player import Player
from kiosk.speech import Pronouncer, SpeechUnavailable

log = logging.getLogger(__name__)


class Voice:
    """Says Dutch lines through a Pronouncer and a Player, never on the UI thread's time."""

    def __init__(self, pronouncer: Pronouncer | None, player: Player, *, on: bool) -> None:
        self.pronouncer = pronouncer
        self.player = player
        self.sound = on
        self.on = on and pronouncer is not None
        self._turn = 0  # which answer the words in flight belong to
        self._warned = False

    def say(self, text: str, *, after: float = 0.0) -> None:
        """Say `text`, no sooner than `after` seconds from now (after a chime)."""
        if not self.on:
            return
        pronouncer = self.pronouncer
        assert pronouncer is not None
        turn, due = self._turn, Clock.get_boottime() + after

        def render() -> None:
            try:
                path = pronouncer.wav_of(text)
            except (SpeechUnavailable, ValueError) as error:
                self._warn(error)
                return
            Clock.schedule_once(lambda _dt: self._play(path, turn, due))

        threading.Thread(target=render, name="speech", daemon=True).start()

    def play(self, path: Path, *, after: float = 0.0) -> None:
        """A recording of a person (sync.media's cache), from the UI thread: at once, or
        `after` seconds from now (after a chime) if no new answer comes first."""
        if not self.sound:
            return
        if after <= 0:
            self.player.play(path)
            return
        self._play(path, self._turn, Clock.get_boottime() + after)

    def hush(self) -> None:
        """A new answer: whatever the last one was still going to say is dropped."""
        self._turn += 1

    def _play(self, path: Path, turn: int, due: float) -> None:
        if turn != self._turn:
            return
        wait = due - Clock.get_boottime()
        if wait > 0.01:  # the chime is still playing: a new sound would cut it short
            Clock.schedule_once(lambda _dt: self._play(path, turn, due), wait)
            return
        self.player.play(path)

    def prepare(self, texts: Iterable[str], keep: Iterable[str] = ()) -> None:
        """On a thread: render `texts` ahead of time, then remove cached speech that is
        neither in `texts` nor in `keep` (said on demand, such as the greetings)."""
        if not self.on:
            return
        pronouncer = self.pronouncer
        assert pronouncer is not None
        ahead, kept = list(texts), list(keep)

        def render() -> None:
            try:
                paths = [pronouncer.wav_of(text) for text in ahead]
            except (SpeechUnavailable, ValueError) as error:
                self._warn(error)
                return
            pronouncer.prune([*paths, *(pronouncer.path_of(text) for text in kept)])

        threading.Thread(target=render, name="speech", daemon=True).start()

    def _warn(self, error: Exception) -> None:
        # Said once: a kiosk without espeak-ng would otherwise say it at every tap.
        level = logging.DEBUG if self._warned else logging.WARNING
        self._warned = True
        log.log(level, "no speech: %s", error)
