"""The starter set of words of the day: its data is sound (every word with an article or
none, a short sentence, a picture the doors have, a meaning in every language the door
speaks, no word twice); loading it plans one word a workday in its order, never replaces a
planned word, plans nothing twice, is audited, and leaves every translation unchecked on
the Vertalingen page; the planning page counts who has met which word. On SQLite and
PostgreSQL."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from kiosk.language import LANGUAGES
from server.administration import starter_set
from server.administration.translations import word_translations
from server.administration.words_met import words_met
from server.cli import server
from server.db import writing
from server.schema import audit_log, corrections, events, participants, words
from sync.pictograms import known, picture
from sync.protocol import SnapshotWord
from tests.server.conftest import World, log_in, wire

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 23)
STARTER = starter_set.starter_words()


# --- the data ---------------------------------------------------------------------------


def test_the_set_has_120_words_none_twice() -> None:
    assert len(STARTER) == 120
    keys = [w.word.casefold() for w in STARTER]
    assert len(set(keys)) == len(keys), [k for k in keys if keys.count(k) > 1]


def test_every_pictogram_is_a_picture_the_doors_have() -> None:
    missing = [
        w.pictogram for w in STARTER if not known(w.pictogram) or picture(w.pictogram) is None
    ]
    assert missing == []


def test_every_word_has_a_meaning_in_every_language_of_the_door() -> None:
    spoken = set(LANGUAGES) - {"nl"}
    assert set(starter_set.languages()) == spoken
    for w in STARTER:
        assert set(w.translations) == spoken, w.word
        assert all(m.strip() == m and m for m in w.translations.values()), w.word


def _scripts(text: str) -> set[str]:
    return {unicodedata.name(c).split()[0] for c in text if c.isalpha()}


@pytest.mark.parametrize(
    ("code", "script"),
    [("ar", "ARABIC"), ("fa", "ARABIC"), ("ti", "ETHIOPIC"), ("uk", "CYRILLIC"),
     ("en", "LATIN"), ("so", "LATIN"), ("tr", "LATIN")],
)  # fmt: skip
def test_each_meaning_is_written_in_its_languages_script(code: str, script: str) -> None:
    wrong = [
        (w.word, w.translations[code])
        for w in STARTER
        if _scripts(w.translations[code]) != {script}
    ]
    assert wrong == []


def test_persian_is_written_with_persian_letters_and_arabic_with_arabic_ones() -> None:
    # Farsi keyboards give ی and ک; the Arabic ي and ك look alike but are other letters, and
    # a door's search and a translator's check would not find them.
    assert [w.word for w in STARTER if re.search("[يك]", w.translations["fa"])] == []
    assert [w.word for w in STARTER if re.search("[یک]", w.translations["ar"])] == []


def test_every_word_is_one_a_door_can_show_with_a_short_simple_sentence() -> None:
    for w in STARTER:
        assert w.article in ("de", "het", None), w.word
        assert w.sentence[-1] in ".?!", w.sentence
        assert len(w.sentence.split()) <= 8, w.sentence
        SnapshotWord(
            day=MONDAY, word=w.word, article=w.article, sentence=w.sentence,  # type: ignore[arg-type]
            translations=w.translations, pictogram=w.pictogram,
        )  # fmt: skip
    assert sum(w.article is not None for w in STARTER) >= 100  # mostly nouns with de/het


def test_the_order_begins_with_the_first_days_and_safety() -> None:
    themes = list(dict.fromkeys(w.theme for w in STARTER))
    assert themes[:3] == ["Eerste dagen", "Veiligheid", "Gereedschap"]
    # themes are grouped: each theme's words stand together
    runs = [w.theme for i, w in enumerate(STARTER) if i == 0 or STARTER[i - 1].theme != w.theme]
    assert runs == themes
    assert [w.word for w in STARTER[:3]] == ["pas", "pauze", "kantine"]


# --- loading ----------------------------------------------------------------------------


def planned(engine: Engine, site: str = "north") -> dict[date, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(words.c.day, words.c.word).where(words.c.site_id == site))
        return dict(rows.all())


def test_loading_plans_a_word_each_workday_in_order(engine: Engine, world: World) -> None:
    with writing(engine) as conn:
        done = starter_set.load_starter(conn, "north", MONDAY, actor="admin:a-anna", at=AT)
    assert (done.placed, done.days_skipped, done.already_planned) == (120, 0, 0)
    days = planned(engine)
    assert len(days) == 120 and all(d.isoweekday() <= 5 for d in days)
    assert [days[d] for d in sorted(days)] == [w.word for w in STARTER]
    assert min(days) == MONDAY == done.first
    assert max(days) == done.last == MONDAY + timedelta(weeks=23, days=4)  # 24 weeks of 5
    assert planned(engine, "south") == {}
    with engine.connect() as conn:
        row = conn.execute(select(words).where(words.c.day == MONDAY)).one()
        logged = conn.execute(select(audit_log.c.actor, audit_log.c.detail)).all()
    assert (row.article, row.word, row.pictogram, row.theme) == ("de", "pas", "pas", "Eerste dagen")
    assert row.translations["ti"] == STARTER[0].translations["ti"]
    assert logged == [
        ("admin:a-anna", {"word": "starter", "from": "2026-11-23", "placed": 120,
                          "days_skipped": 0, "already_planned": 0})
    ]  # fmt: skip


def test_a_day_with_a_word_keeps_it_and_is_skipped(engine: Engine, world: World) -> None:
    wednesday = MONDAY + timedelta(days=2)
    with writing(engine) as conn:
        conn.execute(words.insert().values(
            site_id="north", day=wednesday, word="Sinterklaas", translations={}, theme="feest"
        ))  # fmt: skip
        done = starter_set.load_starter(conn, "north", MONDAY, actor="a", at=AT)
    assert (done.placed, done.days_skipped) == (120, 1)
    days = planned(engine)
    assert days[wednesday] == "Sinterklaas"
    assert days[MONDAY + timedelta(days=1)] == STARTER[1].word
    assert days[MONDAY + timedelta(days=3)] == STARTER[2].word  # Thursday: the third word
    assert len(days) == 121


def test_loading_twice_plans_nothing_twice(engine: Engine, world: World) -> None:
    with writing(engine) as conn:
        starter_set.load_starter(conn, "north", MONDAY, actor="a", at=AT)
    with writing(engine) as conn:
        again = starter_set.load_starter(conn, "north", MONDAY, actor="a", at=AT)
    assert (again.placed, again.days_skipped, again.already_planned) == (0, 0, 120)
    assert len(planned(engine)) == 120
    # From a week later only the words planned from then on count as planned: the first
    # week's five words come again, on the first free workdays (after the set's last day).
    with writing(engine) as conn:
        later = starter_set.load_starter(
            conn, "north", MONDAY + timedelta(days=7), actor="a", at=AT
        )
    assert (later.placed, later.already_planned, later.days_skipped) == (5, 115, 115)
    assert later.first == date(2027, 5, 10) and len(planned(engine)) == 125


def test_translations_stay_unchecked_on_the_vertalingen_page(
    engine: Engine, staff_world, browser_client: TestClient
) -> None:
    with writing(engine) as conn:
        starter_set.load_starter(conn, "north", date(2026, 11, 25), actor="a", at=AT)
    meanings = word_translations(engine, "ti", date(2026, 11, 25))
    assert len(meanings) == 120 and all(m.checked_by is None for m in meanings)
    log_in(browser_client, "tess")
    overview = browser_client.get("/translations", headers={"accept": "text/html"})
    # every language the page checks (it has no English), none checked
    assert overview.text.count("0 van 120") == 6
    page = browser_client.get("/translations/ti", headers={"accept": "text/html"})
    listed = page.text.split("<h2>Woorden van de dag</h2>")[1]
    assert STARTER[11].translations["ti"] in listed  # de helm
    assert listed.count('<tr class="word">') == 120 == listed.count('value="yes"')
    assert "✔" not in listed


def test_the_cli_loads_the_set(database_url: str, engine: Engine, world: World) -> None:
    args = ["words", "starter", "--site", "north", "--from", "2026-11-23"]
    first = CliRunner().invoke(server, [*args, "--database-url", database_url])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("120 word(s) planned from 2026-11-23 (2026-11-23 to 2027-05-07)")
    again = CliRunner().invoke(server, [*args, "--database-url", database_url])
    assert "0 word(s) planned" in again.output and "120 word(s) already planned" in again.output
    assert len(planned(engine)) == 120
    with engine.connect() as conn:
        actors = conn.execute(select(audit_log.c.actor)).scalars().all()
    assert actors == ["admin (cli)", "admin (cli)"]


def test_the_cli_starts_the_next_workday_by_default(database_url: str, world: World) -> None:
    answer = CliRunner().invoke(
        server, ["words", "starter", "--site", "north", "--database-url", database_url]
    )
    assert answer.exit_code == 0, answer.output
    first = date.fromisoformat(answer.output.split("planned from ")[1][:10])
    today = datetime.now(UTC).date()
    assert first.isoweekday() <= 5 and today < first <= today + timedelta(days=4)


@pytest.mark.parametrize(
    ("args", "said"),
    [(["--site", "nowhere"], "no site 'nowhere'"),
     (["--site", "north", "--from", "maandag"], "'maandag' is not a day")],
)  # fmt: skip
def test_the_cli_mistakes_one_line(
    database_url: str, world: World, args: list[str], said: str
) -> None:
    answer = CliRunner().invoke(server, ["words", "starter", *args, "--database-url", database_url])
    assert answer.exit_code != 0 and said in answer.output and "Traceback" not in answer.output


# --- who has met which word ---------------------------------------------------------------


def push(client: TestClient, world: World, seq: int, pid: str, day: date, kind: str = "check_in"):
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    record = wire(seq, participant_id=pid, kind=kind, badge_uid=None, wall_at=at.isoformat(),
                  workshop_day=day.isoformat())  # fmt: skip
    answer = client.post("/api/v1/records", json={"records": [record]}, headers=world.auth())
    assert answer.json()["results"][0]["status"] == "accepted", answer.text
    return record["id"]


def test_met_counts_who_was_in_on_the_words_day(
    engine: Engine, world: World, client: TestClient
) -> None:
    with writing(engine) as conn:
        starter_set.load_starter(conn, "north", MONDAY, actor="a", at=AT)
        conn.execute(update(participants).where(participants.c.id == "p-amal").values(team="hout"))
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    push(client, world, 1, "p-amal", MONDAY)
    push(client, world, 2, "p-amal", MONDAY, "check_out")
    push(client, world, 3, "p-amal", MONDAY)  # in twice on one day: met once
    push(client, world, 4, "p-dawit", MONDAY)
    push(client, world, 5, "p-amal", tuesday)
    wrong = push(client, world, 6, "p-dawit", tuesday)
    with writing(engine) as conn:  # a supervisor voided Dawit's tap of Tuesday: not there
        conn.execute(corrections.insert().values(
            event_id=wrong, participant_id="p-dawit", site_id="north", action="void",
            reason="verkeerde pas", staff_id="s-marieke", created_at=AT,
        ))  # fmt: skip
    everyone = words_met(engine, "north", wednesday, None)
    assert everyone.size == 2
    assert [(w.day, w.word, w.met) for w in everyone.words] == [
        (wednesday, "kantine", 0), (tuesday, "pauze", 1), (MONDAY, "pas", 2),
    ]  # fmt: skip
    team = words_met(engine, "north", wednesday, "hout")
    assert team.size == 1 and [w.met for w in team.words] == [0, 1, 1]
    with writing(engine) as conn:
        conn.execute(update(participants).where(participants.c.id == "p-amal").values(active=False))
    assert [w.met for w in words_met(engine, "north", wednesday, None).words] == [0, 0, 1]
    with engine.connect() as conn:  # the taps themselves are all kept
        assert len(conn.execute(select(events.c.id)).all()) == 6


def test_the_planning_page_shows_the_counts_and_no_names(
    engine: Engine, staff_world, world: World, browser_client: TestClient
) -> None:
    with writing(engine) as conn:
        starter_set.load_starter(conn, "north", MONDAY, actor="a", at=AT)
        conn.execute(update(participants).where(participants.c.id == "p-dawit").values(team="tuin"))
    push(browser_client, world, 1, "p-amal", MONDAY)
    push(browser_client, world, 2, "p-dawit", MONDAY)
    push(browser_client, world, 3, "p-dawit", MONDAY + timedelta(days=1))
    log_in(browser_client, "marieke")
    page = browser_client.get("/sites/north/planning", headers={"accept": "text/html"})
    table = page.text.split('id="met-title"')[1]
    assert re.findall(r"<td>(de \w+)</td><td>(\d+ van \d+)</td>", table) == [
        ("de kantine", "0 van 2"), ("de pauze", "1 van 2"), ("de pas", "2 van 2"),
    ]  # fmt: skip
    assert "Amal" not in table and "Dawit" not in table
    tuin = browser_client.get("/sites/north/planning?groep=tuin", headers={"accept": "text/html"})
    counts = re.findall(r"<td>(\d+ van \d+)</td>", tuin.text.split('id="met-title"')[1])
    assert counts == ["0 van 1", "1 van 1", "1 van 1"]


def test_the_button_starts_the_next_workday_and_is_audited_as_its_supervisor(
    engine: Engine, staff_world, browser_client: TestClient
) -> None:
    csrf = log_in(browser_client, "marieke")
    html = {"accept": "text/html"}
    sent = browser_client.post(
        "/sites/north/planning/starter",
        data={"csrf": csrf, "start": ""},
        headers=html,
        follow_redirects=False,
    )
    assert sent.status_code == 303
    # NOW is Wednesday 25 November 2026: the next workday is Thursday the 26th
    assert sent.headers["location"] == (
        "/sites/north/planning?from=2026-11-26&saved=starter&placed=120&skipped=0&known=0"
    )
    assert min(planned(engine)) == date(2026, 11, 26)
    with engine.connect() as conn:
        assert conn.execute(select(audit_log.c.actor)).scalars().all() == ["supervisor:s-marieke"]
    page = browser_client.get(sent.headers["location"], headers=html)
    assert "Startset: 120 woorden gepland." in page.text
    bad = browser_client.post(
        "/sites/north/planning/starter", data={"csrf": csrf, "start": "morgen"}, headers=html
    )
    assert bad.status_code == 400 and "geen datum" in bad.text
    assert len(planned(engine)) == 120
