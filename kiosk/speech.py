"""Dutch, spoken: espeak-ng renders the word of the day with its example sentence, and the
greeting of a site that wants one ("Goedemorgen, Amal."), to a WAV once, offline; the
speaker button and the welcome play the cached file."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sync.clock import WORKSHOP_TZ

# Part of every cache key: bump it when the way text is rendered changes, so old files
# are not played for new settings (prune then removes them).
FORMAT_VERSION = 1

# A half-written temp file older than this is left over from a crash or power cut.
STALE_TEMP_SECONDS = 600.0

DIGEST_CHARS = 24  # of sha256, in hex: cache file names

Run = Callable[..., "subprocess.CompletedProcess[str]"]


class SpeechUnavailable(RuntimeError):
    """espeak-ng is missing or could not render the text."""


def spoken_text(word: str, sentence: str = "", article: str | None = None) -> str:
    """What is said: "de fiets. Ik ga met de fiets." (the full stop makes the pause)."""
    head = " ".join(part for part in (article, word) if part)
    head = " ".join(head.split())  # one line: stray newlines would split the speech
    if not head:
        raise ValueError("there is no word to speak")
    tail = " ".join(sentence.split())
    return f"{head}. {tail}" if tail else f"{head}."


# Until which hour (workshop time) each greeting is said.
DAY_PARTS: tuple[tuple[int, str], ...] = (
    (12, "Goedemorgen"),
    (18, "Goedemiddag"),
    (24, "Goedenavond"),
)
FAREWELL = "Dag"


def greeting(name: str, moment: datetime, *, leaving: bool) -> str:
    """What the door says to a participant: "Goedemorgen, Amal." by the workshop's hour, or
    "Dag, Amal." on leaving. The first name only: friendlier, and less said aloud."""
    if leaving:
        return _to(FAREWELL, name)
    hour = moment.astimezone(WORKSHOP_TZ).hour
    return _to(next(word for until, word in DAY_PARTS if hour < until), name)


def greetings(name: str) -> list[str]:
    """Every line `greeting` may say to this name."""
    return [_to(word, name) for word in (*(word for _, word in DAY_PARTS), FAREWELL)]


def _to(word: str, name: str) -> str:
    first = (name.split() or [""])[0]
    return f"{word}, {first}." if first else f"{word}."


class Pronouncer:
    """Speaks Dutch words through espeak-ng, rendering each text once to a WAV cache."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        espeak: str = "espeak-ng",
        voice: str = "nl",
        speed: int = 140,
        timeout: float = 30.0,
        run: Run = subprocess.run,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.espeak = espeak
        self.voice = voice
        self.speed = speed
        self.timeout = timeout
        self._run = run
        self.rendered = 0  # how many times espeak-ng actually ran

    def available(self) -> bool:
        """Whether the espeak-ng program can be found."""
        return shutil.which(self.espeak) is not None

    def path_for(self, word: str, sentence: str = "", article: str | None = None) -> Path:
        """Where the WAV for this word lives in the cache (rendered or not)."""
        return self.path_of(spoken_text(word, sentence, article))

    def path_of(self, text: str) -> Path:
        """Where the WAV for this text lives in the cache (rendered or not). The name is a
        hash: no word or name is readable in the folder."""
        text = " ".join(text.split())  # one line: stray newlines would split the speech
        key = "\0".join((str(FORMAT_VERSION), self.voice, str(self.speed), text))
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:DIGEST_CHARS]
        return self.cache_dir / f"{digest}.wav"

    def wav_for(self, word: str, sentence: str = "", article: str | None = None) -> Path:
        """The WAV of "{article} {word}. {sentence}", rendered on first use.

        Rendering takes a moment on a Pi: call it off the UI thread, or ahead of time when
        the word of the day is planned.
        """
        return self.wav_of(spoken_text(word, sentence, article))

    def wav_of(self, text: str) -> Path:
        """The WAV of a line of Dutch, rendered on first use (off the UI thread)."""
        text = " ".join(text.split())
        if not text:
            raise ValueError("there is nothing to say")
        target = self.path_of(text)
        if target.exists():
            return target
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=self.cache_dir, prefix=".", suffix=".tmp")
        os.close(fd)
        temp = Path(temp_name)
        try:
            self._render(text, temp)
            os.replace(temp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        return target

    def _render(self, text: str, out: Path) -> None:
        # The text goes in on stdin, never as an argument: no shell, and a word such as
        # "-min" cannot be taken for an option.
        args = [self.espeak, "-v", self.voice, "-s", str(self.speed), "-b", "1"]
        args += ["-w", str(out), "--stdin"]
        self.rendered += 1
        try:
            done = self._run(
                args,
                input=text,
                capture_output=True,
                text=True,
                encoding="utf-8",
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError as exc:
            raise SpeechUnavailable(
                f"{self.espeak} was not found: install the Debian package espeak-ng"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise SpeechUnavailable(
                f"{self.espeak} did not finish within {self.timeout:g} s"
            ) from exc
        except OSError as exc:
            raise SpeechUnavailable(f"{self.espeak} could not be started: {exc}") from exc
        if done.returncode != 0:
            raise SpeechUnavailable(
                f"{self.espeak} failed (exit {done.returncode}): {_last_line(done)}"
            )
        if out.stat().st_size <= 44:  # a bare WAV header: nothing was said
            raise SpeechUnavailable(f"{self.espeak} produced no sound for {text!r}")

    def prune(self, keep: Iterable[Path]) -> list[Path]:
        """Remove cached WAVs not in keep (and stale temp files); return what was removed."""
        if not self.cache_dir.is_dir():
            return []
        kept = {Path(path).resolve() for path in keep}
        removed: list[Path] = []
        stale_before = time.time() - STALE_TEMP_SECONDS
        for path in self.cache_dir.iterdir():
            if _is_rendered(path):
                drop = path.resolve() not in kept
            elif path.suffix == ".tmp" and path.name.startswith("."):
                drop = path.stat().st_mtime < stale_before
            else:
                drop = False  # not ours: chimes may share the folder
            if drop:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
        return removed


def _is_rendered(path: Path) -> bool:
    """Whether the file is one of ours: a digest named WAV, as path_for makes."""
    digest = path.name.removesuffix(".wav")
    return (
        path.suffix == ".wav"
        and len(digest) == DIGEST_CHARS
        and all(c in "0123456789abcdef" for c in digest)
    )


def _last_line(done: subprocess.CompletedProcess[Any]) -> str:
    """The last non-empty line espeak-ng wrote, preferring stderr."""
    for stream in (done.stderr, done.stdout):
        lines = [line.strip() for line in str(stream or "").splitlines() if line.strip()]
        if lines:
            return lines[-1]
    return "no message"
