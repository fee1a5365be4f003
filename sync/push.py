"""Pushing the journal to the server, batch after batch, overlapped with the kiosk's work."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError

from sync.client import BatchRefused, ServerClient, SyncError
from sync.clock import Instant
from sync.journal import Journal, Renumbered
from sync.protocol import MAX_BATCH, PushRequest, RecordResult, WireRecord

UNANSWERED_RETRY = timedelta(minutes=1)  # a record the server left out of its answer
# Batches on their way at once: the server starts on the next while it answers the last.
IN_FLIGHT = 2


@dataclass
class SyncResult:
    """What one round did."""

    pushed: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0  # set aside: refused by the server, or unsendable
    requeued: int = 0  # sent again because the server said it lacks them
    gaps: list[int] = field(default_factory=list)  # lacked by the server, gone from here
    pulled: bool = False
    forgotten: int = 0  # records of participants the new snapshot no longer has
    clock_offset_seconds: float | None = None
    more: bool = False  # the round stopped at its batch limit; go again at once
    renumbered: Renumbered | None = None  # numbers moved past the server's (after a restore)
    photos_fetched: int = 0  # photos of the plan fetched into the door's cache (sync.media)
    problems: list[str] = field(default_factory=list)


def push_pending(
    journal: Journal,
    client: ServerClient,
    now: Callable[[], Instant],
    batch_size: int,
    max_batches: int,
    result: SyncResult,
) -> None:
    # Overlapped: while one batch is stored by the server the next is already on its way,
    # and the kiosk marks answers and reads the batch after meanwhile. A backlog of weeks
    # drains at the pace of the slower side, not of both added up. Answers are applied in
    # the order the batches went out, each only once it came back.
    limit = min(batch_size, MAX_BATCH)  # the protocol's cap
    with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="sync-push") as pool:
        flights: deque[_Flight] = deque()
        wire, wall = _next_batch(journal, now, limit, 0, result)
        sent = 0
        try:
            while wire or flights:
                if wire:
                    # The body is written here, not on the push thread, so writing it
                    # overlaps the batch before instead of lengthening this one's trip.
                    body = PushRequest.model_construct(records=wire).model_dump_json()
                    flights.append(_Flight(pool.submit(_send, client, wire, body), wire, wall))
                    sent += 1
                    wire = []
                    if sent < max_batches:
                        after = flights[-1].wire[-1].seq
                        wire, wall = _next_batch(journal, now, limit, after, result)
                if flights and (len(flights) == IN_FLIGHT or not wire):
                    _land(journal, now, flights.popleft(), result)
        except BaseException:
            # The answers of batches still on their way must not be lost: mark what comes
            # back, then fail.
            while flights:
                with contextlib.suppress(Exception):
                    _land(journal, now, flights.popleft(), result)
            raise
    result.more = bool(journal.pending(1, now=now().wall))


@dataclass(frozen=True)
class _Flight:
    """A batch on its way to the server."""

    answer: Future[tuple[list[RecordResult], list[tuple[WireRecord, BatchRefused]]]]
    wire: list[WireRecord]
    wall: datetime


def _land(
    journal: Journal, now: Callable[[], Instant], flight: _Flight, result: SyncResult
) -> None:
    """Wait for a batch's answer and apply it; a failed push is noted on its records."""
    try:
        results, refused = flight.answer.result()
    except SyncError as error:
        journal.note_failure([str(w.id) for w in flight.wire], str(error))
        raise
    _settle(journal, now, flight.wire, flight.wall, results, refused, result)


def _next_batch(
    journal: Journal, now: Callable[[], Instant], limit: int, after_seq: int, result: SyncResult
) -> tuple[list[WireRecord], datetime]:
    """The next batch after `after_seq`, as it goes on the wire (unsendable ones set aside)."""
    while True:
        wall = now().wall
        batch = journal.pending(limit, now=wall, after_seq=after_seq)
        if not batch:
            return [], wall
        try:
            return WireRecord.many(batch), wall
        except ValidationError:
            pass  # find the bad ones, one by one
        wire: list[WireRecord] = []
        for record in batch:
            try:
                wire.append(WireRecord.of(record))
            except ValidationError as error:
                # Cannot be sent as it is: set it aside rather than block the queue.
                where = ".".join(str(p) for p in error.errors()[0]["loc"])
                journal.set_aside(record.id, f"cannot be sent: bad {where}", now=wall)
                result.rejected += 1
        if wire:
            return wire, wall
        after_seq = batch[-1].seq


def _settle(
    journal: Journal,
    now: Callable[[], Instant],
    wire: list[WireRecord],
    wall: datetime,
    results: list[RecordResult],
    refused: list[tuple[WireRecord, BatchRefused]],
    result: SyncResult,
) -> None:
    """Apply the server's answer for one batch to the journal."""
    if refused and not (results or result.accepted or result.duplicate):
        # Nothing of ours is being taken: more likely a protocol mismatch than bad
        # records, so keep them and fail the round instead of setting all aside.
        journal.note_failure([str(w.id) for w in wire], str(refused[0][1]))
        raise refused[0][1]
    results = results + [
        RecordResult(id=w.id, seq=w.seq, status="rejected", reason=str(why)) for w, why in refused
    ]
    answered = {str(r.id) for r in results}
    # Only records the server answered for are marked: nothing is synced on hope.
    counts = journal.mark_results(results, now=now().wall)
    unanswered = [str(w.id) for w in wire if str(w.id) not in answered]
    if unanswered:
        journal.note_failure(
            unanswered, "the server did not answer for it", retry_at=wall + UNANSWERED_RETRY
        )
    result.pushed += len(wire)
    result.accepted += counts["accepted"]
    result.duplicate += counts["duplicate"]
    result.rejected += counts["rejected"]


def _send(
    client: ServerClient, records: Sequence[WireRecord], body: str | None = None
) -> tuple[list[RecordResult], list[tuple[WireRecord, BatchRefused]]]:
    """Push, halving a refused batch until the refused records stand alone."""
    try:
        return list(client.push(records, body=body).results), []
    except BatchRefused as refused:
        if len(records) == 1:
            return [], [(records[0], refused)]
        half = len(records) // 2
        first, first_refused = _send(client, records[:half])
        second, second_refused = _send(client, records[half:])
        return first + second, first_refused + second_refused
