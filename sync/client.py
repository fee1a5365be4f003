"""The kiosk's side of the wire: push records, pull the snapshot, send a heartbeat.

Every request has a timeout and verifies TLS. Failures become one-line SyncErrors the
loop can log and back off on; the token, names and badge ids never appear in them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel, ValidationError

from sync.protocol import (
    API_PREFIX,
    HIGHEST_SEQ,
    LOG_LINES,
    OWN_SAY,
    PHOTOS,
    PHRASE_FIXES,
    PICTOGRAMS,
    RECALL,
    UNDERSTANDS_HEADER,
    UPGRADE,
    VOICES,
    Heartbeat,
    HeartbeatResponse,
    Problem,
    PushRequest,
    PushResponse,
    SitePresence,
    Snapshot,
    WireRecord,
)

log = logging.getLogger(__name__)

# A server asking for more than this is misconfigured; the kiosk retries within the hour.
MAX_RETRY_AFTER = 3600.0

M = TypeVar("M", bound=BaseModel)


class SyncError(Exception):
    """A round could not be completed; the message is one line for the log."""


class AuthError(SyncError):
    """The server refused this kiosk's token (wrong or revoked): an admin must act."""


class RetryLater(SyncError):
    """The server is busy and said when to come back (429/503 with Retry-After)."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


class BatchRefused(SyncError):
    """The server refused a push as a whole (413 too big for one record, 422 malformed)."""

    def __init__(self, message: str, *, status: int, records: Sequence[WireRecord]) -> None:
        super().__init__(message)
        self.status = status
        self.records = list(records)


@dataclass(frozen=True)
class Pulled:
    """A snapshot the server sent because it changed, with its new ETag."""

    snapshot: Snapshot
    etag: str | None


class ServerClient:
    """Talks to one prikklok server as one kiosk."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float,
        ca_file: str | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.timeout = timeout
        # Never False: a kiosk that trusts any certificate hands its token to anyone.
        self.verify: str | bool = ca_file or True
        self._token = token
        self._session = session or requests.Session()

    def __repr__(self) -> str:  # the token stays out of reprs and tracebacks
        return f"ServerClient({self.base_url!r})"

    def close(self) -> None:
        self._session.close()

    def push(self, records: Sequence[WireRecord], *, body: str | None = None) -> PushResponse:
        """Send records (body: their PushRequest, if already written); a batch the server
        finds too big is halved and sent again."""
        if not records:
            return PushResponse(results=[])
        body = body or PushRequest(records=list(records)).model_dump_json()
        response = self._request("POST", "/records", data=body)
        if response.status_code == 413 and len(records) > 1:
            half = len(records) // 2
            log.info("server found a batch of %d too big; sending halves", len(records))
            first, second = self.push(records[:half]), self.push(records[half:])
            return PushResponse(results=[*first.results, *second.results])
        if response.status_code in (413, 422):
            raise BatchRefused(
                f"server refused a batch of {len(records)} ({response.status_code}): "
                f"{_problem(response)}",
                status=response.status_code,
                records=records,
            )
        return self._parse(response, PushResponse)

    def pull(self, etag: str | None) -> Pulled | None:
        """The snapshot if it changed since etag; None when the server says 304."""
        understood = ",".join((PICTOGRAMS, PHOTOS, VOICES, PHRASE_FIXES, OWN_SAY, RECALL, UPGRADE))
        headers = {UNDERSTANDS_HEADER: understood, **({"If-None-Match": etag} if etag else {})}
        response = self._request("GET", "/snapshot", headers=headers)
        if response.status_code == 304:
            return None
        return Pulled(self._parse(response, Snapshot), response.headers.get("ETag"))

    def heartbeat(self, beat: Heartbeat) -> HeartbeatResponse:
        response = self._request(
            "POST",
            "/heartbeat",
            # Left out, never null, while there are none: an older server forbids the name.
            data=beat.model_dump_json(exclude=_left_out(beat) or None),
            headers={UNDERSTANDS_HEADER: f"{HIGHEST_SEQ},{LOG_LINES},{UPGRADE}"},
        )
        if response.status_code == 422 and beat.upgrade is not None:  # upgrades
            log.info("server refused the upgrade report (%s); heartbeat sent without",
                     _problem(response))  # fmt: skip
            return self.heartbeat(beat.model_copy(update={"upgrade": None}))
        if response.status_code == 422 and beat.log_lines is not None:
            # A server put back to an older version refuses the field it no longer knows:
            # the heartbeat goes without, and the answer says not to send them again.
            log.info(
                "server refused the log lines (%s); heartbeat sent without", _problem(response)
            )
            return self.heartbeat(beat.model_copy(update={"log_lines": None}))
        return self._parse(response, HeartbeatResponse)

    def wheelhouse(self, sha256: str) -> bytes:
        """A release's manifest or wheel (sync.upgrade_install checks it against sha256)."""
        response = self._request(
            "GET", f"/wheelhouse/{sha256}", headers={"Accept": "application/octet-stream"}
        )
        return response.content

    def media(self, sha256: str) -> bytes:
        """The bytes of a photo the snapshot names (sync.media checks them against it)."""
        response = self._request("GET", f"/media/{sha256}", headers={"Accept": "image/*"})
        return response.content

    def presence(self) -> SitePresence:
        """Who is in at this kiosk's site, as the server knows it."""
        # OWN_SAY: each participant's days around this week, for "my week" at the door.
        response = self._request("GET", "/presence", headers={UNDERSTANDS_HEADER: OWN_SAY})
        return self._parse(response, SitePresence)

    # -- the one place requests are made -----------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        data: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        url = f"{self.base_url}{API_PREFIX}{path}"
        sent = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if data is not None:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        try:
            response = self._session.request(
                method,
                url,
                data=data.encode() if data is not None else None,
                headers=sent,
                timeout=self.timeout,
                verify=self.verify,
                # A redirected POST turns into a GET and loses its body: say so instead.
                allow_redirects=False,
            )
        except requests.Timeout:
            raise SyncError(f"{self.host}: no answer within {self.timeout:g} s") from None
        except requests.exceptions.SSLError as error:
            raise SyncError(f"{self.host}: TLS failed: {_reason(error)}") from None
        except requests.ConnectionError as error:
            raise SyncError(f"{self.host}: cannot connect: {_reason(error)}") from None
        except requests.RequestException as error:
            raise SyncError(f"{self.host}: request failed: {_reason(error)}") from None
        self._check(response, f"{method} {path}")
        return response

    def _check(self, response: requests.Response, what: str) -> None:
        status = response.status_code
        if status < 300 or status in (304, 413, 422):
            return
        if status == 401:
            raise AuthError(
                f"{self.host}: this kiosk's token was refused (401); "
                "an admin must issue a new one (prikklok server add-kiosk)"
            )
        if status in (429, 503):
            seconds = retry_after(response.headers.get("Retry-After"))
            if seconds is not None:
                raise RetryLater(f"{self.host}: busy ({status}), retry in {seconds:g} s", seconds)
        if 300 <= status < 400:
            where = response.headers.get("Location", "?")
            raise SyncError(
                f"{self.host}: {what} redirected ({status}) to {where}; "
                "set sync.server_url to the final address"
            )
        raise SyncError(f"{self.host}: {what} answered {status}: {_problem(response)}")

    def _parse(self, response: requests.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            raise SyncError(
                f"{self.host}: answer not understood as {model.__name__} "
                f"({error.error_count()} problems, first at "
                f"{'.'.join(str(p) for p in error.errors()[0]['loc']) or 'top'})"
            ) from None


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), capped; None if unusable."""
    if not value:
        return None
    value = value.strip()
    seconds: float
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _problem(response: requests.Response) -> str:
    """The server's one-sentence reason, or a short piece of the body."""
    try:
        return Problem.model_validate_json(response.content).detail
    except ValidationError:
        pass
    try:
        detail: Any = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        # FastAPI's validation errors echo the input: keep the place and message only,
        # so no badge id or name reaches the log.
        first = detail[0]
        place = ".".join(str(p) for p in first.get("loc", ()))
        return f"{len(detail)} problems, first at {place}: {first.get('msg', '?')}"
    if isinstance(detail, str) and detail:
        return _first_line(detail)[:300]
    return _first_line(response.text)[:200] or response.reason or "no reason given"


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


def _reason(error: Exception) -> str:
    """The useful end of urllib3's nested error text ('Connection refused')."""
    text = _first_line(error)
    found = _ERRNO.search(text)
    if found:
        return found.group(1).strip()
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "the server closed the connection without answering"
    return text[:200]


def _first_line(thing: object) -> str:
    text = str(thing).strip()
    return text.splitlines()[0] if text else ""


def _left_out(beat: Heartbeat) -> set[str]:
    """Optional fields left out, never sent as null, while empty: an older server forbids
    the names."""
    return {name for name in ("log_lines", "upgrade") if getattr(beat, name) is None}
