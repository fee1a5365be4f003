"""The server's tables, in SQLAlchemy Core. Timestamps end in `_at` and are stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can find and change them on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

MAX_COUNT = 2**63 - 1  # BIGINT: sequence numbers and queue depths beyond this are refused
Id = String(64)  # ids chosen by admins ("p-amal", "door-1"): short text


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive UTC text) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def _at(name: str, *, nullable: bool = True) -> Column[datetime]:
    """A UTC timestamp column."""
    return Column(name, UtcDateTime(), nullable=nullable)


sites = Table(
    "sites",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("opens_at", Time, nullable=False),
    Column("closes_at", Time, nullable=False),
    Column("timezone", String(64), nullable=False, server_default="Europe/Amsterdam"),
    # The door says "Goedemorgen, Amal." aloud (docs/sound.md): off unless the site wants it.
    Column("speak_greeting", Boolean, nullable=False, server_default="0"),
    # What participants tell the door themselves (sync.own_say, docs/web.md):
    Column("my_week", Boolean, nullable=False, server_default="1"),
    Column("leave_reason_minutes", Integer, server_default="60"),  # NULL: never ask
    # How a participant's estimated check-out counts in hours: once a supervisor confirms
    # it ('confirmed'), or at once ('at_once'). No CHECK: adding one makes SQLite rebuild
    # `sites`, which its foreign keys forbid; server.administration.sites checks the value.
    Column("estimated_hours", String(16), nullable=False, server_default="confirmed"),
    # The recall check of the words met at check-out (sync.recall, docs/learning.md).
    Column("word_check", Boolean, nullable=False, server_default="1"),
)

kiosks = Table(
    "kiosks",
    metadata,
    Column("id", Id, primary_key=True),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of the token
    _at("revoked_at"),
    _at("created_at", nullable=False),
)

participants = Table(
    "participants",
    metadata,
    Column("id", Id, primary_key=True),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False, index=True),
    Column("display_name", String(200), nullable=False),
    Column("language", String(16), nullable=False, server_default="nl"),
    Column("program_start", Date),
    Column("program_end", Date),
    Column("agreed_weekdays", String(32), nullable=False, server_default=""),  # "1,2,4" ISO
    Column("birthday", String(5)),  # "MM-DD", only if the participant wishes: no year
    Column("team", String(64)),
    Column("active", Boolean, nullable=False, server_default="1"),
    # The participant's own switch of the recall check; it asks only when the site's is on too.
    Column("word_check", Boolean, nullable=False, server_default="1"),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Id, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("site_id", Id, ForeignKey("sites.id"), index=True),  # None: all sites (admin, coach)
    Column("password_hash", String(255)),  # Argon2id; None: cannot log in yet
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("email", String(200)),  # for a coach's weekly digest, if they want one
    _at("created_at", nullable=False),
    CheckConstraint("role IN ('admin', 'supervisor', 'coach', 'translator')", name="role"),
)

coach_participants = Table(
    "coach_participants",
    metadata,
    Column("coach_id", Id, ForeignKey("staff.id"), primary_key=True),
    Column("participant_id", Id, ForeignKey("participants.id"), primary_key=True),
)

badges = Table(
    "badges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(20), nullable=False, index=True),
    Column("holder_kind", String(16), nullable=False),
    Column("holder_id", Id, nullable=False),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False, index=True),
    _at("assigned_at", nullable=False),
    _at("revoked_at"),
    CheckConstraint("holder_kind IN ('participant', 'supervisor')", name="holder_kind"),
    # One holder per badge at a time; the history keeps every earlier holder.
    Index(
        "uq_badges_uid_current",
        "uid",
        unique=True,
        sqlite_where=Column("revoked_at").is_(None),
        postgresql_where=Column("revoked_at").is_(None),
    ),
)

events = Table(
    "events",
    metadata,
    Column("id", String(36), primary_key=True),  # the kiosk's record UUID
    Column("kiosk_id", Id, ForeignKey("kiosks.id"), nullable=False),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("participant_id", Id, ForeignKey("participants.id")),
    Column("supervisor_id", Id, ForeignKey("staff.id")),
    Column("badge_uid", String(20)),
    _at("wall_at", nullable=False),  # as the kiosk sent it, even when its clock was wrong
    Column("workshop_day", Date, nullable=False),
    Column("clock_synced", Boolean, nullable=False),
    Column("boot_id", String(200), nullable=False),
    Column("monotonic", Float, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),  # sha256 of the canonical record
    _at("received_at", nullable=False),
    _at("corrected_at"),  # when corrected_wall_at was last reckoned (server.kiosks.honest_time)
    _at("corrected_wall_at"),
    UniqueConstraint("kiosk_id", "seq"),
    Index("ix_events_site_wall", "site_id", "wall_at"),
    Index("ix_events_site_corrected", "site_id", "corrected_wall_at"),
    Index("ix_events_kiosk_boot", "kiosk_id", "boot_id"),
    # A coach's feed reads a few participants over months: by participant and honest time.
    Index("ix_events_participant_wall", "participant_id", "wall_at"),
    Index("ix_events_participant_corrected", "participant_id", "corrected_wall_at"),
)

rejected_records = Table(
    "rejected_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kiosk_id", Id, ForeignKey("kiosks.id"), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("record", JSON, nullable=False),  # kept so a supervisor can act on it
    _at("received_at", nullable=False),
    Index("ix_rejected_records_kiosk_seq", "kiosk_id", "seq"),
)

kiosk_heartbeats = Table(
    "kiosk_heartbeats",
    metadata,
    Column("kiosk_id", Id, ForeignKey("kiosks.id"), primary_key=True),  # the latest only
    _at("received_at", nullable=False),
    _at("wall_at", nullable=False),
    Column("clock_synced", Boolean, nullable=False),
    Column("clock_offset_seconds", Float, nullable=False),
    Column("boot_id", String(200), nullable=False),
    Column("monotonic", Float, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("queue_depth", BigInteger, nullable=False),
    _at("oldest_unsynced_at"),
    _at("last_tap_at"),
    Column("reader_health", String(16), nullable=False),
    Column("app_version", String(200), nullable=False),
    # Room on the kiosk's journal disk and why its journal cannot be written; NULL from a
    # kiosk that does not say.
    Column("disk_free_bytes", BigInteger),
    Column("disk_total_bytes", BigInteger),
    Column("journal_trouble", String(16)),
)

# A kiosk's newest warnings and errors, sent with its heartbeats already masked (sync.log_lines);
# the newest KEPT_LOG_LINES per kiosk are kept (server.kiosks.log_lines). A line sent twice
# (the agent restarted) is kept once.
kiosk_log_lines = Table(
    "kiosk_log_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kiosk_id", Id, ForeignKey("kiosks.id"), nullable=False),
    _at("logged_at", nullable=False),  # the kiosk's clock
    Column("level", String(16), nullable=False),
    Column("logger", String(64), nullable=False),
    Column("message", String(300), nullable=False),
    _at("received_at", nullable=False),
    UniqueConstraint("kiosk_id", "logged_at", "message"),
)

kiosk_boots = Table(
    "kiosk_boots",
    metadata,
    Column("kiosk_id", Id, ForeignKey("kiosks.id"), primary_key=True),
    Column("boot_id", String(200), primary_key=True),
    # Best estimate of when this boot's monotonic clock read 0: the smallest
    # (server receive time − monotonic) over its heartbeats, as network delay only adds.
    _at("epoch_at", nullable=False),
    _at("first_heartbeat_at", nullable=False),
    _at("last_heartbeat_at", nullable=False),
    Column("heartbeats", Integer, nullable=False),
)

# What a boot's taps are reckoned from (server.kiosks.honest_time): the wall time its monotonic
# clock read 0. Kept so a push of a few taps reckons just those, not the boot's history.
boot_anchors = Table(
    "boot_anchors",
    metadata,
    Column("kiosk_id", Id, ForeignKey("kiosks.id"), primary_key=True),
    Column("boot_id", String(200), primary_key=True),
    _at("epoch_at"),  # NULL: no synchronised tap and no heartbeat yet, the walls stand
    Column("anchor_monotonic", Float),  # the synchronised tap it is from; NULL: heartbeats
    _at("reckoned_at", nullable=False),
)

# The workshop's own photos of words and tasks (server.administration.media), by the
# sha256 of their bytes: the same bytes, the same name, for ever.
media = Table(
    "media",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content_type", String(32), nullable=False),  # image/jpeg or image/png
    Column("size_bytes", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    _at("created_at", nullable=False),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("text", String(200), nullable=False),
    Column("participant_id", Id, ForeignKey("participants.id")),  # both None: everyone
    Column("team", String(64)),
    Column("pictogram", String(64)),  # a name in sync/pictograms, e.g. "fiets"
    Column("photo", String(64), ForeignKey("media.sha256")),  # the workshop's own photo
    Index("ix_tasks_site_day", "site_id", "day"),
)

words = Table(
    "words",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("word", String(200), nullable=False),
    Column("article", String(3)),
    Column("sentence", Text, nullable=False, server_default=""),
    Column("translations", JSON, nullable=False),
    Column("symbol", String(16)),  # a picture in a character or two, e.g. "☂"
    Column("theme", String(64)),  # e.g. Sinterklaas, Koningsdag
    Column("pictogram", String(64)),  # a name in sync/pictograms, e.g. "hamer"
    Column("photo", String(64), ForeignKey("media.sha256")),  # the workshop's own photo
    # A supervisor saying the word and its sentence (server.administration.voice).
    Column("voice", String(64), ForeignKey("media.sha256")),
    UniqueConstraint("site_id", "day"),
)

# The workshop's translations as checked and fixed on the Vertalingen page: per language
# and catalogue phrase (msgid), the text the doors show instead of the catalogue's (None:
# the catalogue's), a literal back-translation, and who checked which text as a native
# speaker. A check counts while the phrase still reads as it did when it was checked.
phrase_fixes = Table(
    "phrase_fixes",
    metadata,
    Column("language", String(16), primary_key=True),
    Column("msgid", String(500), primary_key=True),
    Column("text", Text),
    Column("back_translation", Text),
    Column("checked_text", Text),
    Column("checked_by", String(200)),  # the checker's display name, as they sign it
    _at("checked_at"),
    Column("changed_by", String(200), nullable=False),  # audit actor: role and staff id
    _at("changed_at", nullable=False),
)

# A native speaker's check of a word of the day's translation; keyed like the word (a
# site's day), so a word saved again keeps its check while its translation is unchanged.
word_checks = Table(
    "word_checks",
    metadata,
    Column("site_id", Id, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("language", String(16), primary_key=True),
    Column("checked_text", Text, nullable=False),
    Column("checked_by", String(200), nullable=False),
    _at("checked_at", nullable=False),
)

# What the server could not do with a stored record, for a supervisor to look at: the
# record itself is a fact and stays in `events` (e.g. a badge given at the door that
# someone else already held).
event_flags = Table(
    "event_flags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), ForeignKey("events.id"), nullable=False, index=True),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False, index=True),
    Column("flag", String(32), nullable=False),  # e.g. badge_held_by_other
    Column("detail", Text, nullable=False),
    _at("created_at", nullable=False),
)

# Supervisor corrections (made on a participant's day page): each one refers to the taps it
# amends and never overwrites them, so the original record and the audit trail both survive.
corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), ForeignKey("events.id")),  # None: a new tap
    Column("participant_id", Id, ForeignKey("participants.id"), nullable=False, index=True),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False),
    Column("action", String(32), nullable=False),  # e.g. set_check_out, add_check_in, void
    _at("effective_at"),
    Column("reason", Text, nullable=False),
    Column("staff_id", Id, ForeignKey("staff.id"), nullable=False),
    _at("created_at", nullable=False),
    # Serves both lookups of a day: corrections of its taps (by event id) and taps added by
    # hand (event id NULL, by time) — without it every page read the whole table.
    Index("ix_corrections_event_effective", "event_id", "effective_at"),
)

# Who did what with participants' data (export, erasure, retention). No foreign key, so a
# row outlives what it is about; an erasure blanks `participant_id` in the older rows, so
# the log keeps only that something happened, not to whom.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _at("logged_at", nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),  # export, erase, retention
    Column("participant_id", Id, index=True),
    Column("detail", JSON, nullable=False),
)


# A staff member's login. The cookie holds a random token; only its sha256 is stored, so a
# copy of the database cannot be used to log in.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 hex of the cookie's token
    Column("staff_id", Id, ForeignKey("staff.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),  # the token every form of this login carries
    _at("created_at", nullable=False),  # for the absolute timeout
    _at("last_seen_at", nullable=False),  # for the idle timeout
)

# Failed logins, for the rate limit; kept in the database so every worker counts alike.
# `key` is a sha256 of the username (or the client address), never the name in clear.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),
    _at("at", nullable=False),
    Index("ix_login_failures_key_at", "key", "at"),
)

# Secrets the server makes for itself, once, so every worker signs alike: the key of the
# staff's device cookies. Never in the repository or the environment's defaults.
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(128), nullable=False),
    _at("created_at", nullable=False),
)

# A supervisor's verdict on what a participant said at the door (an `events` row of a
# sync.own_say kind): the record itself is a fact and is never changed; without a row here
# the statement is pending. 'changed' carries the supervisor's own reason or time.
statement_reviews = Table(
    "statement_reviews",
    metadata,
    Column("event_id", String(36), ForeignKey("events.id"), primary_key=True),
    Column("participant_id", Id, ForeignKey("participants.id"), nullable=False, index=True),
    Column("verdict", String(16), nullable=False),
    Column("reason", String(32)),  # for 'changed' on a reason or an announced absence
    _at("left_at"),  # for 'changed' on a checkout_estimate: the time a supervisor set
    Column("staff_id", Id, ForeignKey("staff.id"), nullable=False),
    _at("reviewed_at", nullable=False),
    CheckConstraint("verdict IN ('confirmed', 'changed', 'rejected')", name="verdict"),
)

ABSENCE_REASONS = ("sick", "appointment", "integration_class", "other")

# A day a participant was excused from, with a reason code; the absence itself is derived.
absences = Table(
    "absences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("participant_id", Id, ForeignKey("participants.id"), nullable=False),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("staff_id", Id, ForeignKey("staff.id"), nullable=False),
    _at("created_at", nullable=False),
    UniqueConstraint("participant_id", "day"),
    CheckConstraint(
        "reason IN ('sick', 'appointment', 'integration_class', 'other')", name="reason"
    ),
)

# A coach's secret feed links: only the token's sha256 is kept; revoked ones answer nothing.
feed_tokens = Table(
    "feed_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("coach_id", Id, ForeignKey("staff.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", String(200), nullable=False, server_default=""),
    _at("created_at", nullable=False),
    _at("revoked_at"),
    _at("last_used_at"),
)

# A token per site that changes in the same transaction as anything its doors' snapshot is
# built from (sites, participants, staff, badges, tasks, words, word_cards), and one row "*"
# for what every door shows (phrase_fixes). Database triggers keep it (migrations 0015 and
# 0018), so no writer can forget it; the snapshot's ETag derives from it
# (server.kiosks.door_version).
door_data_versions = Table(
    "door_data_versions",
    metadata,
    Column("site_id", Id, primary_key=True),  # no foreign key: "*" is every site
    Column("version", String(32), nullable=False),
)

# A participant's FSRS card of a word (sync.recall.word_key), rebuilt from all their
# word_recall answers to it whenever one arrives (server.learning.answers); the answers
# themselves stay in `events`. `site_id` is the participant's site, for the door data
# version triggers (migration 0018). Card fields NULL: every answer was a skip.
word_cards = Table(
    "word_cards",
    metadata,
    Column("participant_id", Id, ForeignKey("participants.id"), primary_key=True),
    Column("word", String(200), primary_key=True),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False, index=True),
    Column("state", Integer),  # fsrs.State
    Column("step", Integer),
    Column("stability", Float),
    Column("difficulty", Float),
    _at("due_at"),
    _at("last_review_at"),
    Column("rights", Integer, nullable=False, server_default="0"),
    Column("wrongs", Integer, nullable=False, server_default="0"),
    Column("skips", Integer, nullable=False, server_default="0"),
    Column("last_answer", String(8), nullable=False),  # sync.recall.ANSWERS
    _at("last_answered_at", nullable=False),
    _at("updated_at", nullable=False),
)

# Alerts that reach a person (server.kiosks.alert_round, docs/admin/alerts.md): whom a
# site's incidents are mailed to (addresses one a line) and its optional webhook.
site_alerts = Table(
    "site_alerts",
    metadata,
    Column("site_id", Id, ForeignKey("sites.id"), primary_key=True),
    Column("recipients", Text, nullable=False, server_default=""),
    Column("webhook_url", String(500)),
    Column("webhook_secret", String(200)),
)

# A kiosk alarm (server.kiosks.status) from the round that first saw it to the round that
# saw it gone; the message is the alarm's own, with kiosk ids only, never a name.
incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id"), nullable=False),
    Column("kiosk_id", Id, ForeignKey("kiosks.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("message", Text, nullable=False),
    _at("opened_at", nullable=False),
    _at("resolved_at"),
    Index("ix_incidents_site_id_resolved", "site_id", "resolved_at"),
    # One open incident per kiosk and kind: a second round run at the same time fails
    # instead of telling the same thing twice.
    Index(
        "uq_incidents_open",
        "kiosk_id",
        "kind",
        unique=True,
        sqlite_where=Column("resolved_at").is_(None),
        postgresql_where=Column("resolved_at").is_(None),
    ),
)

# What is to be told about an incident, per way of telling: pending until sent, or dropped
# (an incident over before its quiet hours ended is never told, nor its end).
incident_notices = Table(
    "incident_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False, index=True),
    Column("event", String(16), nullable=False),  # opened, resolved
    Column("channel", String(16), nullable=False),  # mail, webhook
    _at("created_at", nullable=False),
    _at("sent_at"),
    _at("dropped_at"),
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("last_error", String(200)),
    CheckConstraint("event IN ('opened', 'resolved')", name="event"),
    CheckConstraint("channel IN ('mail', 'webhook')", name="channel"),
)
