"""Playing a WAV without holding up the caller: through Kivy, through aplay, or not at all.

A sound that cannot be played is logged once and otherwise ignored: the answer on screen
(colour and symbol) still stands, and the UI must never fall over for a speaker.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Player(Protocol):
    """Starts playing a WAV and returns at once; a new sound cuts the running one short."""

    def play(self, path: Path) -> None: ...


class _WarnOnce:
    """Logs the first failure at warning level and the rest at debug, to spare the log."""

    def __init__(self) -> None:
        self.warned = False

    def __call__(self, message: str, *args: object, exc_info: bool = False) -> None:
        level = logging.DEBUG if self.warned else logging.WARNING
        self.warned = True
        log.log(level, message, *args, exc_info=exc_info)


class KivyPlayer:
    """Plays through Kivy's SoundLoader; call it from the Kivy (main) thread."""

    def __init__(self) -> None:
        self._sounds: dict[Path, Any] = {}
        self._current: Any = None
        self._warn = _WarnOnce()

    def play(self, path: Path) -> None:
        try:
            sound = self._sounds.get(path)
            if sound is None:
                # Imported here: Kivy reads its environment at import, which the app sets first.
                from kivy.core.audio import SoundLoader

                sound = SoundLoader.load(str(path))
                # SDL2 hands back an empty Sound for a file it could not read.
                if sound is None or not sound.length:
                    self._warn("Kivy cannot play %s; it is skipped", path)
                    return
                self._sounds[path] = sound
            if self._current is not None and self._current.state == "play":
                self._current.stop()
            if sound.state == "play":
                sound.stop()  # replay the same sound from its start
            sound.play()
            self._current = sound
        except Exception:  # an audio failure must never reach the UI
            self._warn("could not play %s through Kivy", path, exc_info=True)

    def close(self) -> None:
        """Stop and unload every loaded sound."""
        for sound in self._sounds.values():
            try:
                sound.stop()
                sound.unload()
            except Exception:
                log.debug("could not unload %s", sound, exc_info=True)
        self._sounds.clear()
        self._current = None


class CommandPlayer:
    """Plays by running a command (``aplay -q FILE``) in the background, never a shell."""

    def __init__(
        self,
        command: Sequence[str] = ("aplay", "-q"),
        *,
        popen: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen,
    ) -> None:
        self.command = tuple(command)
        self._popen = popen
        self._children: list[subprocess.Popen[bytes]] = []
        self._warn = _WarnOnce()

    def play(self, path: Path) -> None:
        for child in self._children:
            if child.poll() is None:
                child.terminate()  # a new sound cuts the running one short
        self.reap()
        try:
            child = self._popen(
                [*self.command, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._warn("could not run %s to play %s", self.command[0], path, exc_info=True)
            return
        self._children.append(child)

    def reap(self) -> int:
        """Collect finished children (so none is left a zombie); return how many still run."""
        self._children = [child for child in self._children if child.poll() is None]
        return len(self._children)

    def close(self) -> None:
        """Stop what is playing and wait for it."""
        for child in self._children:
            if child.poll() is None:
                child.terminate()
            try:
                child.wait(timeout=2)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._children.clear()


class SilentPlayer:
    """Plays nothing and remembers what it was asked: for kiosks without audio, and tests."""

    def __init__(self) -> None:
        self.played: list[Path] = []

    def play(self, path: Path) -> None:
        self.played.append(path)


def kivy_can_play_wav() -> bool:
    """Whether Kivy has an audio provider that loads a WAV on this machine."""
    try:
        from kivy.core.audio import SoundLoader

        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / "probe.wav"
            with wave.open(str(probe), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(8000)
                out.writeframes(b"\0\0" * 80)
            sound = SoundLoader.load(str(probe))
            if sound is None or not sound.length:
                return False
            sound.unload()
            return True
    except Exception:
        log.debug("Kivy audio is not usable", exc_info=True)
        return False


def best_player() -> Player:
    """Kivy's audio if it plays WAV, else aplay if installed, else silence.

    Call it after the app has set Kivy's environment (Kivy is imported here).
    """
    if kivy_can_play_wav():
        return KivyPlayer()
    if shutil.which("aplay"):
        return CommandPlayer()
    log.warning("no way to play sound (Kivy audio or aplay from alsa-utils): sounds are off")
    return SilentPlayer()
