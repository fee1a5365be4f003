"""Photos as a phone makes them, for the media tests: EXIF with GPS and an orientation."""

from __future__ import annotations

import io

from PIL import ExifTags, Image

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 5.0, 30.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (4.0, 53.0, 10.0),
}


def phone_photo(width: int = 1200, height: int = 600, *, turned: bool = True) -> bytes:
    """A JPEG with a camera, a place and (turned) orientation 6: the camera was held upright
    and the pixels lie on their side. The left half is red, the right half blue."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phonemaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    if turned:
        exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update(GPS)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def bomb(side: int) -> bytes:
    """A PNG of side × side black pixels: some kB on the wire, hundreds of MB unpacked."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def tone_wav(*, silence: float = 1.0, sound: float = 1.5, loudness: float = 0.05) -> bytes:
    """A recording as a laptop makes one: silence, a 440 Hz tone (quiet: `loudness` of full
    scale), silence; 16 kHz mono."""
    import math
    import struct
    import wave

    rate = 16000
    quiet = [0] * int(silence * rate)
    tone = [
        int(loudness * 32767 * math.sin(2 * math.pi * 440 * n / rate))
        for n in range(int(sound * rate))
    ]
    frames = quiet + tone + quiet
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(struct.pack(f"<{len(frames)}h", *frames))
    return out.getvalue()
