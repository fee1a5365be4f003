"""The word of the day in the participant's own language, as the screen shows it."""

from __future__ import annotations

from datetime import date

from kiosk.views import word_view
from sync.roster import DoorData

DAY = date(2026, 11, 25)


def door(translations: dict[str, str]) -> DoorData:
    return DoorData.from_dict(
        {
            "words": [
                {"day": DAY.isoformat(), "word": "koffie", "article": "de",
                 "sentence": "Wil je een kopje koffie?", "translations": translations}
            ]
        }
    )  # fmt: skip


def test_a_dari_speaker_reads_the_persian_meaning() -> None:
    shown = word_view(door({"fa": "قهوه", "ar": "قهوة"}), DAY, "prs")
    assert shown is not None and shown.meaning == "قهوه"


def test_a_dari_meaning_when_planned_wins() -> None:
    shown = word_view(door({"fa": "قهوه", "prs": "قهوهٔ دری"}), DAY, "prs")
    assert shown is not None and shown.meaning == "قهوهٔ دری"


def test_no_meaning_in_a_language_the_plan_lacks() -> None:
    shown = word_view(door({"fa": "قهوه"}), DAY, "ti")
    assert shown is not None and shown.meaning is None and shown.lang is None


def test_dutch_speakers_get_no_second_line() -> None:
    shown = word_view(door({"fa": "قهوه"}), DAY, "nl")
    assert shown is not None and shown.meaning is None


def test_too_soon_says_what_happens_when_nobody_answers() -> None:
    from kiosk.decide import Outcome
    from kiosk.transcript import transcript
    from tests.kiosk.test_signs import MORNING, answer

    view = answer(Outcome.TOO_SOON, checked_in_at=MORNING)
    assert view.otherwise is not None and view.otherwise.dutch == "Je blijft ingecheckt."
    assert view.otherwise.own == "يبقى حضورك مسجلاً."
    assert "  … Je blijft ingecheckt." in transcript(view)
