"""The door: tap → decision → durable journal record → feedback. Nothing is told before
the record is committed (design promise 1)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from hardware.badge import mask_uid
from hardware.feedback import Feedback, Signal
from kiosk.decide import (
    Decision,
    DoorRules,
    Outcome,
    Presence,
    Tap,
    confirm_leave,
    decide,
)
from sync.clock import Clock
from sync.journal import Journal
from sync.record import Record
from sync.roster import DoorData

log = logging.getLogger(__name__)

SIGNALS: dict[Outcome, Signal] = {
    Outcome.CHECK_IN: Signal.WELCOME,
    Outcome.FORGOT_CHECKOUT: Signal.WELCOME,
    Outcome.CHECK_OUT: Signal.GOODBYE,
    Outcome.TOO_SOON: Signal.ASK,
    Outcome.UNKNOWN_BADGE: Signal.UNKNOWN,
    Outcome.INACTIVE: Signal.UNKNOWN,
    Outcome.SUPERVISOR: Signal.WELCOME,
}


@dataclass(frozen=True)
class Answer:
    """What the door answers a tap with: the decision, and the record that makes it true."""

    decision: Decision
    record: Record


class DoorFailure(RuntimeError):
    """The tap could not be recorded; nobody was told anything but "error"."""


class Door:
    """Decides taps one at a time, from any thread, against the cached door data."""

    def __init__(
        self,
        *,
        journal: Journal,
        clock: Clock,
        feedback: Feedback,
        rules: DoorRules | None = None,
        on_answer: Callable[[Answer], None] | None = None,
    ) -> None:
        self.journal = journal
        self.clock = clock
        self.feedback = feedback
        self.rules = rules or DoorRules()
        self._on_answer = on_answer
        self._lock = threading.Lock()
        self.data = journal.door_data()
        self._data_stamp = self._stamp()
        self._data_version = journal.data_version()
        self.presence = Presence()
        today = clock.now().workshop_day()
        for record in journal.presence_records(today):
            self.presence.apply_record(record)

    def _stamp(self) -> object:
        info = self.journal.door_data_info()
        return (info["updated_at"], info["etag"]) if info else None

    def reload(self, data: DoorData | None = None) -> None:
        """Take new door data (from the journal's cache unless given)."""
        with self._lock:
            self.data = data if data is not None else self.journal.door_data()
            self._data_stamp = self._stamp()

    def _fresh_data(self) -> None:
        # The sync agent may have stored a new snapshot from another connection. SQLite's
        # data_version moves only when another connection committed, so most taps pay
        # one pragma, not a query.
        version = self.journal.data_version()
        if version == self._data_version:
            return
        self._data_version = version
        stamp = self._stamp()
        if stamp != self._data_stamp:
            self.data, self._data_stamp = self.journal.door_data(), stamp

    def tap(self, uid: str) -> Answer:
        """Decide one tap, commit it, then signal. Raises DoorFailure if not recorded."""
        with self._lock:
            self._fresh_data()
            tap = Tap(uid, self.clock.now())
            return self._commit(decide(tap, self.data, self.presence, self.rules))

    def confirm_leave(self, participant_id: str, uid: str) -> Answer | None:
        """ "Yes, I am leaving" after a too-soon answer (from the screen, later)."""
        with self._lock:
            participant = self.data.participants.get(participant_id)
            if participant is None:
                return None
            decision = confirm_leave(participant, self.presence, self.clock.now(), uid)
            return self._commit(decision) if decision else None

    def _commit(self, decision: Decision) -> Answer:
        try:
            record = self.journal.append(decision.entry())
        except Exception as error:
            # Not recorded means not decided: the participant sees an error and taps again.
            log.error("tap of badge %s not recorded: %s", mask_uid(decision.tap.uid), error)
            self.feedback.show(Signal.ERROR)
            raise DoorFailure(str(error)) from error
        self.presence.apply_record(record)
        self.feedback.show(SIGNALS[decision.outcome])
        log.info(
            "seq %d %s participant=%s badge=%s",
            record.seq,
            record.kind,
            record.participant_id or "-",
            mask_uid(decision.tap.uid),
        )
        answer = Answer(decision, record)
        if self._on_answer:
            self._on_answer(answer)
        return answer
