"""The Vertalingen pages, for admins and translators: per language every phrase the door
can show, its Dutch source, the current text, a back-translation and a native speaker's
check; a fix goes to the doors in their snapshot. A .po file out and back in, for Poedit
or Weblate; the words of the day's meanings get the same check."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from server.administration.catalogues import CatalogueLanguage
from server.administration.po_files import NotThisLanguage, export_po, import_po
from server.administration.translations import (
    UnknownPhrase,
    check_word,
    known_language,
    language_phrases,
    save_phrase,
    summaries,
    word_translations,
)
from server.deps import ClockDep, EngineDep
from server.web.access import CsrfDep, Translators
from server.web.forms import FormDep, back, page, text
from server.wording import clock as clock_text
from server.wording import dutch_date
from sync.clock import WORKSHOP_TZ
from sync.fixed_phrases import PlaceholderError

router = APIRouter(include_in_schema=False)

MAX_PO_BYTES = 1_000_000  # a catalogue of a hundred phrases is a few dozen kB


def _language(code: str) -> CatalogueLanguage:
    found = known_language(code)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze taal heeft geen catalogus")
    return found


def _when(at: Any) -> str:
    local = at.astimezone(WORKSHOP_TZ)
    return f"{dutch_date(local.date())} {clock_text(at)}"


@router.get("/translations", response_class=HTMLResponse)
def overview(request: Request, engine: EngineDep, clock: ClockDep, viewer: Translators) -> Any:
    """Per language: how many phrases and words a native speaker checked."""
    today = clock().astimezone(WORKSHOP_TZ).date()
    return page(request, "translations/overview.html", viewer, languages=summaries(engine, today))


def _language_page(
    request: Request,
    engine: EngineDep,
    viewer: Any,
    language: CatalogueLanguage,
    today: date,
    *,
    error: str | None = None,
    editing: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    return page(
        request,
        "translations/language.html",
        viewer,
        error=error,
        language=language,
        phrases=language_phrases(engine, language.code),
        words=word_translations(engine, language.code, today),
        editing=editing or {},
        when=_when,
        dutch_date=dutch_date,
        anchor_of=_anchor,
        **context,
    )


@router.get("/translations/{language}", response_class=HTMLResponse)
def language_page(
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Translators, language: str
) -> HTMLResponse:
    found = _language(language)
    today = clock().astimezone(WORKSHOP_TZ).date()
    return _language_page(request, engine, viewer, found, today)


@router.post("/translations/{language}/phrases", response_model=None)
def save(
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Translators, _: CsrfDep,
    form: FormDep, language: str,
) -> Response:  # fmt: skip
    """One phrase as the translator left it; refused with the reason if a placeholder
    was dropped, added or changed."""
    found = _language(language)
    msgid = text(form, "msgid")
    written = text(form, "text")
    now = clock()
    try:
        save_phrase(engine, viewer, found.code, msgid, written, text(form, "back_translation"),
                    form.get("checked") == "yes", now)  # fmt: skip
    except UnknownPhrase:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "deze zin toont de kiosk niet") from None
    except PlaceholderError as error:
        editing = {"msgid": msgid, "text": written, "back": text(form, "back_translation")}
        return _language_page(request, engine, viewer, found, now.astimezone(WORKSHOP_TZ).date(),
                              error=str(error), editing=editing)  # fmt: skip
    return back(f"/translations/{found.code}?saved=phrase#{_anchor(msgid)}")


def _anchor(msgid: str) -> str:
    """The phrase's row id on the page (the template computes the same)."""
    return "p-" + "".join(c if c.isalnum() else "-" for c in msgid)[:60]


@router.post("/translations/{language}/words", response_model=None)
def word(
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Translators, _: CsrfDep,
    form: FormDep, language: str,
) -> Response:  # fmt: skip
    """A word of the day's meaning checked (or no longer) by a native speaker."""
    found = _language(language)
    try:
        day = date.fromisoformat(text(form, "day"))
    except ValueError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "geen geldige dag") from None
    if not check_word(engine, viewer, found.code, text(form, "site_id"), day,
                      form.get("checked") == "yes", clock()):  # fmt: skip
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dit woord heeft geen vertaling")
    return back(f"/translations/{found.code}?saved=word")


@router.get("/translations/{language}/export.po")
def export(engine: EngineDep, clock: ClockDep, viewer: Translators, language: str) -> Response:
    """The language as a .po file: a fuzzy entry is one no native speaker checked yet."""
    found = _language(language)
    return Response(
        export_po(engine, found.code, clock()),
        media_type="text/x-gettext-translation; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="prikklok-{found.code}.po"'},
    )


@router.post("/translations/{language}/import", response_model=None)
def import_file(
    request: Request, engine: EngineDep, clock: ClockDep, viewer: Translators, _: CsrfDep,
    form: FormDep, language: str,
) -> Response:  # fmt: skip
    """A .po file back from Poedit or Weblate: each changed phrase stored, each refused
    one listed with its reason."""
    found = _language(language)
    now = clock()
    today = now.astimezone(WORKSHOP_TZ).date()
    upload = form.get("po")
    data = upload.file.read(MAX_PO_BYTES + 1) if isinstance(upload, UploadFile) else b""
    if not data or len(data) > MAX_PO_BYTES:
        return _language_page(request, engine, viewer, found, today,
                              error="Kies een .po-bestand (kleiner dan 1 MB).")  # fmt: skip
    try:
        result = import_po(engine, viewer, found.code, data, now)
    except NotThisLanguage as error:
        refused = f"Niet ingelezen: {error}."
        return _language_page(request, engine, viewer, found, today, error=refused)
    return _language_page(request, engine, viewer, found, today, imported=result)
