"""The wire protocol between kiosk and server — one definition, used by both ends.

Version 1 lives under /api/v1. Models forbid unknown fields: a kiosk or server that
sends something the other does not know gets a clear 422, never a silent drop.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from sync.recall import MAX_DUE, MAX_MET
from sync.record import KINDS, Record

API_PREFIX = "/api/v1"
MAX_BATCH = 500  # records per push; more → 413 with this limit in the answer
MAX_BODY_BYTES = 2_000_000  # a push body larger than this → 413 before parsing

Kind = Literal[
    "check_in", "forgot_checkout", "check_out", "too_soon", "unknown_badge", "inactive",
    "supervisor", "manual_check_in", "manual_check_out", "lunch", "badge_enrolled",
    "leave_reason", "absence_announced", "checkout_estimate", "word_recall",
]  # fmt: skip
assert set(Kind.__args__) == KINDS  # type: ignore[attr-defined]

BadgeUid = Annotated[str, Field(pattern=r"^(?:[0-9A-F]{2}){4,10}$")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Birthday = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]  # MM-DD
Weekday = Annotated[int, Field(ge=1, le=7)]  # ISO: 1 = Monday … 7 = Sunday
Symbol = Annotated[str, Field(min_length=1, max_length=16)]  # a picture: "☂", "🔨"
# A name in the pictogram set (sync.pictograms). Only its form is checked here: a door whose
# set lacks the name (an older kiosk) draws nothing rather than refusing the snapshot.
PictogramName = Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
# The workshop's own photo, named by the sha256 of its bytes: GET /media/{sha256}.
MediaHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WireRecord(Strict):
    """One journal record as it travels; the server stores it exactly as sent."""

    id: UUID
    seq: Annotated[int, Field(ge=1)]
    kind: Kind
    participant_id: ShortText | None = None
    supervisor_id: ShortText | None = None
    badge_uid: BadgeUid | None = None
    wall_at: AwareDatetime
    workshop_day: date
    clock_synced: bool
    boot_id: ShortText
    monotonic: Annotated[float, Field(ge=0)]
    detail: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, record: Record) -> WireRecord:
        return cls(**_wire_fields(record))

    @classmethod
    def many(cls, records: list[Record]) -> list[WireRecord]:
        """All of a batch in one validation pass (raises ValidationError if any is bad)."""
        return _WIRE_LIST.validate_python([_wire_fields(r) for r in records])


def _wire_fields(record: Record) -> dict[str, Any]:
    return {name: getattr(record, name) for name in WIRE_FIELDS}


# The fields a record carries on the wire; the journal's Record and the server's events
# table use the same names.
WIRE_FIELDS: tuple[str, ...] = tuple(WireRecord.model_fields)
_WIRE_LIST: TypeAdapter[list[WireRecord]] = TypeAdapter(list[WireRecord])


class PushRequest(Strict):
    records: Annotated[list[WireRecord], Field(max_length=MAX_BATCH)]


RecordStatus = Literal["accepted", "duplicate", "rejected"]


class RecordResult(Strict):
    id: UUID
    seq: int
    status: RecordStatus  # duplicate: the server already had exactly this record
    reason: str | None = None  # why rejected, in words a supervisor can act on


class PushResponse(Strict):
    results: list[RecordResult]


ReaderHealthName = Literal["ok", "degraded", "absent"]
JournalTrouble = Literal["disk_full", "read_only", "write_failed"]  # sync.disk.WriteTrouble


LogLevel = Literal["WARNING", "ERROR", "CRITICAL"]
MAX_LOG_LINES = 20  # per heartbeat, each of at most 300 characters …
MAX_LOG_BYTES = 8 * 1024  # … and together at most 8 KB as JSON (sync.log_outbox.bounded)


class LogLine(Strict):
    """One of the kiosk's recent warnings or errors, masked on the kiosk (sync.log_lines)."""

    at: AwareDatetime
    level: LogLevel
    logger: Annotated[str, Field(min_length=1, max_length=64)]
    message: Annotated[str, Field(min_length=1, max_length=300)]


# -- upgrades without a visit (docs/admin/upgrading.md, sync.upgrade) -----------------------
# GET /snapshot: the site's `upgrade`; POST /heartbeat: the answer may say takes_upgrade.
UPGRADE = "upgrade"
VersionName = Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")]
UpgradeState = Literal["installed", "pending", "failed"]


class UpgradeWanted(Strict):
    """The release the site's kiosks should run, and the sha256 of its wheelhouse manifest
    (GET /wheelhouse/{sha256} gives the manifest, then each wheel it names)."""

    version: VersionName
    manifest_sha256: MediaHash


class UpgradeReport(Strict):
    """What the kiosk did about the wanted version: installed (it runs it), pending (being
    fetched or waiting to be installed), failed (it runs the old one; the reason says why)."""

    version: VersionName
    state: UpgradeState
    reason: Annotated[str, Field(max_length=300)] | None = None


# -------------------------------------------------------------------------------------------


class Heartbeat(Strict):
    """The kiosk's state; the server keeps the latest and learns the kiosk's clock from it."""

    queue_depth: Annotated[int, Field(ge=0)]
    oldest_unsynced_at: AwareDatetime | None = None
    last_tap_at: AwareDatetime | None = None
    last_seq: Annotated[int, Field(ge=0)]
    reader_health: ReaderHealthName
    app_version: ShortText
    boot_id: ShortText
    monotonic: Annotated[float, Field(ge=0)]
    wall_at: AwareDatetime
    clock_synced: bool
    # Optional, so a kiosk that does not send them still talks: room on the journal's disk,
    # and why the journal cannot be written (None: it can).
    disk_free_bytes: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None
    disk_total_bytes: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None
    journal_trouble: JournalTrouble | None = None
    # The kiosk's newest warnings and errors since its last heartbeat; sent only to a
    # server that said it takes them (HeartbeatResponse.takes_log_lines): an older server
    # refuses a field it does not know.
    log_lines: Annotated[list[LogLine], Field(max_length=MAX_LOG_LINES)] | None = None

    @field_validator("log_lines")
    @classmethod
    def _log_lines_fit(cls, lines: list[LogLine] | None) -> list[LogLine] | None:
        size = sum(len(line.model_dump_json().encode()) + 1 for line in lines or ())
        if size > MAX_LOG_BYTES:
            raise ValueError(f"log lines take {size} bytes, more than {MAX_LOG_BYTES}")
        return lines

    # Upgrades: sent only to a server that said it takes them (HeartbeatResponse.takes_upgrade).
    upgrade: UpgradeReport | None = None


# A kiosk names the optional answer fields it understands in this request header. A kiosk
# of an earlier version refuses fields it does not know (extra="forbid"), so the server
# sends such a field only to a kiosk that asked for it.
UNDERSTANDS_HEADER = "Prikklok-Understands"
HIGHEST_SEQ = "highest_seq"
LOG_LINES = "log_lines"  # POST /heartbeat: the answer may say takes_log_lines
PICTOGRAMS = "pictogram"  # GET /snapshot: tasks and words may carry a `pictogram`
PHOTOS = "photo"  # GET /snapshot: tasks and words may carry a `photo` (a MediaHash)
VOICES = "voice"  # GET /snapshot: words may carry a `voice` (a MediaHash of a WAV)
PHRASE_FIXES = "phrase_fixes"  # GET /snapshot: the workshop's fixed translations
# GET /snapshot: the site's settings for what participants tell the door (sync.own_say);
# GET /presence: each participant's `days` around this week (my week, announced absences).
OWN_SAY = "own_say"
# GET /snapshot: the recall check of the words met (sync.recall): the site's `word_check`
# setting, each participant's plan (`recall`) and the words the plans name (`recall_words`).
RECALL = "recall"


class HeartbeatResponse(Strict):
    server_time: AwareDatetime
    clock_offset_seconds: float  # server time − kiosk wall time, at the heartbeat
    missing_seqs: list[int]  # sequence numbers below last_seq the server never received
    # The highest sequence number the server holds for this kiosk (stored or refused), 0 if
    # none; only when asked for (UNDERSTANDS_HEADER). A journal restored from a backup
    # moves its numbers past it. None: an older server, which cannot say.
    highest_seq: Annotated[int, Field(ge=0)] | None = None
    # True: this server keeps the kiosk's log_lines, so the next heartbeats may carry them.
    # Only when asked for (UNDERSTANDS_HEADER); None: an older server.
    takes_log_lines: bool | None = None
    # Upgrades: True: this server keeps the kiosk's upgrade report; only when asked for.
    takes_upgrade: bool | None = None


class SiteSettings(Strict):
    id: ShortText
    name: ShortText
    opens_at: time
    closes_at: time  # open sessions are closed (and flagged) at this time
    timezone: str = "Europe/Amsterdam"
    speak_greeting: bool = False  # the door says "Goedemorgen, Amal." aloud
    # Sent only to a kiosk that understands OWN_SAY:
    my_week: bool = True  # after their own tap, a participant sees their week
    # A check-out at least this long before closing asks "Waarom ga je eerder weg?";
    # None: never ask.
    leave_reason_minutes: Annotated[int, Field(ge=0, le=24 * 60)] | None = 60
    # When people of this site usually leave (site time, earliest first): the buttons of
    # "Hoe laat ging je gisteren weg?". Empty: the door reckons them from closes_at.
    usual_leaving_times: Annotated[list[time], Field(max_length=6)] = Field(default_factory=list)
    # Upgrades: sent only to a kiosk that understands UPGRADE; None: keep the version it runs.
    upgrade: UpgradeWanted | None = None

    # Sent only to a kiosk that understands RECALL: at a participant's own check-out, a
    # five-second check of a word they have met (sync.recall). False: never.
    word_check: bool = True


OWN_SAY_SITE_FIELDS = frozenset({"my_week", "leave_reason_minutes", "usual_leaving_times"})
RECALL_SITE_FIELDS = frozenset({"word_check"})


class SnapshotParticipant(Strict):
    id: ShortText
    display_name: ShortText
    language: str = "nl"
    program_start: date | None = None
    program_end: date | None = None
    active: bool = True
    birthday: Birthday | None = None  # day and month only, and only if they wish
    agreed_weekdays: list[Weekday] = Field(default_factory=list)


class SnapshotSupervisor(Strict):
    id: ShortText
    display_name: ShortText


class SnapshotBadge(Strict):
    uid: BadgeUid
    holder: Literal["participant", "supervisor"]
    holder_id: ShortText
    active: bool = True


class SnapshotTask(Strict):
    day: date
    text: ShortText
    participant_id: str | None = None
    team: str | None = None
    pictogram: PictogramName | None = None  # sent only to a kiosk that understands it
    photo: MediaHash | None = None  # the same: drawn in place of the pictogram


class SnapshotWord(Strict):
    day: date
    word: ShortText
    article: Literal["de", "het"] | None = None
    sentence: str = ""
    translations: dict[str, str] = Field(default_factory=dict)
    symbol: Symbol | None = None
    pictogram: PictogramName | None = None  # sent only to a kiosk that understands it
    photo: MediaHash | None = None  # the same: drawn in place of the pictogram
    voice: MediaHash | None = None  # the same: a supervisor saying it, played before espeak

    @classmethod
    def of(cls, row: Any) -> SnapshotWord:
        """From anything with these fields as attributes: the server's `words` rows."""
        return cls(**{name: getattr(row, name) for name in cls.model_fields})


WordKey = Annotated[str, Field(min_length=1, max_length=200)]  # sync.recall.word_key


class RecallPlan(Strict):
    """One participant's recall plan (sync.recall.WordsPlan): ids only, the words themselves are
    in Snapshot.recall_words. A participant or site with the check switched off has none."""

    participant_id: ShortText
    due: Annotated[list[WordKey], Field(max_length=MAX_DUE)] = Field(default_factory=list)
    met: Annotated[list[WordKey], Field(max_length=MAX_MET)] = Field(default_factory=list)
    known: Annotated[int, Field(ge=0)] = 0


class Snapshot(Strict):
    """Everything one door needs and nothing more, promise 6 (docs/design.md); with an ETag."""

    site: SiteSettings
    participants: list[SnapshotParticipant]
    supervisors: list[SnapshotSupervisor]
    badges: list[SnapshotBadge]
    tasks: list[SnapshotTask]
    words: list[SnapshotWord]
    # language → msgid → text, used at the door instead of the catalogue's (a translation
    # checked on the server's Vertalingen page); sent only to a kiosk that understands it.
    phrase_fixes: dict[str, dict[str, str]] = Field(default_factory=dict)
    # Sent only to a kiosk that understands RECALL: each participant's plan, and every word
    # a plan names that `words` lacks (the latest day it was planned), so the door can show
    # its picture and play it.
    recall: list[RecallPlan] = Field(default_factory=list)
    recall_words: list[SnapshotWord] = Field(default_factory=list)

    def for_kiosk(self, understood: frozenset[str] | set[str]) -> dict[str, Any]:
        """The JSON for a kiosk that understands these optional fields: the others are left
        out, since its models forbid fields they do not know."""
        exclude: dict[str, Any] = {}
        task_fields = {name for name in (PICTOGRAMS, PHOTOS) if name not in understood}
        word_fields = task_fields | ({VOICES} if VOICES not in understood else set())
        if task_fields:
            exclude["tasks"] = {"__all__": task_fields}
        if word_fields:
            exclude["words"] = {"__all__": word_fields}
        if PHRASE_FIXES not in understood:
            exclude["phrase_fixes"] = True
        site_fields: set[str] = set()
        if OWN_SAY not in understood:
            site_fields |= OWN_SAY_SITE_FIELDS
        if RECALL not in understood:
            site_fields |= RECALL_SITE_FIELDS
            exclude["recall"] = exclude["recall_words"] = True
        elif word_fields:
            exclude["recall_words"] = {"__all__": word_fields}
        if UPGRADE not in understood:  # upgrades
            site_fields.add("upgrade")
        if site_fields:
            exclude["site"] = site_fields
        return self.model_dump(mode="json", exclude=exclude)

    def door_data_dict(self) -> dict[str, Any]:
        """The part the door decides and greets from, in DoorData.from_dict's shape."""
        data = self.model_dump(mode="json", exclude={"site"})
        data["speak_greeting"] = self.site.speak_greeting
        return data


class Problem(Strict):
    """The body of every 4xx: what was wrong, in one sentence."""

    detail: str


class PresentPerson(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    since: AwareDatetime


DayState = Literal["came", "excused", "announced"]


class DayMark(BaseModel):
    """One participant's day as the server knows it from every door of the site: they came
    (checked in at any door), were excused by a supervisor, or announced they would not come
    (an `absence_announced` a supervisor has not rejected)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    participant_id: str
    day: date
    state: DayState


class SitePresence(BaseModel):
    """GET /presence: who is in at the kiosk's site, by id (the door has the names), so
    every door of a site agrees on who is inside: promise 5 (docs/design.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site_id: str
    as_of: AwareDatetime
    participants: list[PresentPerson]
    supervisors: list[PresentPerson]
    lunch_count: int  # how many said they eat along today (site time)
    # Only to a kiosk that understands OWN_SAY (UNDERSTANDS_HEADER): for each active
    # participant, marks from Monday of this week (site time) to 14 days ahead. A day with
    # no mark had no check-in and no excuse.
    days: list[DayMark] | None = None
