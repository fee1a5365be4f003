"""A human voice for the word of the day: a supervisor's recording, checked and evened out.

The planning page records the word and its sentence in the browser (or takes a sound
file). What is stored is never the file as sent: ffmpeg must read it as sound of at most
15 s; its silence before and after is cut, its loudness brought to one level (EBU R128,
-16 LUFS, so every word sounds as loud at the door as the next), and it is written again
as a mono 16-bit WAV, the format the door's players play (kiosk.player). It is kept like
a photo (server.administration.media): in the `media` table, named by its sha256.

ffmpeg (Debian's package) runs as a child process with a time limit, reading from and
writing to pipes: no file of the supervisor's reaches the disk under a name they chose.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import wave
from dataclasses import dataclass

from server.administration.media import MediaError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SECONDS = 15.0
RATE = 22050  # Hz: speech, small files, played by aplay and SDL alike
RUN_SECONDS = 30  # ffmpeg on a 15 s clip takes well under a second

TOO_BIG = "Deze opname is groter dan 2 MB: neem een kortere op."
TOO_LONG = "Deze opname duurt langer dan 15 seconden: zeg alleen het woord en de zin."
NOT_SOUND = "Dit bestand is geen geluid: neem het woord op, of kies een geluidsbestand."
SILENT = "In deze opname is niets te horen: neem het woord opnieuw op."
NO_TOOL = "Opnames kunnen nu niet worden bewaard (ffmpeg ontbreekt op de server)."

# Cut silence (under -45 dB) at the start, then at the end (by reversing), and even out
# the loudness; 50 ms of silence stays at each end so the first sound is not clipped.
FILTERS = ",".join(
    [
        "silenceremove=start_periods=1:start_threshold=-45dB:start_silence=0.05",
        "areverse",
        "silenceremove=start_periods=1:start_threshold=-45dB:start_silence=0.05",
        "areverse",
        "loudnorm=I=-16:TP=-1.5:LRA=11",
    ]
)


@dataclass(frozen=True)
class Sound:
    """A recording as stored: a mono WAV, named by its sha256."""

    content: bytes
    content_type: str = "audio/wav"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def seconds(self) -> float:
        return (len(self.content) - 44) / 2 / RATE


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MediaError(NO_TOOL)
    return found


def duration(sent: bytes) -> float:
    """The length in seconds of the sound in `sent`, or MediaError (Dutch)."""
    try:
        probed = subprocess.run(
            [_tool("ffprobe"), "-v", "error", "-show_entries", "format=duration:stream=codec_type",
             "-of", "json", "-i", "pipe:0"],
            input=sent, capture_output=True, timeout=RUN_SECONDS, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise MediaError(NOT_SOUND) from None
    try:
        found = json.loads(probed.stdout or b"{}")
    except ValueError:
        raise MediaError(NOT_SOUND) from None
    kinds = {s.get("codec_type") for s in found.get("streams", [])}
    if probed.returncode != 0 or "audio" not in kinds:
        raise MediaError(NOT_SOUND)
    try:
        return float(found.get("format", {}).get("duration", "nan"))
    except ValueError:
        return float("nan")  # a recorder's WebM may not say: measured after decoding


def prepare_voice(sent: bytes) -> Sound:
    """The WAV to store for an upload, or MediaError (Dutch) saying why there is none."""
    if len(sent) > MAX_UPLOAD_BYTES:
        raise MediaError(TOO_BIG)
    if not sent:
        raise MediaError(NOT_SOUND)
    seconds = duration(sent)
    if seconds > MAX_SECONDS:
        raise MediaError(TOO_LONG)
    try:
        made = subprocess.run(
            [_tool("ffmpeg"), "-v", "error", "-nostdin", "-i", "pipe:0", "-t", str(MAX_SECONDS + 1),
             "-map_metadata", "-1", "-vn", "-af", FILTERS, "-ac", "1", "-ar", str(RATE),
             "-f", "s16le", "pipe:1"],
            input=sent, capture_output=True, timeout=RUN_SECONDS, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise MediaError(NOT_SOUND) from None
    if made.returncode != 0:
        raise MediaError(NOT_SOUND)
    frames = len(made.stdout) // 2
    if frames < RATE // 10:  # under 0.1 s of sound after the silence is cut
        raise MediaError(SILENT)
    if frames / RATE > MAX_SECONDS:  # a recording whose header did not say its length
        raise MediaError(TOO_LONG)
    return Sound(_wav(made.stdout))


def _wav(pcm: bytes) -> bytes:
    """Raw samples in a WAV of our own writing: the header's sizes right (ffmpeg on a pipe
    cannot go back to fill them in), and nothing else in the file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm)
    return out.getvalue()
