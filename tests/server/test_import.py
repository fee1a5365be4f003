"""import-participants: all rows or none, errors name the row and the column."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from server.administration.importer import import_participants
from server.administration.operations import AdminError
from server.db import writing
from server.schema import badges, participants
from tests.server.conftest import NOW, World

HEADER = (
    "id,display_name,language,program_start,program_end,agreed_weekdays,team,active,badge_uid\n"
)


def run(engine: Engine, text: str) -> int:
    with writing(engine) as conn:
        return import_participants(conn, text, "north", NOW)


def names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(participants.c.id)).scalars())


def test_import_rows_and_badges(world: World, engine: Engine) -> None:
    text = HEADER + "p-emre,Emre,tr,2026-11-01,2027-04-30,ma di do,hout,ja,04:aa:bb:cc\n"
    assert run(engine, text) == 1
    with engine.connect() as conn:
        row = conn.execute(select(participants).where(participants.c.id == "p-emre")).one()
        uid = conn.execute(select(badges.c.uid).where(badges.c.holder_id == "p-emre")).scalar()
    assert (row.agreed_weekdays, row.team, row.active, uid) == ("1,2,4", "hout", True, "04AABBCC")


def test_import_bad_rows_nothing_imported(world: World, engine: Engine) -> None:
    text = (
        HEADER
        + "p-emre,Emre,tr,2026-11-01,,,,,\n"
        + "p-grace,Grace,en,1 nov,,,,,\n"
        + "p-hodan,,so,,,,,,\n"
        + "p-farid,Farid,fa,,,,,,ZZ\n"
    )
    with pytest.raises(AdminError) as caught:
        run(engine, text)
    message = str(caught.value)
    assert "row 3, column program_start" in message
    assert "row 4, column display_name" in message
    assert "row 5, column badge_uid" in message
    assert "p-emre" not in names(engine)


def test_import_errors_name_the_spreadsheet_row_after_blank_lines(
    world: World, engine: Engine
) -> None:
    # Rows as a spreadsheet numbers them: the header is 1, and a blank line is a row too.
    text = (
        HEADER
        + "p-emre,Emre,tr,2026-11-01,,,,,\n"
        + "\n"
        + "\n"
        + "p-grace,Grace,en,1 nov,,,,,\n"
        + "p-hodan,Hodan,so,,,,,,\n"
        + "\n"
        + "p-farid,Farid,fa,,,,,,04A1B2C3\n"  # Amal's badge: refused when assigning
    )
    with pytest.raises(AdminError) as caught:
        run(engine, text)
    assert "row 5, column program_start" in str(caught.value)
    with pytest.raises(AdminError, match="row 8, column badge_uid"):
        run(engine, text.replace("1 nov", "2026-11-01"))
    assert "p-emre" not in names(engine)


def test_import_badge_held_by_other_rolls_back(world: World, engine: Engine) -> None:
    text = HEADER + "p-emre,Emre,tr,,,,,,04AABBCC\np-grace,Grace,en,,,,,,04A1B2C3\n"
    with pytest.raises(AdminError, match="row 3, column badge_uid"):
        run(engine, text)
    assert "p-emre" not in names(engine)


@pytest.mark.parametrize("column", ["bsn", "address", "phone"])
def test_import_refuses_personal_columns(world: World, engine: Engine, column: str) -> None:
    with pytest.raises(AdminError, match=f"column {column} is not allowed"):
        run(engine, f"id,display_name,{column}\np-x,X,123\n")


@pytest.mark.parametrize("days", ["ma,wo,vr", "1,3,5", "mon wed fri", "Maandag;woensdag;vrijdag"])
def test_import_weekdays_and_birthday(world: World, engine: Engine, days: str) -> None:
    run(engine, f'id,display_name,agreed_weekdays,birthday\np-emre,Emre,"{days}",02-29\n')
    with engine.connect() as conn:
        row = conn.execute(select(participants).where(participants.c.id == "p-emre")).one()
    assert (row.agreed_weekdays, row.birthday) == ("1,3,5", "02-29")


@pytest.mark.parametrize(
    ("cells", "column"),
    [("ma,xx,vr,03-21", "agreed_weekdays"), ("1,8,03-21", "agreed_weekdays"),
     ("ma,21-03", "birthday"), ("ma,2001-03-21", "birthday"), ("ma,02-30", "birthday"),
     ("ma,٠٣-٢١", "birthday")],
)  # fmt: skip
def test_import_bad_weekdays_or_birthday_named(
    world: World, engine: Engine, cells: str, column: str
) -> None:
    *days, birthday = cells.split(",")
    text = f'id,display_name,agreed_weekdays,birthday\np-emre,Emre,"{",".join(days)}",{birthday}\n'
    with pytest.raises(AdminError, match=f"row 2, column {column}: "):
        run(engine, text)
    assert "p-emre" not in names(engine)
