"""The workshop's own photos of words and tasks: checked, cleaned, scaled and kept by hash.

A supervisor's upload (or a phone's camera) is never stored as sent. Pillow must read it as
an image of a sensible size; its pixels alone are written again — EXIF, GPS, camera and
comments stay behind — turned the way the camera held it, and scaled to what a door draws
(the word card's picture is 120 dp, a task's 64 dp: 480 px is sharp on any door screen).

Photos are kept in the database (table `media`), named by the sha256 of the stored bytes:
the database is what the server's backup holds, a plan row and its photo commit together,
and after scaling a photo is some tens of kB, which PostgreSQL and SQLite keep easily. The
same photo uploaded twice is stored once; a name is a promise the bytes never change,
so a kiosk fetches each one once and caches it for ever (GET /api/v1/media/{sha256}).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Connection, Engine, select

from server.db import writing
from server.schema import media

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a phone's photo is 2–6 MB; more is no photo of ours
MAX_PIXELS = 50_000_000  # 50 megapixels: any phone camera; more is a decompression bomb
MAX_SIDE = 480  # px, the longest side as stored (see the module's docstring)
JPEG_QUALITY = 85
SHA256 = re.compile(r"^[0-9a-f]{64}$")

TOO_BIG = "Deze foto is groter dan 10 MB: kies een kleinere foto."
NOT_AN_IMAGE = "Dit bestand is geen foto: kies een JPEG- of PNG-foto."
TOO_MANY_PIXELS = "Deze foto heeft te veel beeldpunten: kies een gewone foto van een telefoon."


class MediaError(Exception):
    """An upload that is not stored; the message is Dutch, for the planning page."""


@dataclass(frozen=True)
class Photo:
    """A photo as stored: its bytes, their type and their sha256."""

    content: bytes
    content_type: str  # image/jpeg, or image/png for a picture with transparency
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def prepare_photo(sent: bytes) -> Photo:
    """The photo to store for an upload, or MediaError (Dutch) saying why there is none."""
    if len(sent) > MAX_UPLOAD_BYTES:
        raise MediaError(TOO_BIG)
    if not sent:
        raise MediaError(NOT_AN_IMAGE)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(sent))
            if image.width * image.height > MAX_PIXELS:
                raise MediaError(TOO_MANY_PIXELS)
            image.load()  # type: ignore[no-untyped-call]  # every pixel: a cut-off file fails
            upright = ImageOps.exif_transpose(image) or image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise MediaError(NOT_AN_IMAGE) from None
    return _encoded(upright)


def _encoded(image: Image.Image) -> Photo:
    """Only the pixels, scaled down, in a new file: no metadata survives."""
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    pixels = image.convert("RGBA" if transparent else "RGB")
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image of the pixels alone: no info, no EXIF, no ICC profile to carry along.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if transparent:
        clean.save(out, format="PNG", optimize=True)
        kind = "image/png"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        kind = "image/jpeg"
    return Photo(out.getvalue(), kind, clean.width, clean.height)


class Stored(Protocol):
    """A photo, or a recording (server.administration.voice): bytes named by their hash."""

    @property
    def content(self) -> bytes: ...
    @property
    def content_type(self) -> str: ...
    @property
    def sha256(self) -> str: ...


def store_photo(engine: Engine, photo: Stored, *, at: datetime) -> str:
    """Keep `photo` (or a recording; once, however often it is sent); its sha256."""
    name = photo.sha256
    with writing(engine) as conn:
        if not _exists(conn, name):
            conn.execute(
                media.insert().values(
                    sha256=name,
                    content_type=photo.content_type,
                    size_bytes=len(photo.content),
                    content=photo.content,
                    created_at=at,
                )
            )
    return name


def exists(engine: Engine, sha256: str) -> bool:
    """True when a photo of this name is stored (a form sends back the one it showed)."""
    if not SHA256.match(sha256):
        return False
    with engine.connect() as conn:
        return _exists(conn, sha256)


def _exists(conn: Connection, sha256: str) -> bool:
    return conn.execute(select(media.c.sha256).where(media.c.sha256 == sha256)).first() is not None


def read(conn: Connection, sha256: str) -> tuple[bytes, str] | None:
    """The stored bytes and their type, or None."""
    if not SHA256.match(sha256):
        return None
    row = conn.execute(
        select(media.c.content, media.c.content_type).where(media.c.sha256 == sha256)
    ).first()
    return (bytes(row.content), row.content_type) if row else None


def photo_bytes(engine: Engine, sha256: str) -> tuple[bytes, str] | None:
    """read() on a connection of its own, for the planning page."""
    with engine.connect() as conn:
        return read(conn, sha256)
