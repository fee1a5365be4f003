"""The planning of a site: the day's tasks and the word of the day, three weeks at a time.

What is planned reaches the doors through the snapshot (server.kiosks.snapshot), which the
kiosks pull by ETag: a new task or word changes the tag, and every door of the site takes
it. Everything is checked against the snapshot's own models before it is stored, so a plan
can never make the snapshot unservable; the queries and changes are the administration's
(server.administration.plan), this module reads forms and draws the page.

A task and a word can carry the workshop's own photo (chosen from a file, or taken with a
phone's camera), checked, cleaned and scaled by server.administration.media; the door shows
it in the pictogram's place. A photo sent with a form that is refused for another reason
is kept and shown again, so the supervisor need not choose it twice.

A task and a word can carry a pictogram from the set the doors carry (sync.pictograms),
picked by searching its Dutch words: typed, the picker answers as you type (static
pictograms.js asks `…/planning/pictograms?q=`); without script, the form's "Zoek" button
draws the page again with the matches and everything typed so far.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from server.administration import media, plan, starter_set
from server.administration.audit import saw
from server.administration.words_met import words_met
from server.deps import ClockDep, EngineDep
from server.web.access import CsrfDep, SiteViewerDep
from server.web.forms import FormDep, back, site_page, site_today, text
from server.web.planned_media import read_photo, read_voice
from server.web.records import KIOSK_LANGUAGES
from server.web.starter_load import counts
from server.wording import dutch_date
from sync.pictograms import CatalogueEntry, known, picture, search
from sync.protocol import SnapshotTask, SnapshotWord

router = APIRouter(include_in_schema=False)

DAYS_SHOWN = 21
FOR_EVERYONE = ""
SEARCH = "zoek"  # the picker's search field, and the value of its button ("actie")
SHOWN_MATCHES = 30


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def translation_languages(spoken: set[str]) -> dict[str, str]:
    """A field per kiosk language, and one per other language the site's people speak: the
    door looks a meaning up by the participant's own language code."""
    found = {code: name for code, name in KIOSK_LANGUAGES.items() if code not in ("nl", "prs")}
    for code in sorted(spoken - set(found) - {"nl"}):
        found[code] = KIOSK_LANGUAGES.get(code, code)
    return found


def _site(engine: Any, site_id: str) -> Any:
    site = plan.site(engine, site_id)
    if site is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze locatie bestaat niet")
    return site


def _matches(query: str) -> list[CatalogueEntry]:
    return search(query, SHOWN_MATCHES) if query else []


def _page(
    request: Request,
    engine: Any,
    viewer: Any,
    site_id: str,
    now: datetime,
    *,
    start: date | None = None,
    error: str | None = None,
    task_form: dict[str, str] | None = None,
    word_form: dict[str, Any] | None = None,
) -> HTMLResponse:
    site = _site(engine, site_id)
    today = site_today(site, now)
    if start is None:
        asked = request.query_params.get("from", "")
        start = _day(asked) if asked else today
        if start is None:
            error = (
                error or f"{asked!r} is geen datum (jjjj-mm-dd): dit is de planning vanaf vandaag."
            )
            start = today
    last = start + timedelta(days=DAYS_SHOWN - 1)
    editing = _day(request.query_params.get("edit", ""))
    shown = plan.window(engine, site_id, start, last, editing if word_form is None else None)
    word_opened = word_form is not None or editing is not None
    if word_form is None:
        word_form = {"translations": {}}
        if editing is not None:
            row = shown.editing
            word_form = _word_shown(row) if row else {"day": editing.isoformat(), **word_form}
    task_day = _day(request.query_params.get("task", ""))
    open_form = "task" if task_form or task_day else "word" if word_opened else None
    if task_form is None:
        default = task_day or (today if start <= today <= last else start)
        task_form = {"day": default.isoformat()}
    by_day: dict[date, list[Any]] = {}
    for task in shown.tasks:
        by_day.setdefault(task.day, []).append(task)
    involved = {t.participant_id for t in shown.tasks if t.participant_id}
    saw(engine, viewer, "planning", involved, now)
    teams = sorted({p.team for p in shown.people if p.team})
    group = request.query_params.get("groep", "")
    met = words_met(engine, site_id, today, group if group in teams else None)
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
        vocabulary=shown.words,
        names=shown.names,
        people=shown.people,
        teams=teams,
        met=met,
        starter_size=len(starter_set.starter_words()),
        starter_from=starter_set.next_workday(today).isoformat(),
        loaded=counts(request.query_params),
        languages=translation_languages(shown.spoken),
        open_form=open_form,
        task_form=task_form,
        word_form=word_form,
        task_matches=_matches(task_form.get(SEARCH, "")),
        word_matches=_matches(word_form.get(SEARCH, "")),
        dutch_date=dutch_date,
    )


def _word_shown(row: Any) -> dict[str, Any]:
    return {
        "day": row.day.isoformat(),
        "word": row.word,
        "article": row.article or "",
        "sentence": row.sentence,
        "symbol": row.symbol or "",
        "pictogram": row.pictogram or "",
        "photo": row.photo or "",
        "voice": row.voice or "",
        "theme": row.theme or "",
        "translations": dict(row.translations),
    }


@router.get("/sites/{site_id}/planning", response_class=HTMLResponse)
def planning(
    request: Request, engine: EngineDep, viewer: SiteViewerDep, now: ClockDep, site_id: str
) -> Response:
    return _page(request, engine, viewer, site_id, now())


@router.get("/sites/{site_id}/planning/pictograms", response_class=JSONResponse)
def pictograms(request: Request, viewer: SiteViewerDep, site_id: str) -> JSONResponse:
    """The picker's matches for `q`, best first, as the page's script draws them."""
    found = _matches(request.query_params.get("q", "").strip()[:100])
    return JSONResponse(
        {"pictograms": [{"name": p.name, "label": p.label, "src": _src(p.name)} for p in found]}
    )


def _src(name: str) -> str:
    return f"/pictograms/{name}.png"


@router.get("/pictograms/{name}.png")
def pictogram_picture(name: str) -> Response:
    """A pictogram's picture; open to all, like the set itself (CC BY-SA 4.0)."""
    path = picture(name)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dit pictogram bestaat niet")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "max-age=86400"})


def _from(form: Any, site: Any, now: datetime) -> date:
    """The planning page to go back to: the one the form was on, else today's."""
    return _day(text(form, "from")) or site_today(site, now)


def _to_plan(site_id: str, start: date, saved: str) -> RedirectResponse:
    return back(f"/sites/{site_id}/planning?from={start.isoformat()}&saved={saved}")


def _searching(form: Any) -> bool:
    """The picker's "Zoek" button sent the form: show the matches, store nothing."""
    return text(form, "actie") == SEARCH


@router.get("/sites/{site_id}/planning/photos/{sha256}")
def planned_photo(engine: EngineDep, viewer: SiteViewerDep, site_id: str, sha256: str) -> Response:
    """A stored photo, for the page; its name is its content, so it is cached for good."""
    found = media.photo_bytes(engine, sha256)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze foto bestaat niet")
    content, content_type = found
    headers = {"Cache-Control": "private, max-age=31536000, immutable"}
    return Response(content, media_type=content_type, headers=headers)


@router.get("/sites/{site_id}/planning/voices/{sha256}")
def planned_voice(engine: EngineDep, viewer: SiteViewerDep, site_id: str, sha256: str) -> Response:
    """A stored recording of a word, to listen to on the page."""
    return planned_photo(engine, viewer, site_id, sha256)


def _pictogram_error(name: str) -> str | None:
    if name and not known(name):
        return "Dit plaatje staat niet in de lijst: kies er een uit de zoekresultaten."
    return None


@router.post("/sites/{site_id}/planning/tasks", response_model=None)
def add_task(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    now: ClockDep,
    site_id: str,
) -> Response:
    at = now()
    shown = {name: text(form, name) for name in ("day", "text", "for", "pictogram", SEARCH)}
    site = _site(engine, site_id)
    start = _from(form, site, at)
    shown["photo"], photo_error = read_photo(engine, form, at)
    if _searching(form):
        return _page(request, engine, viewer, site_id, at, start=start, task_form=shown)
    day = _day(shown["day"])
    target, _colon, value = shown["for"].partition(":")
    participant_id = value if target == "participant" else None
    team = value if target == "team" else None
    error = None
    if photo_error is not None:
        error = photo_error
    elif day is None:
        error = "Kies een dag voor de taak."
    elif not shown["text"] or len(shown["text"]) > 200:
        error = "Schrijf de taak in 1 tot 200 tekens."
    elif target not in ("", "participant", "team") or (target and not value):
        error = "Kies voor wie de taak is."
    elif team is not None and len(team) > 64:
        error = "Een teamnaam is hoogstens 64 tekens."
    else:
        error = _pictogram_error(shown["pictogram"])
    if error is None:
        assert day is not None
        try:
            task = SnapshotTask(
                day=day,
                text=shown["text"],
                participant_id=participant_id,
                team=team,
                pictogram=shown["pictogram"] or None,
                photo=shown["photo"] or None,
            )
        except ValidationError:
            error = "Deze taak kan de kiosk niet tonen: controleer de tekst."
    if error is None and not plan.add_task(engine, site_id, task, actor=viewer.actor, at=at):
        error = "Deze deelnemer is niet van deze locatie."
    if error is not None:
        return _page(
            request, engine, viewer, site_id, at, start=start, error=error, task_form=shown
        )
    return _to_plan(site_id, start, "task")


@router.post("/sites/{site_id}/planning/tasks/{task_id}/delete", response_model=None)
def delete_task(
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    now: ClockDep,
    site_id: str,
    task_id: int,
) -> Response:
    at = now()
    site = _site(engine, site_id)
    if not plan.delete_task(engine, site_id, task_id, actor=viewer.actor, at=at):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze taak is niet van deze locatie")
    return _to_plan(site_id, _from(form, site, at), "deleted")


def read_word(form: Any, languages: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    """The word form as sent, and what is wrong with it (Dutch), if anything."""
    shown: dict[str, Any] = {
        name: text(form, name)
        for name in ("day", "word", "article", "sentence", "symbol", "pictogram", "theme", SEARCH)
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
    return shown, _pictogram_error(shown["pictogram"])


@router.post("/sites/{site_id}/planning/words", response_model=None)
def set_word(
    request: Request,
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    now: ClockDep,
    site_id: str,
) -> Response:
    """Set the word of a day, replacing the one planned for that day."""
    at = now()
    site = _site(engine, site_id)
    start = _from(form, site, at)
    languages = translation_languages(plan.spoken_languages(engine, site_id))
    shown, error = read_word(form, languages)
    shown["photo"], photo_error = read_photo(engine, form, at)
    shown["voice"], voice_error = read_voice(engine, form, at)
    error = photo_error or voice_error or error
    if _searching(form):
        return _page(request, engine, viewer, site_id, at, start=start, word_form=shown)
    if error is None:
        try:
            word = SnapshotWord(
                day=date.fromisoformat(shown["day"]),
                word=shown["word"],
                article=shown["article"] or None,
                sentence=shown["sentence"],
                translations=shown["translations"],
                symbol=shown["symbol"] or None,
                pictogram=shown["pictogram"] or None,
                photo=shown["photo"] or None,
                voice=shown["voice"] or None,
            )
        except ValidationError:
            error = "Dit woord kan de kiosk niet tonen: controleer de velden."
    if error is not None:
        return _page(
            request, engine, viewer, site_id, at, start=start, error=error, word_form=shown
        )
    plan.set_word(engine, site_id, word, shown["theme"] or None, actor=viewer.actor, at=at)
    return _to_plan(site_id, start, "word")


@router.post("/sites/{site_id}/planning/words/{day}/delete", response_model=None)
def delete_word(
    engine: EngineDep,
    viewer: SiteViewerDep,
    _: CsrfDep,
    form: FormDep,
    now: ClockDep,
    site_id: str,
    day: date,
) -> Response:
    at = now()
    site = _site(engine, site_id)
    if not plan.delete_word(engine, site_id, day, actor=viewer.actor, at=at):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "voor deze dag is geen woord gepland")
    return _to_plan(site_id, _from(form, site, at), "deleted")
