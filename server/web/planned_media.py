"""The planning forms' photo and recording: what a task or word form chooses, checked.

A new upload is checked and stored at once (server.administration.media and .voice), so
a form refused for another reason shows it again and it need not be chosen twice; a name
the form sends back must be one the server holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.datastructures import UploadFile

from server.administration import media, voice
from server.web.forms import text


def _upload(
    form: Any, names: tuple[str, ...] = ("photo_file", "photo_camera")
) -> UploadFile | None:
    """The file chosen or taken with the camera, if any (a browser sends an empty part
    for a file field left alone)."""
    for name in names:
        sent = form.get(name)
        if isinstance(sent, UploadFile) and (sent.filename or sent.size):
            return sent
    return None


def read_photo(engine: Any, form: Any, at: datetime) -> tuple[str, str | None]:
    """The photo the form chooses (a sha256, or "" for none) and what is wrong, if anything.

    A new upload is checked and stored at once; otherwise the one the form showed stays,
    unless "Foto weghalen" is ticked."""
    upload = _upload(form)
    if upload is not None:
        # One byte more than allowed is enough to know it is too big.
        sent = upload.file.read(media.MAX_UPLOAD_BYTES + 1)
        try:
            return media.store_photo(engine, media.prepare_photo(sent), at=at), None
        except media.MediaError as error:
            return text(form, "photo"), str(error)
    if text(form, "geen_foto"):
        return "", None
    kept = text(form, "photo")
    if kept and not media.exists(engine, kept):
        return "", "Deze foto is niet bewaard: kies hem opnieuw."
    return kept, None


def read_voice(engine: Any, form: Any, at: datetime) -> tuple[str, str | None]:
    """The recording the word form chooses (a sha256, or "" for none) and what is wrong.

    Recorded in the browser (static/voice.js puts the recording in the file field) or a
    file chosen; otherwise the one the form showed stays, unless "Opname weghalen"."""
    upload = _upload(form, ("voice_file",))
    if upload is not None:
        sent = upload.file.read(voice.MAX_UPLOAD_BYTES + 1)
        try:
            return media.store_photo(engine, voice.prepare_voice(sent), at=at), None
        except media.MediaError as error:
            return text(form, "voice"), str(error)
    if text(form, "geen_opname"):
        return "", None
    kept = text(form, "voice")
    if kept and not media.exists(engine, kept):
        return "", "Deze opname is niet bewaard: neem hem opnieuw op."
    return kept, None
