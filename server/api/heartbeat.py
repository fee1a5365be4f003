"""POST /api/v1/heartbeat: a kiosk reports its state and learns the time and its gaps."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from server.api.body import json_body, limited_body, may_be_unstorable
from server.api.problems import AUTH_RESPONSES, PROBLEM, outside_utc, unstorable, validation_problem
from server.db import writing
from server.deps import BEARER, bearer_token, clock_of, kiosk_of
from server.kiosks.heartbeats import record_heartbeat
from server.schema import MAX_COUNT
from sync.protocol import (
    API_PREFIX,
    HIGHEST_SEQ,
    LOG_LINES,
    UNDERSTANDS_HEADER,
    UPGRADE,
    Heartbeat,
    HeartbeatResponse,
)

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])
# The optional answer fields the kiosk understands, as a header parameter in the OpenAPI.
UNDERSTANDS: dict[str, Any] = {
    "name": UNDERSTANDS_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "default": "", "title": UNDERSTANDS_HEADER},
}


@router.post(
    "/heartbeat",
    response_model=HeartbeatResponse,
    # Read by hand, as the push is (server.api.push): the push's size limit first.
    openapi_extra={**json_body("Heartbeat"), **BEARER, "parameters": [UNDERSTANDS]},
    responses={**AUTH_RESPONSES, 413: PROBLEM},
    summary="Report kiosk state",
)
async def heartbeat(request: Request) -> Response:
    """Keep the latest heartbeat, correct the boot's clock, list missing sequence numbers."""
    token = bearer_token(request)
    body = await limited_body(request)
    engine, now = request.app.state.engine, clock_of(request)
    understands = request.headers.get(UNDERSTANDS_HEADER, "")
    asked = {part.strip() for part in understands.split(",")}

    def beat_in() -> bytes:
        # One trip to a worker thread, as for a push (server.api.push): the body checked
        # first, its verdict given after the token's (401 before 422).
        try:
            beat, refused = parse_heartbeat(body), None
        except HTTPException as error:
            beat, refused = None, error
        with writing(engine) as conn:
            kiosk = kiosk_of(conn, token)
            if beat is None:
                assert refused is not None
                raise refused
            answer = record_heartbeat(
                conn,
                kiosk,
                beat,
                now(),
                tell_highest_seq=HIGHEST_SEQ in asked,
                tell_takes_log_lines=LOG_LINES in asked,
                tell_takes_upgrade=UPGRADE in asked,
            )
        # An optional field left out is never sent as null: a kiosk of an earlier version
        # refuses answer fields it does not know.
        return answer.model_dump_json(exclude_none=True).encode()

    return Response(await run_in_threadpool(beat_in), media_type="application/json")


def parse_heartbeat(body: bytes) -> Heartbeat:
    """Parse and validate a heartbeat body; 422 for anything malformed or unstorable."""
    try:
        beat = Heartbeat.model_validate_json(body)
    except ValidationError as error:
        raise validation_problem(error) from None
    problem = unstorable(beat.model_dump(mode="json")) if may_be_unstorable(body) else None
    if max(beat.last_seq, beat.queue_depth) > MAX_COUNT:
        problem = problem or "last_seq or queue_depth out of range"
    logged = [line.at for line in beat.log_lines or ()]
    if outside_utc(beat.wall_at, beat.oldest_unsynced_at, beat.last_tap_at, *logged):
        problem = problem or "a time is out of range"
    if problem:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
    return beat
