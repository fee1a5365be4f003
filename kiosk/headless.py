"""The door without a screen: reads badges, decides, records, signals, and prints what
the screen would say. Also the way to run a kiosk over SSH when the display is broken."""

from __future__ import annotations

import json
import logging
import queue
import signal
import threading
import time as monotonic_time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any, TextIO

from hardware.badge import BadgeRead, BadgeReader, ReaderHealth
from hardware.feedback import Feedback
from kiosk import phrases as P
from kiosk.decide import DoorRules, Outcome
from kiosk.door import Answer, Door, DoorFailure
from kiosk.language import clock_time, dutch
from kiosk.notify import notify
from kiosk.own_views import with_own_say
from kiosk.recall import RecallCheck
from kiosk.supervision import lunch_count, present_list
from kiosk.transcript import recall_outcome, supervisor_transcript, transcript
from kiosk.views import error_view, not_saved_view, view_of
from kiosk.watchdog import PingPacer, arm
from kiosk.word_views import check_view
from sync.clock import Clock, SystemClock
from sync.disk import Reserve
from sync.journal import Journal
from sync.recall import CHECK_SECONDS
from sync.roster import DoorData, DoorDataError

log = logging.getLogger(__name__)

HEALTH_LINES = {
    ReaderHealth.OK: f"✔ {dutch(P.READER_STATUS, state=dutch(P.READER_OK))}",
    ReaderHealth.DEGRADED: f"! {dutch(P.READER_STATUS, state=dutch(P.READER_DEGRADED))}",
    ReaderHealth.ABSENT: f"⚠ {dutch(P.READER_PROBLEM)} {dutch(P.TELL_SUPERVISOR)}",
}


class StartupError(RuntimeError):
    """Start-up cannot go on; the message is one line for the admin."""


@dataclass(frozen=True)
class _Stop:
    reason: str


def _read_json(path: Path) -> Any:
    """A door-data file's JSON; errors name the file (and the line)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise StartupError(f"{path}: cannot read door data: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise StartupError(f"{path}, line {error.lineno}: not JSON: {error.msg}") from None


def load_site(path: Path) -> dict[str, Any] | None:
    """The site's settings a door-data file may carry (`"site"`, as the server's snapshot
    sends them: closing time, my week, the questions); None when it has none."""
    raw = _read_json(path)
    site = raw.get("site") if isinstance(raw, dict) else None
    if site is None:
        return None
    # Imported only for a file with a site: pydantic and the protocol's models cost a door
    # 19 MiB, and a door that syncs gets its site from the agent's snapshot, not a file.
    from pydantic import ValidationError

    from sync.protocol import SiteSettings

    try:
        return SiteSettings.model_validate(site).model_dump(mode="json")
    except ValidationError as error:
        raise StartupError(f"{path}: site: {error.errors()[0]['msg']}") from None


def load_door_data(path: Path) -> DoorData:
    """Read a door-data JSON file; errors name the file and the place inside it."""
    raw = _read_json(path)
    try:
        return DoorData.from_dict(raw)
    except DoorDataError as error:
        raise StartupError(f"{path}: {error}") from None


def rules_from(config: Any) -> DoorRules:
    """The door's rules from the [kiosk] and [screen] settings of a Config."""
    kiosk, screen = config["kiosk"], config["screen"]
    minutes = round(screen["lunch_until_hour"] * 60)
    return DoorRules(
        too_soon=timedelta(minutes=kiosk["too_soon_minutes"]),
        confirm_window=timedelta(seconds=kiosk["confirm_seconds"]),
        lunch_until=time(min(minutes // 60, 23), minutes % 60 if minutes < 24 * 60 else 59),
    )


class HeadlessDoor:
    """Runs a door on the main thread; reader threads only hand over reads."""

    def __init__(
        self,
        *,
        journal: Journal,
        reader: BadgeReader,
        feedback: Feedback,
        rules: DoorRules,
        out: TextIO,
        clock: Clock | None = None,
        on_answer: Callable[[Answer], None] | None = None,
        reserve: Reserve | None = None,
    ) -> None:
        self.journal = journal
        self.reader = reader
        self.feedback = feedback
        self.out = out
        # on_answer runs once a tap is durable, e.g. to wake the sync agent.
        self.door = Door(journal=journal, clock=clock or SystemClock(), feedback=feedback,
                         rules=rules, on_answer=on_answer, reserve=reserve)  # fmt: skip
        self._inbox: queue.Queue[BadgeRead | ReaderHealth | _Stop] = queue.Queue()
        # The recall check printed after a check-out, and when it ends (time.monotonic):
        # no touch here, so it ends skipped, after CHECK_SECONDS or at the next tap.
        self._check: tuple[RecallCheck, float] | None = None

    def stop(self, reason: str = "stop") -> None:
        """Ask the loop to end; safe from any thread and from signal handlers."""
        self._inbox.put(_Stop(reason))

    def say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def run(self, *, install_signals: bool = True) -> int:
        if install_signals and threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: self.stop("signal"))
        self.reader.start(self._inbox.put, self._inbox.put)
        present = len(self.door.presence.inside())
        ready = dutch(P.DOOR_READY, reader=self.reader.source, count=present)
        self.say(f"prikklok — {ready}")
        notify("READY=1")
        # systemd's watchdog pings come from this loop: a loop stuck in a tap falls silent.
        pings = PingPacer(arm(), lambda: notify("WATCHDOG=1"))
        try:
            while True:
                try:
                    item = self._inbox.get(timeout=self._wait(pings.wait()))
                except queue.Empty:
                    item = None
                pings.tick()
                if self._check is not None and monotonic_time.monotonic() >= self._check[1]:
                    self._end_check()
                if item is None:
                    continue
                if isinstance(item, _Stop):
                    break
                if isinstance(item, ReaderHealth):
                    self.door.reader_health(item)
                    self.say(HEALTH_LINES[item])
                    continue
                self._answer(item)
        finally:
            self.reader.close()
            self._end_check()
            self.feedback.close()
            self.journal.close()
            counts = self.reader.stats.snapshot()
            log.info("reader %s: %s", self.reader.source,
                     ", ".join(f"{n} {name}" for name, n in counts.items()))  # fmt: skip
        return 0

    def _answer(self, read: BadgeRead) -> None:
        try:
            answer = self.door.tap(read.uid)
        except DoorFailure as failure:
            trouble = failure.trouble
            view = (
                not_saved_view(trouble.value, failure.lang) if trouble else error_view(failure.lang)
            )
            self.say("\n".join(transcript(view)))
            return
        record, decision = answer.record, answer.decision
        if decision.outcome is Outcome.SUPERVISOR:
            assert decision.supervisor is not None
            lines = self._supervisor_lines(decision.supervisor.display_name)
        else:
            view = view_of(decision, self.door.data)
            if answer.week is not None:
                # Their week, as the screen shows it; no buttons here, so no question.
                view = with_own_say(view, answer.week, None)
            lines = transcript(view)
            if decision.outcome is Outcome.TOO_SOON:
                lines.append(f"  {dutch(P.TAP_AGAIN_TO_LEAVE)}")  # no buttons here
        self.say(f"[{clock_time(record.wall_at)} #{record.seq}] {lines[0]}")
        for line in lines[1:]:
            self.say(line)
        self._end_check()  # the last check ends at this tap, once its answer is out
        if answer.recall is not None:
            for line in transcript(check_view(answer.recall)):
                self.say(f"  {line}")
            self._check = (answer.recall, monotonic_time.monotonic() + CHECK_SECONDS)

    def _wait(self, ping_wait: float | None) -> float | None:
        """How long the loop may wait for a read: until the next ping, or the check's end."""
        if self._check is None:
            return ping_wait
        left = max(0.0, self._check[1] - monotonic_time.monotonic())
        return left if ping_wait is None else min(ping_wait, left)

    def _end_check(self) -> None:
        """The check printed last ends unanswered: nobody can touch a terminal's pictures."""
        if self._check is None:
            return
        check, self._check = self._check[0], None
        try:
            self.door.answer_recall(check, None, None)
        except DoorFailure:
            return  # the door logged why; the check is lost, never the taps
        self.say(recall_outcome(f"{check.word.article or ''} {check.word.word}".strip(), "skipped"))

    def _supervisor_lines(self, name: str) -> list[str]:
        """What supervisor mode would show: who is in and since when, whom to check in by
        hand, today's lunch count (no buttons here: the staff pages do the rest)."""
        door = self.door
        today = door.clock.now().workshop_day()
        rows = present_list(door.presence, door.data, today)
        inside = sum(1 for row in rows if row.inside)
        lunch = lunch_count(door.presence, door.site, today)
        counts = " · ".join(
            [dutch(P.PRESENT_COUNT, count=str(inside)), dutch(P.LUNCH_TODAY, count=str(lunch))]
        )
        return supervisor_transcript(f"{dutch(P.SUPERVISOR)}: {name}", counts, rows, [])
