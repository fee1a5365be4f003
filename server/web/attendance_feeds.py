"""A coach's attendance feeds behind a secret link: `/feeds/{token}/attendance.{format}`.

No login (a calendar app or a case system cannot log in): the token is the key. An
unknown or revoked token gets 404 at once; every answer says `Referrer-Policy:
no-referrer` (the link must not leak through a Referer header) and `Cache-Control:
no-store`. Each access stamps the link's `last_used_at` and writes one audit line per
participant whose data went out, so a participant's data request shows every feed that
carried their days. Only the JSON route is in the OpenAPI schema: a case system is built
against it; the other formats are for people's own tools.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute

from server.api.problems import PROBLEM, on_validation_error
from server.attendance.history import WORKSHOP_TIMEZONE
from server.deps import ClockDep, EngineDep
from server.feeds.content import Feed
from server.feeds.csv_feed import days_csv, summary_csv
from server.feeds.delivery import deliver, link_holder
from server.feeds.ics_feed import attendance_ics
from server.feeds.json_feed import AttendanceFeed, attendance_feed
from server.feeds.xlsx_feed import attendance_xlsx

PRIVATE = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
MAX_DAYS = 366
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PrivateFeedRoute(APIRoute):
    """Every answer of a feed route carries PRIVATE headers, refusals included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def private(request: Request) -> Response:
            try:
                response = await handler(request)
            except RequestValidationError as invalid:
                response = await on_validation_error(request, invalid)
            except HTTPException as refused:
                refused.headers = {**(refused.headers or {}), **PRIVATE}
                raise
            response.headers.update(PRIVATE)
            return response

        return private


router = APIRouter(tags=["coach feeds"], route_class=PrivateFeedRoute)

TokenPath = Annotated[
    str, Path(min_length=1, max_length=100, description="The secret of the coach's feed link.")
]
FromQuery = Annotated[
    date | None,
    Query(alias="from", description="First day (default: six months before `to`)."),
]
ToQuery = Annotated[
    date | None, Query(alias="to", description="Last day, inclusive (default: today).")
]
ParticipantQuery = Annotated[
    str | None, Query(max_length=64, description="Only this participant of the coach.")
]


def _not_found(detail: str = "unknown feed link") -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=detail)


def _invalid(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail)


def six_months_before(day: date) -> date:
    """The same day six months earlier (31 August → 28 or 29 February)."""
    year, month = (day.year, day.month - 6) if day.month > 6 else (day.year - 1, day.month + 6)
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def period(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The period asked for, or the last six months up to today; 422 when it makes no sense."""
    last = last or today
    first = first or six_months_before(last)
    if not (EARLIEST <= first <= LATEST and EARLIEST <= last <= LATEST):
        raise _invalid(f"dates must lie between {EARLIEST} and {LATEST}")
    if first > last:
        raise _invalid("from must not be after to")
    if (last - first).days >= MAX_DAYS:
        raise _invalid(f"a feed covers at most {MAX_DAYS} days: ask for it in parts")
    return first, last


@dataclass(frozen=True)
class FeedAsked:
    """What a feed request asks, the same for every format: the link's token, the period
    and perhaps one participant (a dependency, so each route declares none of it)."""

    request: Request
    engine: EngineDep
    now: datetime
    token: str
    first: date | None
    last: date | None
    participant: str | None


def _asked(
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    token: TokenPath,
    first: FromQuery = None,
    last: ToQuery = None,
    participant: ParticipantQuery = None,
) -> FeedAsked:
    return FeedAsked(request, engine, clock(), token, first, last, participant)


AskedDep = Annotated[FeedAsked, Depends(_asked)]


def _paged(
    limit: Annotated[int, Query(ge=1, le=5000, description="Participant-days per page.")] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> tuple[int, int]:
    return limit, offset


# A dependency of its own, so the schema lists limit and offset after the period.
PagedDep = Annotated[tuple[int, int], Depends(_paged)]


def _feed(asked: FeedAsked, kind: str) -> Feed:
    """The feed behind the token; the access is stamped and audited before anything goes out."""
    settings = asked.request.app.state.settings
    holder = link_holder(asked.engine, asked.token)
    if holder is None:
        raise _not_found()
    today = asked.now.astimezone(ZoneInfo(WORKSHOP_TIMEZONE)).date()
    start, end = period(asked.first, asked.last, today)
    feed = deliver(
        asked.engine,
        holder,
        start,
        end,
        asked.participant,
        kind=kind,
        now=asked.now,
        late_after=timedelta(minutes=settings.late_after_minutes),
        alert_after=settings.absence_alert_after,
    )
    if feed is None:
        raise _not_found("unknown participant")
    return feed


def _file(body: bytes, media_type: str, feed: Feed, suffix: str) -> Response:
    name = f"aanwezigheid-{feed.first}-{feed.last}.{suffix}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/feeds/{token}/attendance.json",
    response_model=AttendanceFeed,
    responses={404: PROBLEM, 422: PROBLEM},
    summary="A coach's attendance feed",
)
def attendance_json(asked: AskedDep, paged: PagedDep) -> AttendanceFeed:
    """The coach's participants over a period: a summary per participant (on every page)
    and one row per participant-day (agreed days, and days they came anyway), paged."""
    limit, offset = paged
    return attendance_feed(_feed(asked, "json"), limit, offset)


@router.get("/feeds/{token}/attendance.csv", include_in_schema=False)
def attendance_csv(
    asked: AskedDep, view: Annotated[str, Query(pattern="^(days|summary)$")] = "days"
) -> Response:
    feed = _feed(asked, "csv")
    body = summary_csv(feed) if view == "summary" else days_csv(feed)
    return _file(body, "text/csv; charset=utf-8", feed, "csv")


@router.get("/feeds/{token}/attendance.xlsx", include_in_schema=False)
def attendance_spreadsheet(asked: AskedDep) -> Response:
    feed = _feed(asked, "xlsx")
    return _file(attendance_xlsx(feed), XLSX, feed, "xlsx")


@router.get("/feeds/{token}/attendance.ics", include_in_schema=False)
def attendance_calendar(asked: AskedDep) -> Response:
    # Inline, not an attachment: calendar apps subscribe to the URL itself.
    feed = _feed(asked, "ics")
    return Response(attendance_ics(feed), media_type="text/calendar; charset=utf-8")
