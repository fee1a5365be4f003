"""Device cookies: how the server knows a browser a staff member logged in on before.

A successful login leaves `__Host-prikklok-device` in the browser: for each username that
logged in there (the last few), a random nonce, the day it was issued and an HMAC-SHA256
over the username, nonce and day. The username itself is not in the cookie: a login checks
each entry against the name typed. A valid entry lets that browser past the failures others
made for the same username (`server/administration/login_limits.py`); it grants no access by itself.

The signing key is made by the server at the first login that needs it and kept in
`server_secrets` (server.administration.server_secrets), so every worker signs and checks
alike and the repository holds none. Deleting that row makes every device cookie
worthless (the browsers are then treated as new).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from server.administration.server_secrets import server_secret
from server.deps import EngineDep

DEVICE_COOKIE = "__Host-prikklok-device"
LASTS = timedelta(days=180)  # a browser unused for half a year is a stranger again
KEEP = 4  # usernames remembered per browser: a shared office computer
SECRET_NAME = "device-cookie-key"


def device_key(engine: EngineDep, now: datetime) -> bytes:
    """The signing key, made once (server.administration.server_secrets)."""
    return server_secret(engine, SECRET_NAME, now)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signature(key: bytes, username: str, nonce: str, issued: int) -> str:
    message = f"{username}\n{nonce}\n{issued}".encode()
    return _b64(hmac.new(key, message, hashlib.sha256).digest())


def _entries(cookie: str | None) -> list[str]:
    return [entry for entry in (cookie or "").split("~") if entry][: KEEP * 2]


def _valid_nonce(key: bytes, entry: str, username: str, now: datetime) -> str | None:
    try:
        nonce, issued_text, signature = entry.split(".")
        issued = int(issued_text)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _signature(key, username, nonce, issued)):
        return None
    if now.timestamp() - issued > LASTS.total_seconds():
        return None
    return nonce


def known_device(key: bytes, cookie: str | None, username: str, now: datetime) -> str | None:
    """The nonce of this browser's entry for `username` (normalised), or None."""
    for entry in _entries(cookie):
        nonce = _valid_nonce(key, entry, username, now)
        if nonce is not None:
            return nonce
    return None


def remember_device(key: bytes, cookie: str | None, username: str, now: datetime) -> str:
    """The cookie after `username` logged in here: a fresh entry first, this name's old one
    dropped, the other names' kept (at most `KEEP` in all)."""
    nonce, issued = _b64(secrets.token_bytes(16)), int(now.timestamp())
    fresh = f"{nonce}.{issued}.{_signature(key, username, nonce, issued)}"
    others = [e for e in _entries(cookie) if _valid_nonce(key, e, username, now) is None]
    return "~".join([fresh, *others][:KEEP])
