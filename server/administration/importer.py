"""import-participants: a CSV file in, all rows or none; every error names row and column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from server.administration.operations import (
    AdminError,
    assign_badge,
    check_id,
    normalise_uid,
    require_site,
)
from server.schema import participants
from server.sql import upsert
from sync.roster import parse_birthday

COLUMNS = (
    "id",
    "display_name",
    "language",
    "program_start",
    "program_end",
    "agreed_weekdays",
    "birthday",
    "team",
    "active",
    "badge_uid",
)
REQUIRED = ("id", "display_name")
# Promise 6: the server never holds these, so a file that has them is refused outright.
FORBIDDEN = ("bsn", "address", "adres", "phone", "telefoon", "email", "birth_date")
WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
WEEKDAYS_NL = {"ma": 1, "di": 2, "wo": 3, "do": 4, "vr": 5, "za": 6, "zo": 7}
TRUE, FALSE = {"", "1", "yes", "ja", "true"}, {"0", "no", "nee", "false"}


class CsvError(AdminError):
    """Rows that cannot be imported; nothing was written."""


@dataclass(frozen=True)
class Row:
    values: dict[str, Any]
    badge_uid: str | None
    line: int = 0  # where the row starts in the file, as a spreadsheet numbers rows


def _weekdays(text: str) -> str:
    days = set()
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        key = part.strip().lower()
        if not key:
            continue
        if key.isdigit() and 1 <= int(key) <= 7:
            days.add(int(key))
        elif key[:3] in WEEKDAYS:
            days.add(WEEKDAYS[key[:3]])
        elif key[:2] in WEEKDAYS_NL:
            days.add(WEEKDAYS_NL[key[:2]])
        else:
            raise ValueError(f"{part.strip()!r} is not a weekday (mon..sun, ma..zo or 1..7)")
    return ",".join(str(d) for d in sorted(days))


def _birthday(text: str) -> str | None:
    """Month and day only ("03-21"): the door sings, and the year is none of its business."""
    if not text:
        return None
    try:
        month, day = parse_birthday(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a birthday (MM-DD, e.g. 03-21)") from None
    return f"{month:02d}-{day:02d}"


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _active(text: str) -> bool:
    key = text.strip().lower()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise ValueError(f"{text!r} is not yes/no")


def parse_row(raw: dict[str, str], site_id: str) -> Row:
    """One CSV row as database values; ValueError names the column in its first word."""
    cell = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    for column in REQUIRED:
        if not cell[column]:
            raise ValueError(f"{column}: required")
    checks: list[tuple[str, Any]] = [
        ("id", lambda v: check_id(v, "id")),
        ("display_name", lambda v: v if len(v) <= 200 else _fail("longer than 200 characters")),
        ("language", lambda v: v or "nl"),
        ("program_start", _date),
        ("program_end", _date),
        ("agreed_weekdays", _weekdays),
        ("birthday", _birthday),
        ("team", lambda v: v or None),
        ("active", _active),
    ]
    values: dict[str, Any] = {"site_id": site_id}
    for column, parse in checks:
        try:
            values[column] = parse(cell[column])
        except ValueError as error:
            raise ValueError(f"{column}: {error}") from None
    start, end = values["program_start"], values["program_end"]
    if start and end and end < start:
        raise ValueError("program_end: before program_start")
    uid = None
    if cell["badge_uid"]:
        try:
            uid = normalise_uid(cell["badge_uid"])
        except AdminError as error:
            raise ValueError(f"badge_uid: {error}") from None
    return Row(values, uid)


def first_line(reader: csv.DictReader[str], raw: dict[str, str]) -> int:
    """The line a row just read starts on: the reader counts every physical line, blank
    ones and those inside a quoted cell too, and stands on the row's last one."""
    inside = sum(value.count("\n") for value in raw.values() if isinstance(value, str))
    return reader.line_num - inside


def _fail(message: str) -> Any:
    raise ValueError(message)


def read_rows(text: str, site_id: str) -> list[Row]:
    """Parse the whole file first; raise CsvError listing every bad row."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    if "id" not in header or "display_name" not in header:
        raise CsvError("the header must name at least the columns id and display_name")
    forbidden = [h for h in header if h in FORBIDDEN]
    if forbidden:
        raise CsvError(f"column {forbidden[0]} is not allowed: prikklok keeps no such data")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise CsvError(f"unknown column {unknown[0]}; allowed: {', '.join(COLUMNS)}")
    rows, errors, seen = [], [], set()
    for raw in reader:
        number = first_line(reader, raw)  # the header is row 1; blank lines count
        try:
            row = replace(parse_row(raw, site_id), line=number)
        except ValueError as error:
            errors.append(f"row {number}, column {error}")
            continue
        if row.values["id"] in seen:
            errors.append(f"row {number}, column id: {row.values['id']!r} appears twice")
        seen.add(row.values["id"])
        rows.append(row)
    if errors:
        raise CsvError(f"{len(errors)} bad row(s), nothing imported:\n" + "\n".join(errors))
    return rows


def import_participants(conn: Connection, text: str, site_id: str, now: datetime) -> int:
    """Insert or update every row inside the caller's transaction; returns the row count."""
    require_site(conn, site_id)
    rows = read_rows(text, site_id)
    ids = [r.values["id"] for r in rows]
    elsewhere = conn.execute(
        select(participants.c.id).where(
            participants.c.id.in_(ids), participants.c.site_id != site_id
        )
    ).first()
    if elsewhere:
        raise CsvError(f"participant {elsewhere[0]!r} belongs to another site; nothing imported")
    for row in rows:
        upsert(conn, participants, ["id"], row.values)
    for row in rows:
        if row.badge_uid:
            try:
                assign_badge(conn, row.badge_uid, "participant", row.values["id"], now)
            except AdminError as error:
                raise CsvError(
                    f"row {row.line}, column badge_uid: {error}; nothing imported"
                ) from None
    return len(rows)
