"""Staff passwords (server/administration/passwords.py): long enough, not a common one and
not the username, and a stored hash matches only its own password."""

from __future__ import annotations

import pytest

from server.administration.passwords import (
    WeakPassword,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("kort-pw", "minstens 10"),
        ("x" * 257, "hoogstens 256"),
        ("password123", "te makkelijk"),  # on the list of common passwords
        ("Password123", "te makkelijk"),  # whatever its capitals
        ("ik-ben-marieke-2026", "te makkelijk"),  # holds the username
    ],
)
def test_a_weak_password_is_refused_with_its_reason(password: str, why: str) -> None:
    with pytest.raises(WeakPassword, match=why):
        check_strength(password, username="Marieke")


def test_a_long_uncommon_password_is_accepted() -> None:
    check_strength("groene-fiets-op-dinsdag", username="marieke")


def test_a_hash_matches_only_its_own_password() -> None:
    stored = hash_password("groene-fiets-op-dinsdag")
    assert verify_password(stored, "groene-fiets-op-dinsdag")
    assert not verify_password(stored, "groene-fiets-op-woensdag")
    assert not verify_password("not a hash", "groene-fiets-op-dinsdag")
    assert not needs_rehash(stored)


def test_an_account_without_a_password_never_matches() -> None:
    assert not verify_password(None, "")
    assert not verify_password("", "groene-fiets-op-dinsdag")
