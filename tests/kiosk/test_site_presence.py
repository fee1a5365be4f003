"""Folding the server's "who is in at this site" into a door's own presence: the other
doors' taps count, but this door's own newer records win until the server has them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.site_presence import SITE_RECORD, Presence, SiteView
from sync.clock import Instant

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def at(minutes: float) -> Instant:
    return Instant(T0 + timedelta(minutes=minutes), 1000 + minutes * 60, "boot-1", True)


def site(fetched: float, **inside: float) -> SiteView:
    people = {pid: T0 + timedelta(minutes=m) for pid, m in inside.items()}
    return SiteView(fetched_at=T0 + timedelta(minutes=fetched), inside=people)


def never(_record_id: str) -> datetime | None:
    return None


def acked_at(minutes: float):  # type: ignore[no-untyped-def]
    return lambda _record_id: T0 + timedelta(minutes=minutes)


def test_someone_in_at_another_door_is_inside_here() -> None:
    presence = Presence()
    presence.merge_site(site(30, amal=10), never)
    assert presence.inside() == ["amal"]
    assert presence.of("amal").open.record_id == SITE_RECORD  # type: ignore[union-attr]


def test_server_saying_out_closes_a_session_it_already_had() -> None:
    presence = Presence()
    presence.apply("check_in", "amal", "r1", at(10))
    presence.merge_site(site(30), acked_at(11))
    assert presence.inside() == []


def test_own_check_in_the_server_has_not_seen_stays_open() -> None:
    presence = Presence()
    presence.apply("check_in", "amal", "r1", at(10))
    presence.merge_site(site(30), never)  # not pushed yet
    assert presence.inside() == ["amal"]


def test_own_check_in_acknowledged_after_the_server_answered_stays_open() -> None:
    presence = Presence()
    presence.apply("check_in", "amal", "r1", at(10))
    presence.merge_site(site(30), acked_at(31))  # the answer predates the push
    assert presence.inside() == ["amal"]


def test_own_check_out_not_yet_pushed_wins_over_the_server() -> None:
    presence = Presence()
    presence.apply("check_in", "amal", "r1", at(10))
    presence.apply("check_out", "amal", "r2", at(20))
    presence.merge_site(site(30, amal=10), lambda rid: T0 if rid == "r1" else None)
    assert presence.inside() == []


def test_site_session_closes_when_the_server_no_longer_lists_it() -> None:
    presence = Presence()
    presence.merge_site(site(30, amal=10), never)
    presence.merge_site(site(40), never)
    assert presence.inside() == []
