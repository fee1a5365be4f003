"""The forms of the staff pages: what every page with a form needs (the form as sent, its
fields, the site of the path and its participants, the site's dates and times, the page
with its refusal or confirmation, the redirect after a change) and the participant form,
read and checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from server.attendance.today import Site, find_site
from server.deps import EngineDep
from server.web.pages import render
from server.wording import MONTHS, WEEKDAYS
from sync.roster import parse_birthday

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")  # "ar", "prs", "fa-af"


# --- shared by the site and admin pages ------------------------------------------------


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]  # read once; the CSRF check read it already


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def no_such_site() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="deze locatie bestaat niet")


def known_site(engine: EngineDep, site_id: str) -> Site:
    """The site a page's address names, or 404: an admin may type any site id into the
    address bar, and a page acts on the site of its path only."""
    site = find_site(engine, site_id)
    if site is None:
        raise no_such_site()
    return site


def site_today(site: Any, now: datetime) -> date:
    return now.astimezone(ZoneInfo(site.timezone)).date()


def moment(at: datetime | None, tz: str) -> str:
    """'di 24-11 10:02' in the site's time."""
    if at is None:
        return "–"
    local = at.astimezone(ZoneInfo(tz))
    return f"{WEEKDAYS[local.weekday()][:2]} {local.day}-{local.month} {local:%H:%M}"


def short_date(day: date | None) -> str:
    """'1 okt 2026'; '…' for an open end."""
    if day is None:
        return "…"
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def page(
    request: Request,
    template: str,
    viewer: Any,
    *,
    error: str | None = None,
    status_code: int | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page with forms: shown again with a refusal it is a 400; `saved` (set by the
    redirect after a change) says which change to confirm."""
    return render(
        request,
        template,
        viewer,
        status_code=status_code or (status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK),
        error=error,
        saved=request.query_params.get("saved"),
        **context,
    )


def site_page(
    request: Request, template: str, viewer: Any, site: Any, **context: Any
) -> HTMLResponse:
    """A page of one site: the site's menu and name, and moments in the site's time."""
    return page(
        request,
        template,
        viewer,
        site=site.id,
        site_row=site,
        moment=lambda at: moment(at, site.timezone),
        **context,
    )


def back(url: str) -> RedirectResponse:
    """After a change, back to a page with a GET, so a reload does not send the form again."""
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


# --- reading the participant form ------------------------------------------------------


@dataclass
class Filled:
    """The participant form as sent (to show again) and, when valid, the row to store."""

    shown: dict[str, Any]
    errors: list[str]
    row: dict[str, Any]


def _date(form: FormData, name: str, label: str, errors: list[str]) -> date | None:
    value = text(form, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{label}: geen geldige datum (jjjj-mm-dd).")
        return None


def _birthday(day: str, month: str, errors: list[str]) -> str | None:
    """Day and month only, and only if the participant wishes: both empty is none."""
    if not day and not month:
        return None
    if not day or not month:
        errors.append("Verjaardag: kies dag én maand, of laat beide leeg.")
        return None
    try:
        m, d = parse_birthday(f"{int(month):02d}-{int(day):02d}")
    except ValueError:
        errors.append("Verjaardag: deze dag bestaat niet.")
        return None
    return f"{m:02d}-{d:02d}"


def read_participant(form: FormData, coaches: dict[str, str]) -> Filled:
    """The participant form, checked: Dutch messages for every mistake at once."""
    errors: list[str] = []
    shown: dict[str, Any] = {
        name: text(form, name)
        for name in (
            "id", "display_name", "language", "program_start", "program_end", "coach",
            "coach_was", "team", "birthday_day", "birthday_month",
        )
    }  # fmt: skip
    shown["active"] = form.get("active") is not None
    shown["word_check"] = form.get("word_check") is not None
    days = set()
    for value in form.getlist("weekdays"):
        if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= 7:
            days.add(int(value))
    shown["weekdays"] = days
    name = shown["display_name"]
    if not name:
        errors.append("Naam: vul een naam in.")
    elif len(name) > 200:
        errors.append("Naam: hoogstens 200 tekens.")
    language = (text(form, "language_other") or shown["language"]).lower() or "nl"
    shown["language"] = language
    if not LANGUAGE_CODE.match(language):
        errors.append("Taal: een taalcode zoals ar, ti of fa.")
    start = _date(form, "program_start", "Begin programma", errors)
    end = _date(form, "program_end", "Einde programma", errors)
    if start and end and end <= start:
        errors.append("Einde programma: moet na het begin liggen.")
    if shown["coach"] and shown["coach"] not in coaches and shown["coach"] != shown["coach_was"]:
        errors.append("Coach: kies een coach uit de lijst.")
    if len(shown["team"]) > 64:
        errors.append("Team: hoogstens 64 tekens.")
    birthday = _birthday(shown["birthday_day"], shown["birthday_month"], errors)
    row = {
        "display_name": name,
        "language": language,
        "program_start": start,
        "program_end": end,
        "agreed_weekdays": ",".join(str(d) for d in sorted(days)),
        "birthday": birthday,
        "team": shown["team"] or None,
        "active": shown["active"],
        "word_check": shown["word_check"],
    }
    return Filled(shown, errors, row)


def shown_of(row: Any, coach: str | None) -> dict[str, Any]:
    """A stored participant as the form shows it."""
    month, day = row.birthday.split("-") if row.birthday else ("", "")
    return {
        "id": row.id,
        "display_name": row.display_name,
        "language": row.language,
        "program_start": row.program_start.isoformat() if row.program_start else "",
        "program_end": row.program_end.isoformat() if row.program_end else "",
        "weekdays": {int(d) for d in row.agreed_weekdays.split(",") if d},
        "coach": coach or "",
        "coach_was": coach or "",
        "team": row.team or "",
        "birthday_day": str(int(day)) if day else "",
        "birthday_month": str(int(month)) if month else "",
        "active": row.active,
        "word_check": row.word_check,
    }
