"""A kiosk's request body, read by hand within one size limit: the push's and the heartbeat's.

An oversized body is refused (413) before it is read in full or parsed: a Content-Length
over the limit at once, a body without one (chunked) as soon as it passes the limit.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

from sync.protocol import MAX_BODY_BYTES


async def limited_body(request: Request) -> bytes:
    """The body, refusing (413) anything over MAX_BODY_BYTES without reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise _too_large()
    return bytes(body)


def _too_large() -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE, f"body larger than {MAX_BODY_BYTES} bytes"
    )


LimitedBody = Annotated[bytes, Depends(limited_body)]


def may_be_unstorable(body: bytes) -> bool:
    """Whether a JSON body could hold text or a number the databases cannot store as sent
    (server.api.problems.unstorable): only one that spells out a NUL, a surrogate or a
    non-finite number can. Most bodies need not be walked value by value."""
    lowered = body.lower()
    return any(mark in lowered for mark in (b"\\u0000", b"\\ud", b"nan", b"infinity"))


def json_body(model: str) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that reads `model` by hand (server.app adds
    the model to the schema's components)."""
    schema = {"$ref": f"#/components/schemas/{model}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
