"""POST /api/v1/records: a kiosk pushes a batch of journal records."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from server.api.body import json_body, limited_body, may_be_unstorable
from server.api.problems import AUTH_RESPONSES, PROBLEM, unstorable, validation_problem
from server.db import writing
from server.deps import BEARER, bearer_token, clock_of, kiosk_of
from server.kiosks.ingest import ingest
from server.metrics import tallies
from sync.protocol import API_PREFIX, MAX_BATCH, PushRequest, PushResponse

router = APIRouter(prefix=API_PREFIX, tags=["kiosk"])


def parse_push(body: bytes) -> PushRequest:
    """Parse and validate a push body; 413 for too many records, 422 for anything malformed."""
    suspect = may_be_unstorable(body)
    if not suspect:
        # The usual push: parsed and validated in one pass by pydantic. Anything it refuses
        # goes the long way below, which says precisely what is wrong.
        with contextlib.suppress(ValidationError):
            return PushRequest.model_validate_json(body)
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"body is not valid JSON: {error}"
        ) from None
    records = data.get("records") if isinstance(data, dict) else None
    if isinstance(records, list) and len(records) > MAX_BATCH:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{len(records)} records in one push; at most {MAX_BATCH} are allowed",
        )
    problem = unstorable(data) if suspect else None
    if problem:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
    try:
        return PushRequest.model_validate(data)
    except ValidationError as error:
        raise validation_problem(error) from None


@router.post(
    "/records",
    response_model=PushResponse,
    # Read by hand: limits before validation; the token and the body without FastAPI's
    # dependency machinery, which cost more CPU than storing a record (docs/benchmarks.md).
    openapi_extra={**json_body("PushRequest"), **BEARER},
    responses={**AUTH_RESPONSES, 413: PROBLEM},
    summary="Push journal records",
)
async def push_records(request: Request) -> Response:
    """Store each record idempotently; the answer says per record what became of it."""
    token = bearer_token(request)
    body = await limited_body(request)
    engine, now = request.app.state.engine, clock_of(request)

    def store() -> bytes:
        # One trip to a worker thread for all of it: each hop costs more CPU than an
        # indexed read. The body is parsed before the write lock is taken; an unknown
        # token is still refused (401) before a malformed body (422).
        try:
            push, refused = parse_push(body), None
        except HTTPException as error:
            push, refused = None, error
        with writing(engine) as conn:  # committed before the kiosk hears "accepted"
            kiosk = kiosk_of(conn, token)
            if push is None:
                assert refused is not None
                raise refused
            outcomes = ingest(conn, kiosk, list(push.records), now())
        tallies.push_stored(o.status for o in outcomes)  # committed: counted (/metrics)
        # Written out by hand: the shape is PushResponse's (the schema above says so, and
        # the kiosk validates it), without validating 500 results a second time.
        return json.dumps({"results": [o.wire() for o in outcomes]}).encode()

    try:
        answer = await run_in_threadpool(store)
    except HTTPException:
        tallies.push_refused()
        raise
    return Response(answer, media_type="application/json")
