"""The sync agent: one round (`sync_once`) and the thin loop that repeats it.

A round pushes what the journal holds for the server, pulls the snapshot when it changed,
and sends a heartbeat; last, it fetches the photos the plan names (sync.media), so a photo
never holds up a tap's record. The loop wakes on a timer or a nudge, backs off on failure (1 s
doubling to 5 min, full jitter), honours Retry-After and keeps its logs short. It never
holds a write transaction across a network call, so a tap never waits for it.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from sync.client import AuthError, RetryLater, ServerClient, SyncError
from sync.clock import Instant, SystemClock
from sync.disk import RESERVE_BYTES, Room, WriteTrouble, room, size_text, trouble_of
from sync.journal import Journal
from sync.log_outbox import WarningsOutbox
from sync.media import MediaCache, fetch_plan_photos
from sync.protocol import Heartbeat, UpgradeReport
from sync.push import SyncResult, push_pending
from sync.roster import DoorData, DoorDataError
from sync.upgrade import UpgradeFolder, report

log = logging.getLogger(__name__)


def sync_once(
    journal: Journal,
    client: ServerClient,
    *,
    now: Callable[[], Instant],
    batch_size: int = 200,
    app_version: str = "0",
    max_batches: int = 50,
    keep_free: int = RESERVE_BYTES,
    media: MediaCache | None = None,
    warnings: WarningsOutbox | None = None,
    upgrades: UpgradeFolder | None = None,
) -> SyncResult:
    """One round: push, pull if changed, heartbeat, re-push what the server lacks.

    Raises SyncError (or a subclass) when the server cannot be used; what was done
    before that is kept in the journal. A journal that cannot be written gets a round of
    its own: only the heartbeat, which tells the server why.
    """
    result = SyncResult()
    trouble = _write_trouble(journal)
    if trouble is not None:
        # Pushing would mark nothing as sent, and a snapshot could not be stored: the
        # heartbeat alone goes, so the Kiosks page says why this door stopped saving taps.
        client.heartbeat(_heartbeat(journal, now(), app_version, trouble))
        result.problems.append(f"the journal cannot be written ({trouble}); only the "
                               "heartbeat was sent")  # fmt: skip
        return result
    push_pending(journal, client, now, batch_size, max_batches, result)
    _pull(journal, client, result, keep_free)
    beat = _heartbeat(journal, now(), app_version)
    if warnings is not None:
        beat = beat.model_copy(update={"log_lines": warnings.to_send(lambda: _names(journal))})
    if upgrades is not None:
        beat = _upgrade_news(journal, upgrades, beat, app_version, result)
    answer = client.heartbeat(beat)
    if warnings is not None:
        warnings.answered(answer.takes_log_lines, beat.log_lines)
    if upgrades is not None:
        upgrades.server_takes = bool(answer.takes_upgrade)
    journal.note_contact(now().wall, clock_offset_seconds=answer.clock_offset_seconds)
    result.clock_offset_seconds = answer.clock_offset_seconds
    # Records held back since a restore go in this round, renumbered or not.
    resend = journal.unconfirmed_after() is not None
    if answer.missing_seqs:
        requeued, result.gaps = journal.requeue(answer.missing_seqs)
        result.requeued = len(requeued)
        resend = resend or bool(requeued)
    # After missing_seqs, which speak of the numbers the heartbeat reported.
    result.renumbered = journal.confirm_numbers(answer.highest_seq)
    if resend:
        push_pending(journal, client, now, batch_size, max_batches, result)
    _site_presence(journal, client, now, result)
    if media is not None:
        _photos(journal, client, media, now(), result)
    return result


def _photos(
    journal: Journal, client: ServerClient, media: MediaCache, moment: Instant, result: SyncResult
) -> None:
    """Last in the round: the records and the snapshot never wait for a photo."""
    try:
        done = fetch_plan_photos(media, journal.door_data(), client, moment)
    except OSError as error:
        result.problems.append(f"photo cache {media.folder} not usable: {error.strerror}")
        return
    result.photos_fetched = len(done.fetched)
    result.problems.extend(done.problems)


# -- upgrades without a visit (sync.upgrade) --------------------------------------------------


def _upgrade_news(
    journal: Journal,
    upgrades: UpgradeFolder,
    beat: Heartbeat,
    app_version: str,
    result: SyncResult,
) -> Heartbeat:
    """Keep the site's wanted version for the installer; tell a server that takes it how
    the upgrade went."""
    try:
        wanted = upgrades.note_wanted(journal.site())
    except OSError as error:
        result.problems.append(f"upgrade folder {upgrades.folder} not usable: {error.strerror}")
        return beat
    said = report(wanted, app_version, upgrades.status())
    if said is None or not upgrades.server_takes:
        return beat
    return beat.model_copy(update={"upgrade": UpgradeReport(**said)})


# -----------------------------------------------------------------------------------------------


def _site_presence(
    journal: Journal, client: ServerClient, now: Callable[[], Instant], result: SyncResult
) -> None:
    # After the push: the server has this door's taps before it says who is in.
    try:
        answer = client.presence()
    except (AuthError, RetryLater):
        raise
    except SyncError as error:
        # The door still knows its own taps; other doors' only when this works again.
        result.problems.append(f"site presence not read: {error}")
        return
    # fetched_at is on the kiosk's clock, like the records' synced_at it is compared with.
    journal.store_site_presence(
        {**answer.model_dump(mode="json"), "fetched_at": now().wall.isoformat()}
    )


def _names(journal: Journal) -> list[str]:
    """Whose names a log line must not carry off the Pi: everyone the door knows."""
    data = journal.door_data()
    names = [person.display_name for person in data.participants.values()]
    return names + [person.display_name for person in data.supervisors.values()]


def _write_trouble(journal: Journal) -> WriteTrouble | None:
    """Why the journal cannot be written (one small write, as a tap would make); None: it
    can, or the failure passes (busy: the door was writing), and the round goes on."""
    try:
        journal.check_writable()
    except sqlite3.Error as error:
        return trouble_of(error)
    return None


def _pull(journal: Journal, client: ServerClient, result: SyncResult, keep_free: int) -> None:
    pulled = client.pull(journal.door_data_etag())
    if pulled is None:
        return
    try:
        data = DoorData.from_dict(pulled.snapshot.door_data_dict())
    except DoorDataError as error:
        # The door keeps deciding from the cache it has; the server must be fixed.
        result.problems.append(f"snapshot not usable, cache kept: {error}")
        return
    # The taps need the disk more than a newer roster does: a snapshot that would leave
    # less than keep_free is not stored (sync.disk explains the reserve).
    size = len(pulled.snapshot.model_dump_json())
    space = _room(journal)
    # The new copy, its pages in the write-ahead log, and the old copy until it is freed.
    if space is not None and space.free_bytes - 3 * size < keep_free:
        result.problems.append(
            f"snapshot not stored, cache kept: the disk has {size_text(space.free_bytes)} "
            f"free and the taps keep {size_text(keep_free)}"
        )
        return
    try:
        journal.store_door_data(data, source=f"server {client.host}", etag=pulled.etag)
    except sqlite3.Error as error:
        if trouble_of(error) is not WriteTrouble.DISK_FULL:
            raise
        result.problems.append("snapshot not stored, cache kept: the disk is full")
        return
    journal.store_site(pulled.snapshot.site.model_dump(mode="json"))
    result.pulled = True
    # Someone erased on the server leaves this kiosk too: promise 6 (docs/design.md).
    result.forgotten = journal.forget_absent(set(data.participants))


def _room(journal: Journal) -> Room | None:
    try:
        return room(journal.path)
    except OSError:
        return None


def _heartbeat(
    journal: Journal, moment: Instant, app_version: str, trouble: WriteTrouble | None = None
) -> Heartbeat:
    status = journal.sync_status()
    space = _room(journal)
    return Heartbeat(
        queue_depth=status.queue_depth,
        oldest_unsynced_at=status.oldest_unsynced_at,
        last_tap_at=status.last_tap_at,
        last_seq=status.last_seq,
        reader_health=status.reader_health,  # type: ignore[arg-type]
        app_version=app_version,
        boot_id=moment.boot_id,
        monotonic=moment.monotonic,
        wall_at=moment.wall,
        clock_synced=moment.synchronised,
        disk_free_bytes=space.free_bytes if space else None,
        disk_total_bytes=space.total_bytes if space else None,
        journal_trouble=trouble.value if trouble else None,
    )


class Backoff:
    """Delays after failures: 1 s doubling to 5 min, with full jitter."""

    def __init__(
        self,
        *,
        base: float = 1.0,
        cap: float = 300.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.base, self.cap, self._rand = base, cap, rand
        self.failures = 0

    def ceiling(self) -> float:
        return min(self.cap, self.base * 2.0 ** max(self.failures - 1, 0))

    def failed(self) -> float:
        """Count a failure; the seconds to wait before the next try."""
        self.failures += 1
        # Full jitter: a fleet of kiosks coming back after an outage spreads out.
        return self._rand() * self.ceiling()

    def reset(self) -> None:
        self.failures = 0


class LogLimiter:
    """Lets one message per key through per period; counts the ones held back."""

    def __init__(self, period: float = 60.0, *, clock: Callable[[], float] = time.monotonic):
        self.period, self._clock = period, clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def log(self, logger: logging.Logger, level: int, key: str, message: str) -> None:
        at = self._clock()
        last = self._last.get(key)
        if last is not None and at - last < self.period:
            self._held[key] = self._held.get(key, 0) + 1
            return
        held = self._held.pop(key, 0)
        self._last[key] = at
        logger.log(level, "%s%s", message, f" ({held} more like it)" if held else "")


class SyncAgent:
    """Runs sync rounds on its own thread (or process) and its own journal connection."""

    def __init__(
        self,
        journal: Journal,
        client: ServerClient,
        *,
        now: Callable[[], Instant] | None = None,
        interval: float = 30.0,
        batch_size: int = 200,
        app_version: str = "0",
        prune_after: timedelta = timedelta(days=30),
        retention: timedelta = timedelta(days=365),
        prune_every: float = 3600.0,
        poll: float = 1.0,
        backoff: Backoff | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        logger: logging.Logger = log,
        media: MediaCache | None = None,
        warnings: WarningsOutbox | None = None,
        upgrades: UpgradeFolder | None = None,
    ) -> None:
        self.journal, self.client = journal, client
        self.media = media
        self.warnings = warnings
        self.upgrades = upgrades
        self.now = now or SystemClock().now
        self.interval, self.batch_size, self.app_version = interval, batch_size, app_version
        self.prune_after, self.prune_every, self.poll = prune_after, prune_every, poll
        self.retention = retention
        self.backoff = backoff or Backoff()
        self._monotonic = monotonic
        self._log = logger
        self._limiter = LogLimiter(clock=monotonic)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._last_prune: float | None = None
        self._round_seq: int | None = None  # the journal's last seq when a round began
        self._flush = False
        self.rounds = 0

    def nudge(self) -> None:
        """A tap was recorded: sync soon (at once, unless backing off). Any thread."""
        self._wake.set()

    def stop(self, *, flush: bool = False) -> None:
        """End the loop; with flush, after one last round unless the server is away."""
        self._flush = flush
        self._stop.set()
        self._wake.set()

    def run(self, stop: threading.Event | None = None) -> None:
        """Sync until stop is set (or stop() is called)."""
        stop = stop or self._stop
        self._log.info("sync agent started: %s every %g s", self.client.host, self.interval)
        while not (stop.is_set() or self._stop.is_set()):
            try:
                delay = self.step()
            except Exception as error:  # a bug must not end the thread silently
                self._limiter.log(self._log, logging.ERROR, f"bug:{error!r}",
                                  f"sync round crashed: {error!r}")  # fmt: skip
                delay = self.backoff.failed()
            self._wait(delay, stop, wake_early=self.backoff.failures == 0)
        if self._flush and self.backoff.failures == 0:
            # The last taps before a stop should not wait for the next start; skipped
            # while the server is away, so stopping never hangs on the network.
            self.step()
        self._log.info("sync agent stopped")

    def step(self) -> float:
        """One round with its logging and pruning; the seconds to wait before the next."""
        self.rounds += 1
        # A tap that lands while the round is under way (after its push) must still wake
        # the wait that follows, so the wait compares with the number from before the round.
        self._round_seq = self.journal.last_seq()
        self._prune_if_due()
        try:
            result = sync_once(
                self.journal,
                self.client,
                now=self.now,
                batch_size=self.batch_size,
                app_version=self.app_version,
                media=self.media,
                warnings=self.warnings,
                upgrades=self.upgrades,
            )
        except RetryLater as error:
            self._failed(error)
            return max(error.seconds, self.backoff.failed())
        except (SyncError, sqlite3.Error) as error:
            self._failed(error)
            return self.backoff.failed()
        if self.backoff.failures:
            self._log.info("sync recovered after %d failed rounds", self.backoff.failures)
            self.backoff.reset()
        self._report(result)
        return 0.0 if result.more else self.interval

    def _failed(self, error: Exception) -> None:
        text = str(error) or type(error).__name__
        self._limiter.log(self._log, logging.WARNING, text, f"sync failed: {text}")

    def _report(self, result: SyncResult) -> None:
        if result.pushed or result.pulled or result.requeued or result.photos_fetched:
            self._log.info(
                "synced: %d pushed (%d accepted, %d duplicate), %d set aside, %d sent again%s%s",
                result.pushed, result.accepted, result.duplicate, result.rejected,
                result.requeued, ", new snapshot" if result.pulled else "",
                f", {result.photos_fetched} photos" if result.photos_fetched else "",
            )  # fmt: skip
        if result.rejected:
            self._log.warning("%d records set aside: they wait for a supervisor", result.rejected)
        if result.renumbered:
            moved = result.renumbered
            self._log.warning(
                "the server holds later sequence numbers than this journal (restored from a "
                "backup?): counter moved from %d to %d, %d records renumbered past them",
                moved.last_before, moved.last_after, moved.records,
            )  # fmt: skip
        if result.gaps:
            self._limiter.log(self._log, logging.WARNING, "gaps",
                              f"the server lacks {len(result.gaps)} records this journal no "
                              f"longer holds (seq {_spans(result.gaps)})")  # fmt: skip
        for problem in result.problems:
            self._limiter.log(self._log, logging.WARNING, problem, problem)

    def _prune_if_due(self) -> None:
        at = self._monotonic()
        if self._last_prune is not None and at - self._last_prune < self.prune_every:
            return
        moment = self.now()
        if not moment.synchronised:
            # An unset clock could be years ahead and prune everything: wait for NTP.
            return
        self._last_prune = at
        try:
            # Taps made while the clock was wrong are judged on their honest time (the
            # monotonic clock within this boot), never on a 1970 wall time.
            self.journal.settle_times(moment)
            pruned = self.journal.prune(moment.wall - self.prune_after)
            expired = self.journal.expire(moment.wall - self.retention)
        except sqlite3.Error as error:
            self._limiter.log(self._log, logging.WARNING, "prune", f"prune failed: {error}")
            return
        if pruned:
            self._log.info("pruned %d synced records older than %s", pruned, self.prune_after)
        if expired:
            self._log.info("%d sent records older than the retention period deleted", expired)

    def _wait(self, seconds: float, stop: threading.Event, *, wake_early: bool) -> None:
        """Sleep up to seconds; a nudge or a tap since the round began ends it early unless
        backing off."""
        deadline = self._monotonic() + seconds
        seen = self._round_seq if self._round_seq is not None else self.journal.last_seq()
        while not (stop.is_set() or self._stop.is_set()):
            left = deadline - self._monotonic()
            if left <= 0:
                return
            nudged = self._wake.wait(min(left, self.poll))
            if nudged:
                self._wake.clear()
            if not wake_early:
                continue
            # Another process (the kiosk) taps into the same file: a new sequence
            # number is the cheapest sign of it.
            if nudged or self.journal.last_seq() != seen:
                return


def _spans(seqs: Sequence[int]) -> str:
    """[1, 2, 3, 7] → '1-3, 7' (a long gap stays one short line)."""
    spans: list[str] = []
    ordered = sorted(seqs)
    start = prev = ordered[0]
    for seq in [*ordered[1:], None]:
        if seq is not None and seq == prev + 1:
            prev = seq
            continue
        spans.append(f"{start}-{prev}" if prev != start else str(start))
        if seq is not None:
            start = prev = seq
    return ", ".join(spans[:10]) + (", …" if len(spans) > 10 else "")
