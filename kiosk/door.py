"""The door: tap → decision → durable journal record → feedback. Nothing is told before
the record is committed: promise 1 (docs/design.md)."""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from hardware.badge import ReaderHealth, mask_uid
from hardware.feedback import Feedback, Signal
from kiosk import phrase_fixes, questions, recall
from kiosk.decide import (
    Decision,
    DoorRules,
    Outcome,
    Tap,
    confirm_leave,
    decide,
    enrol,
    lunch,
    manual,
)
from kiosk.my_week import Week, WeekLog, marks_of, monday_of, next_agreed_days, week_of
from kiosk.questions import AfterTap, OwnSay
from kiosk.recall import RecallCheck
from kiosk.site_presence import Presence, SiteView
from sync.clock import Clock
from sync.disk import Reserve, WriteTrouble, trouble_of
from sync.journal import Journal
from sync.own_say import ABSENCE_ANNOUNCED
from sync.recall import KINDS as RECALL_KINDS
from sync.record import OPENS_SESSION, Record
from sync.roster import Badge, DoorData

log = logging.getLogger(__name__)

SIGNALS: dict[Outcome, Signal] = {
    Outcome.CHECK_IN: Signal.WELCOME,
    Outcome.FORGOT_CHECKOUT: Signal.WELCOME,
    Outcome.CHECK_OUT: Signal.GOODBYE,
    Outcome.TOO_SOON: Signal.ASK,
    Outcome.UNKNOWN_BADGE: Signal.UNKNOWN,
    Outcome.INACTIVE: Signal.UNKNOWN,
    Outcome.SUPERVISOR: Signal.WELCOME,
    Outcome.MANUAL_CHECK_IN: Signal.WELCOME,
    Outcome.MANUAL_CHECK_OUT: Signal.GOODBYE,
    Outcome.BADGE_ENROLLED: Signal.WELCOME,
}


# Taps whose answer may show the participant's week (their own tap, not a supervisor's).
SHOWS_WEEK = frozenset({Outcome.CHECK_IN, Outcome.FORGOT_CHECKOUT, Outcome.CHECK_OUT})
# How far back the door folds its journal for "my week": this week's check-ins, and the
# absences announced for days still to come (up to five agreed days ahead).
ANNOUNCED_AHEAD = timedelta(days=35)
# How far back the door looks for its own recall answers the server may not know yet.
RECALL_UNSYNCED = timedelta(days=120)


@dataclass(frozen=True)
class Answer:
    """What the door answers a tap with: the decision, and the record that makes it true;
    for a participant's own tap, their week (if the site shows it) and the question the
    door puts after it (kiosk.questions); for their own check-out, the recall check of a
    word they have met (kiosk.recall), shown after the goodbye and any question."""

    decision: Decision
    record: Record
    week: Week | None = None
    asked: AfterTap | None = None
    recall: RecallCheck | None = None


class DoorFailure(RuntimeError):
    """The tap could not be recorded; nobody was told anything but "error" or "not saved".

    trouble says why when tapping again cannot help (disk full, read-only journal): then
    the participant is sent to the supervisor, in their own language (lang)."""

    def __init__(
        self, message: str, *, decision: Decision, trouble: WriteTrouble | None = None
    ) -> None:
        super().__init__(message)
        self.decision = decision
        self.trouble = trouble

    @property
    def lang(self) -> str | None:
        who = self.decision.participant
        return who.language if who else None


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
        reserve: Reserve | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.journal = journal
        self.clock = clock
        self.feedback = feedback
        self.rules = rules or DoorRules()
        self._on_answer = on_answer
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        # Space kept for taps on the journal's disk (see sync.disk); given up when it fills.
        self.reserve = reserve
        self.reserve_released = False
        if reserve is not None:
            reserve.make()
        self.write_trouble: WriteTrouble | None = None  # why the last write failed, if it did
        self._failed_writes = 0
        self.data = self._with_enrolled(journal.door_data())
        self._data_stamp = self._stamp()
        self._data_version = journal.data_version()
        self.presence = Presence()
        self.site: SiteView | None = None
        self.own_say = OwnSay.from_site(journal.site())
        today = clock.now().workshop_day()
        for record in journal.presence_records(today):
            self.presence.apply_record(record)
        since = min(monday_of(today), today - ANNOUNCED_AHEAD)
        self.week_log = WeekLog.of(
            journal.of_kinds_since(OPENS_SESSION | {ABSENCE_ANNOUNCED}, since)
        )
        self.recall_answered, self.recall_right = self._recall_answers(today)
        self._merge_site()

    def _stamp(self) -> object:
        info = self.journal.door_data_info()
        return (info["updated_at"], info["etag"]) if info else None

    def reload(self, data: DoorData | None = None) -> None:
        """Take new door data (from the journal's cache unless given)."""
        with self._lock:
            self.data = self._with_enrolled(data if data is not None else self.journal.door_data())
            self._data_stamp = self._stamp()
            self._reread_recall()

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
            self.data, self._data_stamp = self._with_enrolled(self.journal.door_data()), stamp
            self.presence.forget_absent(set(self.data.participants))
            self.week_log.forget_absent(set(self.data.participants))
            self._reread_recall()  # a new plan knows the answers synced since
        self.own_say = OwnSay.from_site(self.journal.site())
        self._merge_site()

    def reader_health(self, health: ReaderHealth) -> None:
        """The reader's health changed. A dead reader is never silent: light and sound say
        so too; the journal keeps it for the sync agent's heartbeat (maybe another process)."""
        if health is ReaderHealth.ABSENT:
            self.feedback.show(Signal.ERROR)
        try:
            self.journal.set_reader_health(health.value)
        except sqlite3.Error as error:
            # Not a tap: nobody waits for an answer, but the door must not fall over.
            self._write_failed(error, "reader health")
            self.feedback.show(Signal.ERROR)
        else:
            self._wrote()

    def refresh(self) -> None:
        """Take what the sync agent stored since: door data, who is in at the site."""
        with self._lock:
            self._fresh_data()

    def _merge_site(self) -> None:
        stored = self.journal.site_presence()
        if stored is None:
            return
        try:
            site = SiteView.from_dict(stored)
        except (KeyError, TypeError, ValueError) as error:
            # The door decides from its own journal rather than from a view it cannot read.
            log.warning("site presence not usable: %s", error)
            return
        if self.site is not None and site.fetched_at == self.site.fetched_at:
            return
        self.site = site
        self.presence.merge_site(site, self._synced_at)

    def _synced_at(self, record_id: str) -> datetime | None:
        record = self.journal.get(record_id)
        # A record pruned from the journal was synced long ago.
        return record.synced_at if record else datetime.min.replace(tzinfo=UTC)

    def _with_enrolled(self, data: DoorData) -> DoorData:
        phrase_fixes.use(data.phrase_fixes)  # every load of door data passes here
        # A badge given at this door works at once, before the server sends it back.
        enrolled = [
            Badge(uid=r.badge_uid, holder="participant", holder_id=r.participant_id)
            for r in self.journal.of_kind(Outcome.BADGE_ENROLLED)
            if r.badge_uid and r.participant_id and r.participant_id in data.participants
        ]
        return data.with_badges(enrolled) if enrolled else data

    def tap(self, uid: str) -> Answer:
        """Decide one tap, commit it, then signal. Raises DoorFailure if not recorded."""
        with self._lock:
            self._fresh_data()
            tap = Tap(uid, self.clock.now())
            return self._commit(decide(tap, self.data, self.presence, self.rules))

    def confirm_leave(self, participant_id: str, uid: str) -> Answer | None:
        """ "Yes, I am leaving" after a too-soon answer (from the too-soon screen)."""
        with self._lock:
            participant = self.data.participants.get(participant_id)
            if participant is None:
                return None
            decision = confirm_leave(participant, self.presence, self.clock.now(), uid)
            return self._commit(decision) if decision else None

    def lunch(self, participant_id: str, *, eats: bool, answered: bool) -> Answer | None:
        """Record the answer to "Eet je mee?" (the default when nobody touched the screen)."""
        with self._lock:
            participant = self.data.participants.get(participant_id)
            if participant is None:
                return None
            return self._commit(lunch(participant, self.clock.now(), eats=eats, answered=answered))

    # -- what the participant says on screen (kiosk.questions) ------------------------------
    def leave_reason(self, asked: AfterTap, reason: str) -> Answer | None:
        """The answer to "Waarom ga je eerder weg?"."""
        with self._lock:
            who = self.data.participants.get(asked.participant_id)
            if who is None:
                return None
            return self._commit(questions.leave_reason(who, self.clock.now(), reason, asked))

    def checkout_estimate(self, asked: AfterTap, left_at: time | None) -> Answer | None:
        """The answer to "Hoe laat ging je weg op …?" (None: "weet ik niet")."""
        with self._lock:
            who = self.data.participants.get(asked.participant_id)
            if who is None:
                return None
            decision = questions.checkout_estimate(who, self.clock.now(), left_at, asked)
            return self._commit(decision)

    def announce_absence(self, participant_id: str, day: date, reason: str) -> Answer | None:
        """ "Ik kom niet op …" for one of the participant's next agreed days."""
        with self._lock:
            who = self.data.participants.get(participant_id)
            if who is None:
                return None
            return self._commit(questions.absence(who, self.clock.now(), day, reason))

    def answer_recall(
        self, check: RecallCheck, chosen: str | None, response_ms: int | None
    ) -> Answer | None:
        """The answer to the recall check: the key of the picture touched, or None when the
        time ran out or the next person tapped (skipped)."""
        with self._lock:
            who = self.data.participants.get(check.participant_id)
            if who is None:
                return None
            return self._commit(recall.answer(check, who, self.clock.now(), chosen, response_ms))

    def next_days(self, participant_id: str, count: int = 5) -> list[tuple[date, bool]]:
        """The participant's next agreed days, each with whether an absence is announced
        (or excused) for it already."""
        with self._lock:
            who = self.data.participants.get(participant_id)
            if who is None:
                return []
            today = self.clock.now().workshop_day()
            known = marks_of(who.id, self.week_log, self.site.days if self.site else None)
            return [
                (day, known.get(day) in ("announced", "excused"))
                for day in next_agreed_days(who, today, count)
            ]

    def by_hand(self, outcome: Outcome, participant_id: str, supervisor_id: str) -> Answer | None:
        """A supervisor checks a participant in or out by hand; None if nothing changed."""
        with self._lock:
            participant = self.data.participants.get(participant_id)
            supervisor = self.data.supervisors.get(supervisor_id)
            if participant is None or supervisor is None:
                return None
            decision = manual(outcome, participant, supervisor, self.presence, self.clock.now())
            return self._commit(decision) if decision else None

    def close_day(self, supervisor_id: str) -> list[Answer]:
        """Check out everyone still inside, by the supervisor's hand, at closing."""
        with self._lock:
            supervisor = self.data.supervisors.get(supervisor_id)
            if supervisor is None:
                return []
            answers = []
            for pid in self.presence.inside():
                participant = self.data.participants.get(pid)
                if participant is None:
                    continue
                decision = manual(
                    Outcome.MANUAL_CHECK_OUT,
                    participant,
                    supervisor,
                    self.presence,
                    self.clock.now(),
                    closing=True,
                )
                if decision:
                    answers.append(self._commit(decision))
            return answers

    def enrol(self, uid: str, participant_id: str, supervisor_id: str) -> Answer:
        """Give badge `uid` to a participant; raises BadgeTaken, KeyError or DoorFailure."""
        with self._lock:
            participant = self.data.participants[participant_id]
            supervisor = self.data.supervisors[supervisor_id]
            decision = enrol(uid, participant, supervisor, self.data, self.clock.now())
            answer = self._commit(decision)
            self.data = self.data.with_badges([Badge(uid, "participant", participant_id)])
            return answer

    def _commit(self, decision: Decision) -> Answer:
        try:
            record = self._append(decision)
        except Exception as error:
            # Not recorded means not decided. A passing failure: tap again. One that will
            # not pass (disk full, read-only): tapping again fails again, go to the supervisor.
            trouble = self._write_failed(error, f"tap of badge {mask_uid(decision.tap.uid)}")
            self.feedback.show(Signal.NOT_SAVED if trouble else Signal.ERROR)
            raise DoorFailure(str(error), decision=decision, trouble=trouble) from error
        self._wrote()
        self.presence.apply_record(record)
        self.week_log.apply_record(record)
        if record.kind in RECALL_KINDS and record.participant_id:
            self.recall_answered.setdefault(record.participant_id, set()).add(
                str(record.detail.get("word"))
            )
            recall.mark(self.recall_right, record.participant_id, record.detail)
        signal = SIGNALS.get(decision.outcome)  # a lunch answer has no light or sound
        if signal is not None:
            self.feedback.show(signal)
        log.info(
            "seq %d %s participant=%s badge=%s",
            record.seq,
            record.kind,
            record.participant_id or "-",
            mask_uid(decision.tap.uid),
        )
        answer = self._with_own_say(Answer(decision, record))
        if self._on_answer:
            self._on_answer(answer)
        return answer

    def _with_own_say(self, answer: Answer) -> Answer:
        """A participant's own tap: their week, and the question put after it."""
        decision, who = answer.decision, answer.decision.participant
        if who is None or decision.outcome not in SHOWS_WEEK:
            return answer
        week = None
        if self.own_say.my_week:
            days = self.site.days if self.site else None
            week = week_of(who, decision.tap.at.workshop_day(), self.week_log, days)
        asked = questions.asked_after(decision, answer.record.id, self.own_say)
        check = None
        if decision.outcome is Outcome.CHECK_OUT:  # never at check-in: no rush at leaving
            answered = self.recall_answered.get(who.id, set())
            check = recall.pick_check(who.id, self.data, answered, self._rng)
        return replace(answer, week=week, asked=asked, recall=check)

    def _recall_answers(self, today: date) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """The words answered at this door that the plan may not know yet, and of them
        those last answered right (one read of the journal)."""
        since = today - RECALL_UNSYNCED
        records = self.journal.of_kinds_since(RECALL_KINDS, since)
        return recall.answered_keys(records, today), recall.right_keys(records, today)

    def _reread_recall(self) -> None:
        today = self.clock.now().workshop_day()
        self.recall_answered, self.recall_right = self._recall_answers(today)

    def words_right(self, participant_id: str) -> set[str]:
        """The words this participant last answered right at this door, since the plan."""
        with self._lock:
            return set(self.recall_right.get(participant_id, ()))

    def _append(self, decision: Decision) -> Record:
        entry = decision.entry()
        try:
            return self.journal.append(entry)
        except sqlite3.Error as error:
            full = trouble_of(error) is WriteTrouble.DISK_FULL
            if not (full and self.reserve is not None and self.reserve.release()):
                raise
        self.reserve_released = True
        log.warning("the disk is full: the journal's reserve is given to the taps; "
                    "free some space on the kiosk")  # fmt: skip
        return self.journal.append(entry)

    def _write_failed(self, error: Exception, what: str) -> WriteTrouble | None:
        """Say once why the journal cannot be written, not once per tap."""
        trouble = trouble_of(error)
        self._failed_writes += 1
        if self._failed_writes == 1 or trouble != self.write_trouble:
            log.error("%s not recorded: the journal cannot be written (%s): %s",
                      what, trouble or "passing", error)  # fmt: skip
        else:
            log.debug("%s not recorded: %s", what, error)
        self.write_trouble = trouble
        return trouble

    def _wrote(self) -> None:
        if self._failed_writes:
            log.warning("the journal is written again, after %d failed writes",
                        self._failed_writes)  # fmt: skip
            self._failed_writes, self.write_trouble = 0, None
        if self.reserve_released and self.reserve is not None and self.reserve.make():
            log.info("the journal's reserve is held again")
            self.reserve_released = False
