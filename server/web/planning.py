"""The planning of a site: the day's tasks and the word of the day, three weeks at a time.

What is planned reaches the doors through the snapshot (server.kiosks.snapshot), which the kiosks
pull by ETag: a new task or word changes the tag, and every door of the site takes it.
Everything is checked against the snapshot's own models before it is stored, so a plan
can never make the snapshot unservable.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Connection, delete, select

from server.db import writing
from server.deps import EngineDep
from server.schema import participants, tasks, words
from server.sql import upsert
from server.web.access import CsrfDep, SiteViewerDep
from server.web.audit import changed, saw
from server.web.forms import (
    FormDep,
    back,
    participant_at,
    site_or_404,
    site_page,
    site_today,
    text,
)
from server.web.records import KIOSK_LANGUAGES
from server.wording import dutch_date
from sync.protocol import SnapshotTask, SnapshotWord

router = APIRouter(include_in_schema=False)

DAYS_SHOWN = 21
FOR_EVERYONE = ""


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def translation_languages(conn: Connection, site_id: str) -> dict[str, str]:
    """A field per kiosk language, and one per other language the site's people speak: the
    door looks a meaning up by the participant's own language code."""
    spoken = set(
        conn.execute(
            select(participants.c.language).where(
                participants.c.site_id == site_id, participants.c.active.is_(True)
            )
        ).scalars()
    )
    found = {code: name for code, name in KIOSK_LANGUAGES.items() if code not in ("nl", "prs")}
    for code in sorted(spoken - set(found) - {"nl"}):
        found[code] = KIOSK_LANGUAGES.get(code, code)
    return found


def _page(
    request: Request,
    engine: Any,
    viewer: Any,
    site_id: str,
    *,
    start: date | None = None,
    error: str | None = None,
    task_form: dict[str, str] | None = None,
    word_form: dict[str, Any] | None = None,
) -> HTMLResponse:
    now = request.app.state.settings.now()
    with engine.connect() as conn:
        site = site_or_404(conn, site_id)
        today = site_today(site, now)
        if start is None:
            asked = request.query_params.get("from", "")
            start = _day(asked) if asked else today
            if start is None:
                error = (
                    error
                    or f"{asked!r} is geen datum (jjjj-mm-dd): dit is de planning vanaf vandaag."
                )
                start = today
        last = start + timedelta(days=DAYS_SHOWN - 1)
        people = conn.execute(
            select(participants.c.id, participants.c.display_name, participants.c.team)
            .where(participants.c.site_id == site_id, participants.c.active.is_(True))
            .order_by(participants.c.display_name)
        ).all()
        names = dict(
            conn.execute(
                select(participants.c.id, participants.c.display_name).where(
                    participants.c.site_id == site_id
                )
            ).all()
        )
        planned = conn.execute(
            select(tasks)
            .where(tasks.c.site_id == site_id, tasks.c.day >= start, tasks.c.day <= last)
            .order_by(tasks.c.day, tasks.c.id)
        ).all()
        vocabulary = {
            row.day: row
            for row in conn.execute(
                select(words).where(
                    words.c.site_id == site_id, words.c.day >= start, words.c.day <= last
                )
            )
        }
        languages = translation_languages(conn, site_id)
        editing = _day(request.query_params.get("edit", ""))
        word_opened = word_form is not None or editing is not None
        if word_form is None:
            word_form = {"translations": {}}
            if editing is not None:
                row = conn.execute(
                    select(words).where(words.c.site_id == site_id, words.c.day == editing)
                ).first()
                word_form = _word_shown(row) if row else {"day": editing.isoformat(), **word_form}
    task_day = _day(request.query_params.get("task", ""))
    open_form = "task" if task_form or task_day else "word" if word_opened else None
    if task_form is None:
        default = task_day or (today if start <= today <= last else start)
        task_form = {"day": default.isoformat()}
    by_day: dict[date, list[Any]] = {}
    for task in planned:
        by_day.setdefault(task.day, []).append(task)
    saw(engine, viewer, "planning", {t.participant_id for t in planned if t.participant_id}, now)
    return site_page(
        request,
        "planning/plan.html",
        viewer,
        site,
        error=error,
        days=[start + timedelta(days=n) for n in range(DAYS_SHOWN)],
        start=start,
        today=today,
        earlier=(start - timedelta(days=DAYS_SHOWN)).isoformat(),
        later=(start + timedelta(days=DAYS_SHOWN)).isoformat(),
        tasks=by_day,
        vocabulary=vocabulary,
        names=names,
        people=people,
        teams=sorted({p.team for p in people if p.team}),
        languages=languages,
        open_form=open_form,
        task_form=task_form,
        word_form=word_form,
        dutch_date=dutch_date,
    )


def _word_shown(row: Any) -> dict[str, Any]:
    return {
        "day": row.day.isoformat(),
        "word": row.word,
        "article": row.article or "",
        "sentence": row.sentence,
        "symbol": row.symbol or "",
        "theme": row.theme or "",
        "translations": dict(row.translations),
    }


@router.get("/sites/{site_id}/planning", response_class=HTMLResponse)
def planning(request: Request, engine: EngineDep, viewer: SiteViewerDep, site_id: str) -> Response:
    return _page(request, engine, viewer, site_id)


def _from(form: Any, site: Any, now: datetime) -> date:
    """The planning page to go back to: the one the form was on, else today's."""
    return _day(text(form, "from")) or site_today(site, now)


def _to_plan(site_id: str, start: date, saved: str) -> RedirectResponse:
    return back(f"/sites/{site_id}/planning?from={start.isoformat()}&saved={saved}")


@router.post("/sites/{site_id}/planning/tasks", response_model=None)
def add_task(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    site_id: str,
) -> Response:
    now = request.app.state.settings.now()
    shown = {name: text(form, name) for name in ("day", "text", "for")}
    with writing(engine) as conn:
        site = site_or_404(conn, site_id)
        start = _from(form, site, now)
        day = _day(shown["day"])
        target, _colon, value = shown["for"].partition(":")
        participant_id = value if target == "participant" else None
        team = value if target == "team" else None
        error = None
        if day is None:
            error = "Kies een dag voor de taak."
        elif not shown["text"] or len(shown["text"]) > 200:
            error = "Schrijf de taak in 1 tot 200 tekens."
        elif target not in ("", "participant", "team") or (target and not value):
            error = "Kies voor wie de taak is."
        elif participant_id is not None and participant_at(conn, site_id, participant_id) is None:
            error = "Deze deelnemer is niet van deze locatie."
        elif team is not None and len(team) > 64:
            error = "Een teamnaam is hoogstens 64 tekens."
        if error is None:
            assert day is not None
            try:
                task = SnapshotTask(
                    day=day, text=shown["text"], participant_id=participant_id, team=team
                )
            except ValidationError:
                error = "Deze taak kan de kiosk niet tonen: controleer de tekst."
        if error is None:
            conn.execute(tasks.insert().values(site_id=site_id, **task.model_dump()))
            detail = {"task": "added", "day": task.day.isoformat()}
            changed(conn, viewer, "task", participant_id, detail, now)
    if error is not None:  # the page is drawn outside the write transaction
        return _page(request, engine, viewer, site_id, start=start, error=error, task_form=shown)
    return _to_plan(site_id, start, "task")


@router.post("/sites/{site_id}/planning/tasks/{task_id}/delete", response_model=None)
def delete_task(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    site_id: str,
    task_id: int,
) -> Response:
    now = request.app.state.settings.now()
    with writing(engine) as conn:
        site = site_or_404(conn, site_id)
        row = conn.execute(
            select(tasks).where(tasks.c.id == task_id, tasks.c.site_id == site_id)
        ).first()
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "deze taak is niet van deze locatie")
        conn.execute(delete(tasks).where(tasks.c.id == task_id))
        detail = {"task": "deleted", "day": row.day.isoformat()}
        changed(conn, viewer, "task", row.participant_id, detail, now)
        start = _from(form, site, now)
    return _to_plan(site_id, start, "deleted")


def read_word(form: Any, languages: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    """The word form as sent, and what is wrong with it (Dutch), if anything."""
    shown: dict[str, Any] = {
        name: text(form, name) for name in ("day", "word", "article", "sentence", "symbol", "theme")
    }
    shown["translations"] = {
        code: text(form, f"tr_{code}") for code in languages if text(form, f"tr_{code}")
    }
    if _day(shown["day"]) is None:
        return shown, "Kies een dag voor het woord."
    if not shown["word"] or len(shown["word"]) > 200:
        return shown, "Schrijf het woord in 1 tot 200 tekens."
    if shown["article"] not in ("", "de", "het"):
        return shown, "Het lidwoord is de, het of geen."
    if len(shown["sentence"]) > 500:
        return shown, "De voorbeeldzin is hoogstens 500 tekens."
    if len(shown["symbol"]) > 16:
        return shown, "Het symbool is een of twee tekens, zoals ☂ of 🔨."
    if len(shown["theme"]) > 64:
        return shown, "Het thema is hoogstens 64 tekens."
    if any(len(v) > 500 for v in shown["translations"].values()):
        return shown, "Een vertaling is hoogstens 500 tekens."
    return shown, None


@router.post("/sites/{site_id}/planning/words", response_model=None)
def set_word(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    site_id: str,
) -> Response:
    """Set the word of a day, replacing the one planned for that day."""
    now = request.app.state.settings.now()
    with writing(engine) as conn:
        site = site_or_404(conn, site_id)
        start = _from(form, site, now)
        shown, error = read_word(form, translation_languages(conn, site_id))
        if error is None:
            try:
                word = SnapshotWord(
                    day=date.fromisoformat(shown["day"]),
                    word=shown["word"],
                    article=shown["article"] or None,
                    sentence=shown["sentence"],
                    translations=shown["translations"],
                    symbol=shown["symbol"] or None,
                )
            except ValidationError:
                error = "Dit woord kan de kiosk niet tonen: controleer de velden."
        if error is None:
            values = {"site_id": site_id, **word.model_dump(), "theme": shown["theme"] or None}
            upsert(conn, words, ["site_id", "day"], values)
            detail = {"word": "set", "day": word.day.isoformat()}
            changed(conn, viewer, "word", None, detail, now)
    if error is not None:
        return _page(request, engine, viewer, site_id, start=start, error=error, word_form=shown)
    return _to_plan(site_id, start, "word")


@router.post("/sites/{site_id}/planning/words/{day}/delete", response_model=None)
def delete_word(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    site_id: str,
    day: date,
) -> Response:
    now = request.app.state.settings.now()
    with writing(engine) as conn:
        site = site_or_404(conn, site_id)
        done = conn.execute(
            delete(words).where(words.c.site_id == site_id, words.c.day == day)
        ).rowcount
        if not done:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "voor deze dag is geen woord gepland")
        changed(conn, viewer, "word", None, {"word": "deleted", "day": day.isoformat()}, now)
        start = _from(form, site, now)
    return _to_plan(site_id, start, "deleted")
