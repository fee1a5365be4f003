"""What the recall checks say to a participant's coach (issue 16): words met, checks shown
and answered, the model's recall and the guess-corrected 30-day recall — on the coach's
page and in the JSON and CSV feeds, from a history worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from server.administration.plan import Plan, load_plan
from server.db import writing
from server.learning.calibration import DEFAULT, MEET, RIGHT, WRONG, Event, chance
from server.learning.progress import progress_of
from sync.protocol import SnapshotWord
from tests.server.conftest import NOW, Staff, World, log_in
from tests.server.recall_world import check_in, push, recalled
from tests.server.web.test_feeds import get, token_of

# Words of the day at north; Amal came on 1, 2 and 5 October (not the 6th): she met
# hamer, zaag and bezem, not emmer.
PLANNED = {date(2026, 10, 1): "hamer", date(2026, 10, 2): "zaag", date(2026, 10, 5): "bezem",
           date(2026, 10, 6): "emmer"}  # fmt: skip
CAME = (date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5))


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# The checks at her check-outs, and why each counts (or not) for the 30-day recall:
CHECKS = (
    (at(10, 3), "hamer", "right"),  # 2 days after meeting it: too soon
    (at(11, 3), "hamer", "right"),  # 31 days after the check of 3 October: counts, right
    (at(11, 4), "zaag", "wrong"),  # 33 days after meeting it on 2 October: counts, wrong
    (at(11, 4, 12, 5), "bezem", "skipped"),  # shown, not answered: she saw it now
    (at(11, 20), "bezem", "right"),  # 16 days after the skipped check: too soon
    (at(11, 20, 12, 1), "zaag", "right"),  # 16 days after the wrong answer: too soon
)


# By hand: 2 of 2 checks long after; 1 right → p = 0.5 → (0.5 − 0.25) / 0.75 = 1/3.
RECALL_30D = 1 / 3
# The model (the default curve: 5 answers are far fewer than calibration.MIN_ANSWERS), each
# card from its meetings (check-ins at 07:30) and its answers (calibration.chance, checked
# against py-fsrs in tests/server/test_calibration.py): before 3 November hamer had its
# meeting of 1 October and the right answer of 3 October; zaag only its meeting of
# 2 October (an exposure, not a word learnt).
MET_HAMER, MET_ZAAG, MET_BEZEM = at(10, 1, 7, 30), at(10, 2, 7, 30), at(10, 5, 7, 30)
MODEL_30D = (
    chance([Event(MET_HAMER, MEET), Event(at(10, 3), RIGHT)], at(11, 3), DEFAULT)
    + chance([Event(MET_ZAAG, MEET)], at(11, 4), DEFAULT)
) / 2
# Now (NOW, 25 November): each word met by its meeting and all its answers (a skip none).
MODEL_NOW = (
    chance([Event(MET_HAMER, MEET), Event(at(10, 3), RIGHT), Event(at(11, 3), RIGHT)], NOW,
           DEFAULT)
    + chance([Event(MET_ZAAG, MEET), Event(at(11, 4), WRONG), Event(at(11, 20, 12, 1), RIGHT)],
             NOW, DEFAULT)
    + chance([Event(MET_BEZEM, MEET), Event(at(11, 20), RIGHT)], NOW, DEFAULT)
) / 3  # fmt: skip


@pytest.fixture
def history(client: TestClient, world: World, engine: Engine, staff_world: Staff) -> None:
    with writing(engine) as conn:
        load_plan(conn, "north", Plan(words=[
            SnapshotWord(day=day, word=word, translations={}, pictogram=word)
            for day, word in PLANNED.items()
        ]))  # fmt: skip
    visits = [check_in(n + 1, day) for n, day in enumerate(CAME)]
    answers = [recalled(n + 10, word, answer, when) for n, (when, word, answer) in
               enumerate(CHECKS)]  # fmt: skip
    assert {s for s, _ in push(client, world, *visits, *answers)} == {"accepted"}


def test_progress_of_a_worked_out_history(history: None, engine: Engine) -> None:
    with engine.connect() as conn:
        words = progress_of(conn, "p-amal", NOW)
    assert (words.words_met, words.checks_shown, words.checks_answered) == (3, 6, 5)
    assert words.share_answered == pytest.approx(5 / 6)
    assert words.recall_30d == pytest.approx(RECALL_30D) and words.recall_30d_checks == 2
    assert words.model_recall_30d == pytest.approx(MODEL_30D)
    assert words.model_recall == pytest.approx(MODEL_NOW)
    assert 0.3 < MODEL_30D < MODEL_NOW < 1  # the figures are not all one number
    assert words.model_answers == 0 and words.model_note == "model: default"


def test_progress_of_as_of_an_earlier_time(history: None, engine: Engine) -> None:
    """As of 4 November 12:02: three checks shown, both long-after ones already in."""
    with engine.connect() as conn:
        words = progress_of(conn, "p-amal", at(11, 4, 12, 2))
        dawit = progress_of(conn, "p-dawit", NOW)
    assert (words.checks_shown, words.recall_30d_checks) == (3, 2)
    assert (dawit.words_met, dawit.checks_shown, dawit.model_recall, dawit.recall_30d) == (
        0, 0, None, None,
    )  # fmt: skip


def test_coach_page_shows_the_words(
    history: None, browser_client: TestClient, staff_world: Staff
) -> None:
    log_in(browser_client, staff_world.coach)
    page = browser_client.get("/coach/participants/p-amal").text
    assert "<dt>Woorden ontmoet</dt><dd>3</dd>" in page
    assert "5 beantwoord van 6 gesteld (83%)" in page
    assert f"{round(MODEL_NOW * 100)}% van de ontmoete woorden" in page
    assert "(standaardmodel: nog te weinig antwoorden op deze locatie)" in page
    assert f"33% (gecorrigeerd voor gokken), uit 2 vragen; het model verwachtte " \
        f"{round(MODEL_30D * 100)}%" in page  # fmt: skip
    dawit = browser_client.get("/coach/participants/p-dawit").text
    assert "Nog geen woord van de dag ontmoet." in dawit


def test_feeds_carry_the_words(history: None, client: TestClient, engine: Engine) -> None:
    token = token_of(engine)
    feed = get(client, token, "attendance.json").json()
    words: dict[str, Any] = {p["participant_id"]: p["words"] for p in feed["participants"]}
    assert words["p-amal"] == {
        "words_met": 3, "checks_shown": 6, "checks_answered": 5,
        "share_answered": pytest.approx(5 / 6), "model_recall": pytest.approx(MODEL_NOW),
        "recall_30d": pytest.approx(RECALL_30D), "recall_30d_checks": 2,
        "model_recall_30d": pytest.approx(MODEL_30D), "recall_30d_right": 1,
        "model_answers": 0,
    }  # fmt: skip
    text = get(client, token, "attendance.csv", view="summary").content.decode("utf-8-sig")
    rows = {r["Deelnemer"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    amal, dawit = rows["p-amal"], rows["p-dawit"]
    assert (amal["Woorden ontmoet"], amal["Woordvragen gesteld"]) == ("3", "6")
    assert amal["Na 30 dagen nog geweten (%)"] == "33,33"
    assert amal["Na 30 dagen, aantal vragen"] == "2"
    assert amal["Onthouden volgens model (%)"] == f"{MODEL_NOW * 100:.2f}".replace(".", ",")
    assert amal["Model aangepast aan antwoorden (0: standaard)"] == "0"
    assert dawit["Na 30 dagen nog geweten (%)"] == "" and dawit["Woorden ontmoet"] == "0"


def test_a_site_that_forgets_gets_a_fitted_model_that_says_so(
    history: None, client: TestClient, engine: Engine, browser_client: TestClient,
    world: World, staff_world: Staff,
) -> None:  # fmt: skip
    """300 more answers at north (60 words asked 5 times, 1, 7, 30 and 30 days apart, right
    only one time in four: a lucky guess): the model's curve is fitted to the site's 245
    answers that had a meeting or an answer before them (the first answer to a word never
    met has nothing to be predicted from), and says the words are mostly gone — the
    default curve says otherwise."""
    records, n = [], 100
    for word in range(60):
        when = at(9, 1, 10) + timedelta(hours=word)
        for k, gap in enumerate((0, 1, 7, 30, 30)):
            when += timedelta(days=gap)
            answer = "right" if (word + k) % 4 == 0 else "wrong"
            records.append(recalled(n, f"woord{word}", answer, when))
            n += 1
    for start in range(0, len(records), 100):
        assert {s for s, _ in push(client, world, *records[start : start + 100])} == {"accepted"}
    with engine.connect() as conn:
        words = progress_of(conn, "p-amal", NOW)
    assert (
        words.model_answers == 245
        and words.model_note == "model: fitted to this site's 245 answers"
    )
    assert words.model_recall is not None and words.model_recall < 0.15 < MODEL_NOW
    log_in(browser_client, staff_world.coach)
    page = browser_client.get("/coach/participants/p-amal").text
    assert "(model aangepast aan 245 antwoorden op deze locatie)" in page
