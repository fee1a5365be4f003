"""Staff passwords: Argon2id hashes, a minimum length and a list of common passwords.

The list is Django's `common-passwords.txt.gz` (20 000 passwords, BSD licence, from Royce
Williams' list), shipped as it is: a password on it is refused whatever its length.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256  # Argon2 takes any length; this only stops a megabyte "password"
_hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id with RFC 9106's low-memory profile


class WeakPassword(ValueError):
    """Why a password was refused, in one line for the person choosing it."""


@cache
def _common() -> frozenset[str]:
    data = resources.files("server.administration").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def check_strength(password: str, *, username: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"kies een wachtwoord van minstens {MIN_LENGTH} tekens")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"kies een wachtwoord van hoogstens {MAX_LENGTH} tekens")
    lowered = password.lower()
    if lowered in _common() or (username and username.lower() in lowered):
        raise WeakPassword("dit wachtwoord is te makkelijk te raden: kies een ander")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; an account without a hash never matches."""
    if not stored_hash:
        _hasher.hash(password)  # spend the same time, so a missing account is not told apart
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
