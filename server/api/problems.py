"""Problem answers: every 4xx body is {"detail": "<one sentence>"} (sync.protocol.Problem)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from server.wording import describe
from sync.protocol import Problem

PROBLEM: dict[str, Any] = {"model": Problem}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {401: PROBLEM, 422: PROBLEM}


def unstorable(value: Any, where: str = "body") -> str | None:
    """Why parsed JSON cannot be stored as-is (NUL, lone surrogates, non-finite numbers)."""
    if isinstance(value, str):
        if "\x00" in value:
            return f"{where}: text contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{where}: text is not valid Unicode"
    elif isinstance(value, float) and not math.isfinite(value):
        return f"{where}: numbers must be finite"
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = unstorable(key, where) or unstorable(item, f"{where}.{key}")
            if problem:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = unstorable(item, f"{where}.{index}")
            if problem:
                return problem
    return None


def outside_utc(*moments: datetime | None) -> bool:
    """True when a moment cannot be expressed in UTC (e.g. 0001-01-01T01:00+03:00)."""
    try:
        for moment in moments:
            if moment is not None:
                moment.astimezone(UTC)
    except OverflowError:
        return True
    return False


def validation_problem(error: ValidationError) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, describe(error.errors()))


async def on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        {"detail": describe(list(exc.errors()))}, status.HTTP_422_UNPROCESSABLE_CONTENT
    )
