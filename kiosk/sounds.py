"""The sound of each answer: short chimes synthesised once to 16-bit mono WAV files.

Every answer is told by colour AND symbol AND sound, so no one depends on one sense, and
no two answers sound alike (kiosk.signs). The names cover ``hardware.feedback.Signal``'s
values (the buzzer's patterns), and the screen's answers beyond them.
"""

from __future__ import annotations

import array
import contextlib
import math
import os
import sys
import tempfile
import wave
import zlib
from pathlib import Path

RATE = 22050  # Hz: plenty for chimes under 1 kHz, and small files
AMPLITUDE = 0.45  # of full scale: clear on a small speaker, far from clipping
FADE_MS = 8  # in and out of every note, so notes start and stop without a click
REST = 0.0  # a "frequency" that is silence

Note = tuple[float, int]  # (frequency in Hz, duration in ms)

C4, E4, G4, A3, G3, E3, B3 = 261.63, 329.63, 392.00, 220.00, 196.00, 164.81, 246.94
C5, D5, E5, F5, G5, A5 = 523.25, 587.33, 659.26, 698.46, 783.99, 880.00

# One tune per answer, and one family of sound per family of colour (kiosk.signs): the tap
# counted — bright notes around C5; a question — one middle note twice; the tap did not
# count — low notes, each answer with its own rhythm.
# "Lang zal ze leven" opens C C·C C G, down a fourth on "-ven": a beat is 300 ms here.
TUNES: dict[str, tuple[Note, ...]] = {
    "welcome": ((C5, 160), (G5, 160)),  # rising: you are in
    "forgot": ((C5, 160), (G5, 160), (REST, 90), (D5, 140)),  # in, and one more thing
    "goodbye": ((G5, 160), (C5, 160)),  # falling: you are out
    "ask": ((E5, 130), (REST, 70), (E5, 130)),  # twice the same: do you want to leave?
    # Three times the same, a step lower: which day will you not come?
    "absence": ((D5, 130), (REST, 70), (D5, 130), (REST, 70), (D5, 130)),
    "unknown": ((A3, 420),),  # one long low note: who is this?
    "inactive": ((A3, 220), (REST, 60), (E3, 380)),  # low, and lower: this badge may not
    "reader_problem": ((C4, 110), (B3, 110)) * 3,  # a low wobble: the reader is broken
    "error": ((G3, 110), (REST, 60), (G3, 110), (REST, 60), (G3, 110)),  # tap again
    "not_saved": ((A3, 250), (E4, 250), (A3, 250), (E4, 250)),  # a slow siren: go and tell
    "birthday": ((C5, 300), (C5, 225), (C5, 75), (C5, 300), (G4, 450)),
    # The recall check (issue 16): a soft question before the word is played — a middle
    # note, then up a fourth; and at any touch, right or wrong, one soft high note before
    # the word is played again (no buzz for a wrong touch: the check teaches).
    "recall": ((G4, 110), (C5, 170)),
    "touched": ((A5, 120),),
    "my_words": ((C5, 110), (E5, 110), (G5, 170)),  # up a chord: what you have learnt
}
# Played softer than the answers: a touch of the check is no event for the whole hall.
SOFT: dict[str, float] = {"touched": 0.26, "recall": 0.3}

NAMES: tuple[str, ...] = tuple(TUNES)


def length(name: str) -> float:
    """How long the named chime plays, in seconds."""
    return sum(ms for _, ms in TUNES[name]) / 1000


def samples(
    notes: tuple[Note, ...], rate: int = RATE, amplitude: float = AMPLITUDE
) -> array.array[int]:
    """The 16-bit samples of a tune: sine notes, each faded in and out."""
    out = array.array("h")
    peak = amplitude * 32767
    for freq, ms in notes:
        n = rate * ms // 1000
        fade = max(1, min(n // 2, rate * FADE_MS // 1000))
        for i in range(n):
            if freq == REST:
                out.append(0)
                continue
            envelope = min(1.0, i / fade, (n - 1 - i) / fade)
            out.append(round(peak * envelope * math.sin(2 * math.pi * freq * i / rate)))
    return out


def chime_file(name: str, cache_dir: Path) -> Path:
    """The WAV of the named chime in cache_dir, written on first use."""
    if name not in TUNES:
        raise KeyError(f"no chime called {name!r}; known: {', '.join(NAMES)}")
    # The tune is in the file name, so a changed tune is written anew, not played stale.
    notes, amplitude = TUNES[name], SOFT.get(name, AMPLITUDE)
    target = Path(cache_dir) / f"chime-{name}-{_tune_key(notes, amplitude):08x}.wav"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    os.close(fd)
    try:
        with wave.open(temp_name, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            data = samples(notes, amplitude=amplitude)
            if sys.byteorder == "big":  # WAV is little-endian
                data.byteswap()
            out.writeframes(data.tobytes())
        os.replace(temp_name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
    return target


def _tune_key(notes: tuple[Note, ...], amplitude: float = AMPLITUDE) -> int:
    """A checksum of a tune and how it is rendered, stable between runs (unlike hash())."""
    text = ";".join(f"{freq:.2f}/{ms}" for freq, ms in notes) + f"@{RATE}/{amplitude}/{FADE_MS}"
    return zlib.crc32(text.encode("ascii"))
