"""Storing pushed records: idempotent on the record id, forever; one bad record fails alone."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import Connection, String, literal_column, select, union_all

from server.deps import Kiosk
from server.kiosks.boot_clock import BootTap
from server.kiosks.enrolment import enrol
from server.kiosks.honest_time import reckon_arrivals
from server.learning.answers import note_answers
from server.schema import MAX_COUNT, badges, events, participants, rejected_records, staff
from server.sql import id_list, insert_new, one_of, per_dialect
from sync.own_say import KINDS as OWN_SAY_KINDS
from sync.own_say import detail_problem
from sync.protocol import WIRE_FIELDS, WireRecord
from sync.recall import WORD_RECALL
from sync.recall import detail_problem as recall_problem

log = logging.getLogger(__name__)

CHANGED = "changed under a known id: the server keeps the first version"
OTHER_KIOSK = "id already used by another kiosk"
# What a kind means nothing without; a manual record is a supervisor acting for a participant.
NEEDS = {
    "manual_check_in": ("participant_id", "supervisor_id"),
    "manual_check_out": ("participant_id", "supervisor_id"),
    "badge_enrolled": ("badge_uid", "participant_id", "supervisor_id"),
    "lunch": ("participant_id",),
    # What a participant says at the door is theirs (sync.own_say): it names them.
    **{kind: ("participant_id",) for kind in sorted(OWN_SAY_KINDS)},
    WORD_RECALL: ("participant_id",),  # an answer to a recall check is the participant's
}


# Made once: json.dumps with options builds an encoder on every call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def content_hash(record: WireRecord, record_id: str | None = None) -> str:
    """sha256 of the record in canonical form: its values in field order, time in UTC."""
    # repr() quotes and escapes every text, so no two records share a canonical form;
    # built by hand because it runs for every record of every push.
    canonical = "\x1f".join(
        (
            record_id or str(record.id),
            str(record.seq),
            repr(record.kind),
            repr(record.participant_id),
            repr(record.supervisor_id),
            repr(record.badge_uid),
            record.wall_at.astimezone(UTC).isoformat(),
            record.workshop_day.isoformat(),
            repr(record.clock_synced),
            repr(record.boot_id),
            repr(record.monotonic),
            _CANONICAL.encode(record.detail) if record.detail else "{}",
        )
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


# The batch's lookups, each built once per database kind (server.sql.per_dialect).
_KNOWN_IDS = per_dialect(
    lambda dialect: select(events.c.id, events.c.kiosk_id, events.c.content_hash).where(
        one_of(dialect, events.c.id, "ids")
    )
)


def _tag(tag: str) -> Any:
    """A constant column saying which table a row of _REFERRED comes from."""
    return literal_column(tag, String)


# What a batch's records name and which site each belongs to, in one statement for
# participants, supervisors and badges alike: a round trip cost more CPU than the lookup
# in it (docs/benchmarks.md, server CPU per request).
_REFERRED = per_dialect(
    lambda dialect: union_all(
        select(_tag("'p'").label("what"), participants.c.id, participants.c.site_id)
        .where(one_of(dialect, participants.c.id, "pids")),
        select(_tag("'s'"), staff.c.id, staff.c.site_id)
        .where(one_of(dialect, staff.c.id, "sids"), staff.c.role == "supervisor"),
        select(_tag("'b'"), badges.c.uid, badges.c.site_id)
        .where(one_of(dialect, badges.c.uid, "uids")),
    )
)  # fmt: skip


@dataclass(frozen=True)
class Known:
    kiosk_id: str
    content_hash: str


@dataclass
class SiteCheck:
    """What the batch's records refer to, looked up once per batch."""

    site_id: str
    participant_sites: dict[str, str]
    supervisor_sites: dict[str, str | None]
    badge_sites: dict[str, set[str]]

    @classmethod
    def load(cls, conn: Connection, site_id: str, records: list[WireRecord]) -> SiteCheck:
        named = {
            "pids": {r.participant_id for r in records if r.participant_id},
            "sids": {r.supervisor_id for r in records if r.supervisor_id},
            "uids": {r.badge_uid for r in records if r.badge_uid},
        }
        check = cls(site_id, {}, {}, {})
        if not any(named.values()):
            return check
        values = {name: id_list(conn, ids) for name, ids in named.items()}
        for what, key, site in conn.execute(_REFERRED(conn), values):
            if what == "p":
                check.participant_sites[key] = site
            elif what == "s":
                check.supervisor_sites[key] = site
            else:
                check.badge_sites.setdefault(key, set()).add(site)
        return check

    def problem(self, record: WireRecord) -> str | None:
        """Why this record may not be stored for this site, or None."""
        missing = [name for name in NEEDS.get(record.kind, ()) if getattr(record, name) is None]
        if missing:
            return f"{record.kind} needs {' and '.join(missing)}"
        if record.kind == "lunch" and not isinstance(record.detail.get("eats"), bool):
            return "lunch needs detail.eats true or false"
        said = detail_problem(record.kind, record.detail, record.workshop_day) or recall_problem(
            record.kind, record.detail
        )
        if said is not None:
            return said
        if record.participant_id is not None:
            site = self.participant_sites.get(record.participant_id)
            if site is None:
                return UNKNOWN_PARTICIPANT
            if site != self.site_id:
                return "participant belongs to another site"
        if record.supervisor_id is not None:
            if record.supervisor_id not in self.supervisor_sites:
                return "unknown supervisor"
            site = self.supervisor_sites[record.supervisor_id]
            if site is not None and site != self.site_id:
                return "supervisor belongs to another site"
        sites = self.badge_sites.get(record.badge_uid or "")
        # A badge given at the door may have been another site's once; whether someone
        # holds it now is for the enrolment to find out (server.kiosks.enrolment).
        if sites and self.site_id not in sites and record.kind != "badge_enrolled":
            return "badge belongs to another site"
        return None


def ingest(
    conn: Connection, kiosk: Kiosk, records: list[WireRecord], received_at: datetime
) -> list[RecordOutcome]:
    """Store a batch inside the caller's transaction; one result per record, in order.

    Stored first, looked up after: one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING
    for every record the site may hold, then one SELECT for those not stored (already
    known, or lost a race). A statement per batch, not per record, is what lets a kiosk
    back from weeks offline drain quickly; the usual push, all new, needs no lookup at all.
    """
    ids = [str(r.id) for r in records]
    check = SiteCheck.load(conn, kiosk.site_id, records)
    results: dict[int, RecordOutcome] = {}  # refused whatever the server holds
    judged: dict[int, tuple[str, str | None]] = {}  # content hash, and why the site refuses
    rows: dict[str, dict[str, Any]] = {}
    for n, (record, record_id) in enumerate(zip(records, ids, strict=True)):
        refused, digest = _judge(record, record_id)
        if refused is not None:
            results[n] = refused
            continue
        problem = check.problem(record)
        judged[n] = (digest, problem)
        if problem is None and record_id not in rows:  # a repeated id: the first is stored
            rows[record_id] = _row(record, record_id, kiosk, digest, received_at)
    # RETURNING names the rows really inserted, on both databases.
    inserted = insert_new(conn, events, list(rows.values()), events.c.id)
    # A record known before keeps its first answer (duplicate, or changed), even when the
    # site would refuse it now (its participant erased since): it was taken then.
    known = _stored(conn, {ids[n] for n in judged} - inserted)
    for n, (digest, problem) in judged.items():
        record, record_id = records[n], ids[n]
        if record_id in inserted:
            inserted.discard(record_id)  # a repeat within the batch is a duplicate
            known[record_id] = Known(kiosk.id, digest)
            results[n] = _result(record, "accepted")
        elif record_id in known:
            results[n] = _compare(record, known[record_id], kiosk, digest)
        elif problem is not None:
            results[n] = _result(record, "rejected", problem)
        else:
            results[n] = _result(
                record, "rejected", f"sequence number {record.seq} already used by another record"
            )
    ordered = [results[n] for n in range(len(records))]
    accepted = [
        (str(r.id), r) for r, res in zip(records, ordered, strict=True) if res.status == "accepted"
    ]
    for record, result in zip(records, ordered, strict=True):
        if result.status == "rejected":
            _keep_rejected(conn, kiosk, record, result.reason or "", received_at)
        elif result.status == "accepted" and record.kind == "badge_enrolled":
            enrol(conn, kiosk.site_id, str(record.id), record, received_at)  # first time only
    # Their honest times, in the same transaction: no reader ever sees a jumped boot unsorted.
    arrived = [BootTap(i, r.wall_at, r.clock_synced, r.monotonic) for i, r in accepted]
    reckon_arrivals(conn, kiosk.id, arrived, {i: r.boot_id for i, r in accepted}, received_at)
    # The word cards of the new recall answers, from their honest times (server.learning).
    note_answers(conn, _recalled(accepted), received_at)
    counts = {s: sum(r.status == s for r in ordered) for s in ("accepted", "duplicate", "rejected")}
    log.info("push from kiosk %s: %s", kiosk.id, counts)
    return ordered


def _recalled(accepted: list[tuple[str, WireRecord]]) -> set[tuple[str, str]]:
    return {
        (r.participant_id, str(r.detail["word"]))
        for _, r in accepted
        if r.kind == WORD_RECALL and r.participant_id
    }


def _judge(record: WireRecord, record_id: str) -> tuple[RecordOutcome | None, str]:
    """The answer for a record no server could store, or None and its content hash."""
    if record.seq > MAX_COUNT:
        return _result(record, "rejected", "sequence number out of range"), ""
    try:
        return None, content_hash(record, record_id)
    except OverflowError:  # e.g. year 9999 at UTC-12: no instant Python can hold
        return _result(record, "rejected", "wall_at out of range"), ""


def _stored(conn: Connection, ids: Collection[str]) -> dict[str, Known]:
    """The stored rows among `ids` (ids the insert did not store: known before, or lost a
    race for the id; none for a reused sequence number)."""
    if not ids:
        return {}
    rows = conn.execute(_KNOWN_IDS(conn), {"ids": id_list(conn, ids)})
    return {row.id: Known(row.kiosk_id, row.content_hash) for row in rows}


def _compare(record: WireRecord, known: Known, kiosk: Kiosk, digest: str) -> RecordOutcome:
    if known.kiosk_id != kiosk.id:
        return _result(record, "rejected", OTHER_KIOSK)
    if known.content_hash != digest:
        return _result(record, "rejected", CHANGED)
    return _result(record, "duplicate")


class RecordOutcome(NamedTuple):
    """What became of one record; the push answer's RecordResult, without pydantic's cost
    (500 of them per push)."""

    id: UUID
    seq: int
    status: str
    reason: str | None = None

    def wire(self) -> dict[str, Any]:
        return {"id": str(self.id), "seq": self.seq, "status": self.status, "reason": self.reason}


# A refusal's reason is kept beside the record (rejected_records.reason); one that quotes
# a long bad value (a word key of 200 characters, a detail's unknown fields) is cut to fit.
REASON_LENGTH = 200  # String(200) in server/schema.py


def _result(record: WireRecord, status: str, reason: str | None = None) -> RecordOutcome:
    if reason is not None and len(reason) > REASON_LENGTH:
        reason = reason[: REASON_LENGTH - 1] + "…"
    return RecordOutcome(record.id, record.seq, status, reason)


def _row(
    record: WireRecord, record_id: str, kiosk: Kiosk, digest: str, received_at: datetime
) -> dict[str, Any]:
    row = {name: getattr(record, name) for name in WIRE_FIELDS}
    row.update(
        id=record_id,
        kiosk_id=kiosk.id,
        site_id=kiosk.site_id,
        content_hash=digest,
        received_at=received_at,
    )
    return row


UNKNOWN_PARTICIPANT = "unknown participant"


def _kept(record: WireRecord, reason: str) -> dict[str, Any]:
    kept = record.model_dump(mode="json")
    if reason == UNKNOWN_PARTICIPANT:
        # Most often an erased participant's old tap from a kiosk that was offline: keep
        # that a record was refused, not whom it named (promise 6 of docs/design.md).
        kept["participant_id"] = kept["badge_uid"] = None
    return kept


def _keep_rejected(
    conn: Connection, kiosk: Kiosk, record: WireRecord, reason: str, received_at: datetime
) -> None:
    """Keep a refused record (once per id and reason) so nothing sent is ever lost."""
    seen = conn.execute(
        select(rejected_records.c.id).where(
            rejected_records.c.kiosk_id == kiosk.id,
            rejected_records.c.record_id == str(record.id),
            rejected_records.c.reason == reason,
        )
    ).first()
    if seen is None:
        conn.execute(
            rejected_records.insert().values(
                kiosk_id=kiosk.id,
                record_id=str(record.id),
                seq=min(record.seq, MAX_COUNT),  # the full number stays in `record`
                reason=reason,
                record=_kept(record, reason),
                received_at=received_at,
            )
        )
