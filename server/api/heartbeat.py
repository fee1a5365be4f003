"""POST /api/v1/heartbeat: a kiosk reports its state and learns the time and its gaps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, status
from pydantic import ValidationError

from server.api.body import LimitedBody, json_body
from server.api.problems import AUTH_RESPONSES, PROBLEM, outside_utc, unstorable, validation_problem
from server.db import WRITE
from server.deps import ClockDep, ConnDep, KioskDep
from server.kiosks.heartbeats import record_heartbeat
from server.schema import MAX_COUNT
from sync.protocol import (
    API_PREFIX,
    HIGHEST_SEQ,
    LOG_LINES,
    UNDERSTANDS_HEADER,
    Heartbeat,
    HeartbeatResponse,
)

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])


@router.post(
    "/heartbeat",
    response_model=HeartbeatResponse,
    openapi_extra=json_body("Heartbeat"),  # read by hand: the push's size limit first
    # An optional field left out is never sent as null: a kiosk of an earlier version
    # refuses answer fields it does not know.
    response_model_exclude_none=True,
    responses={**AUTH_RESPONSES, 413: PROBLEM},
    summary="Report kiosk state",
)
def heartbeat(
    kiosk: KioskDep,
    body: LimitedBody,
    conn: ConnDep,
    now: ClockDep,
    understands: Annotated[str, Header(alias=UNDERSTANDS_HEADER)] = "",
) -> HeartbeatResponse:
    """Keep the latest heartbeat, correct the boot's clock, list missing sequence numbers."""
    beat = parse_heartbeat(body)
    problem = unstorable(beat.model_dump(mode="json"))
    if max(beat.last_seq, beat.queue_depth) > MAX_COUNT:
        problem = problem or "last_seq or queue_depth out of range"
    logged = [line.at for line in beat.log_lines or ()]
    if outside_utc(beat.wall_at, beat.oldest_unsynced_at, beat.last_tap_at, *logged):
        problem = problem or "a time is out of range"
    if problem:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
    conn.execution_options(**WRITE)
    with conn.begin():
        asked = {part.strip() for part in understands.split(",")}
        return record_heartbeat(
            conn,
            kiosk,
            beat,
            now(),
            tell_highest_seq=HIGHEST_SEQ in asked,
            tell_takes_log_lines=LOG_LINES in asked,
        )


def parse_heartbeat(body: bytes) -> Heartbeat:
    """Parse and validate a heartbeat body; 422 for anything malformed."""
    try:
        return Heartbeat.model_validate_json(body)
    except ValidationError as error:
        raise validation_problem(error) from None
