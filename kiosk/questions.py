"""What the door asks a participant after their own tap, and the records their answers
make (issue 15; the record kinds and their details are sync.own_say's). Pure Python.

- "Waarom ga je eerder weg?" after a check-out at least the site's leave_reason_minutes
  before closing;
- "Hoe laat ging je weg op …?" at the first tap after a forgotten check-out;
- "Ik kom niet op …", a button after their tap, for one of their next agreed days.

No answer writes nothing: the next tap, or the time running out, ends a question at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from kiosk.decide import Decision, Outcome, Tap
from sync.clock import WORKSHOP_TZ, Instant
from sync.own_say import CHECKOUT_ESTIMATE, LEAVE_REASON, REASONS
from sync.roster import Participant


@dataclass(frozen=True)
class OwnSay:
    """The site's settings for what participants tell the door (sync.protocol.SiteSettings).
    A door without the site's settings (a door-data file) shows and asks nothing."""

    my_week: bool = False
    leave_reason_minutes: int | None = None
    usual_leaving_times: tuple[time, ...] = ()
    closes_at: time | None = None

    @classmethod
    def from_site(cls, site: dict[str, Any] | None) -> OwnSay:
        """From the settings the sync agent stored (sync.journal.Journal.site); the
        protocol's defaults where an older snapshot lacks a field."""
        if not site:
            return cls()
        minutes = site.get("leave_reason_minutes", 60)
        try:
            return cls(
                my_week=bool(site.get("my_week", True)),
                leave_reason_minutes=None if minutes is None else int(minutes),
                usual_leaving_times=tuple(
                    time.fromisoformat(t) for t in site.get("usual_leaving_times") or []
                ),
                closes_at=time.fromisoformat(site["closes_at"]) if "closes_at" in site else None,
            )
        except (TypeError, ValueError):
            return cls()  # settings this door cannot read: it asks nothing rather than guess


@dataclass(frozen=True)
class AfterTap:
    """A question put after a tap: which kind of record an answer makes, and what links
    it to the tap (the check-out, or the session left open and its day)."""

    kind: str  # sync.own_say.LEAVE_REASON or CHECKOUT_ESTIMATE
    participant_id: str
    link: dict[str, Any]
    times: tuple[time, ...] = ()  # for a check-out estimate: the buttons, earliest first
    day: date | None = None  # for a check-out estimate: the day left open


def leaving_early(decision: Decision, settings: OwnSay) -> bool:
    """A participant's own check-out at least leave_reason_minutes before closing."""
    minutes, closes = settings.leave_reason_minutes, settings.closes_at
    if decision.outcome is not Outcome.CHECK_OUT or minutes is None or closes is None:
        return False
    local = decision.tap.at.wall.astimezone(WORKSHOP_TZ)
    closing = datetime.combine(local.date(), closes, tzinfo=WORKSHOP_TZ)
    return closing - local >= timedelta(minutes=minutes)


def leaving_times(settings: OwnSay) -> tuple[time, ...]:
    """The buttons of "Hoe laat ging je weg?": the site's usual leaving times, else five
    reckoned back from closing: two hours, an hour and a half, an hour, half an hour, and
    closing itself."""
    if settings.usual_leaving_times:
        return tuple(sorted(settings.usual_leaving_times))
    closes = settings.closes_at or time(17, 0)
    base = datetime.combine(date(2000, 1, 3), closes)
    return tuple((base - timedelta(minutes=m)).time() for m in (120, 90, 60, 30, 0))


def asked_after(decision: Decision, record_id: str, settings: OwnSay) -> AfterTap | None:
    """The question the door puts after this decision's record, if any."""
    who = decision.participant
    if who is None:
        return None
    if decision.outcome is Outcome.FORGOT_CHECKOUT and decision.stale_day is not None:
        stale = decision.detail.get("stale_record_id")
        return AfterTap(
            CHECKOUT_ESTIMATE,
            who.id,
            {"stale_record_id": stale},
            times=leaving_times(settings),
            day=decision.stale_day,
        )
    if leaving_early(decision, settings):
        return AfterTap(LEAVE_REASON, who.id, {"check_out_record_id": record_id})
    return None


def leave_reason(participant: Participant, at: Instant, reason: str, asked: AfterTap) -> Decision:
    """The answer to "Waarom ga je eerder weg?"."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    detail = {"reason": reason, "check_out_record_id": asked.link["check_out_record_id"]}
    return Decision(Outcome.LEAVE_REASON, Tap("", at), participant=participant, detail=detail)


def checkout_estimate(
    participant: Participant, at: Instant, left_at: time | None, asked: AfterTap
) -> Decision:
    """The answer to "Hoe laat ging je weg op …?"; None for "weet ik niet"."""
    assert asked.day is not None
    detail = {
        "day": asked.day.isoformat(),
        "left_at": left_at.strftime("%H:%M") if left_at else None,
        "stale_record_id": asked.link.get("stale_record_id"),
    }
    return Decision(Outcome.CHECKOUT_ESTIMATE, Tap("", at), participant=participant, detail=detail)


def absence(participant: Participant, at: Instant, day: date, reason: str) -> Decision:
    """ "Ik kom niet op …": a later agreed day, with a reason category."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    if day <= at.workshop_day():
        raise ValueError("an absence is announced for a later day")
    detail = {"day": day.isoformat(), "reason": reason}
    return Decision(Outcome.ABSENCE_ANNOUNCED, Tap("", at), participant=participant, detail=detail)
