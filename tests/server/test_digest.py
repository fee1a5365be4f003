"""The coaches' weekly digest, sent to a real SMTP server on 127.0.0.1 and read back."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select, update

from server.administration.digest import last_week, send_digests
from server.db import writing
from server.schema import audit_log, staff
from server.settings import Settings
from tests.server.conftest import NOW, Staff
from tests.server.web.test_coach import set_up_week


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def settings(database_url: str, smtp: tuple[Inbox, int]) -> Settings:
    return Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_from="prikklok@werkplaats.example",
        public_url="https://prikklok.werkplaats.example",
    )


@pytest.fixture
def coach_mail(engine: Engine, staff_world: Staff) -> None:
    set_up_week(engine)
    with writing(engine) as conn:
        conn.execute(
            update(staff).where(staff.c.id == "c-carla").values(email="carla@gemeente.example")
        )


def test_digest_last_week_is_monday_to_sunday() -> None:
    first, last = last_week(NOW)  # Wednesday 25 November
    assert (first.isoformat(), last.isoformat()) == ("2026-11-16", "2026-11-22")


def test_digest_mails_the_coach_last_weeks_figures(
    engine: Engine, settings: Settings, smtp: tuple[Inbox, int], coach_mail: None
) -> None:
    assert send_digests(engine, settings, NOW) == 1  # koen has no address
    [(recipients, message)] = smtp[0].messages
    assert recipients == ["carla@gemeente.example"]
    assert message["From"] == "prikklok@werkplaats.example"
    assert "weekoverzicht" in message["Subject"]
    body = message.get_content().replace("\r\n", "\n")
    assert "maandag 16 november 2026 tot en met zondag 22 november 2026" in body
    amal = body[body.index("\nAmal\n") :].split("\n\n")[0]
    assert "Aanwezig: 2 van 2 afgesproken dagen, 8,0 uur" in amal
    assert "Te laat: 1" in amal and "Uitchecken vergeten: 1" in amal
    assert "- Dawit:" in body and "keer achter elkaar afwezig zonder afmelding" in body
    assert "https://prikklok.werkplaats.example/coach" in body
    assert "/feeds/" not in body and "Olena" not in body


def test_digest_is_audited_per_participant(
    engine: Engine, settings: Settings, coach_mail: None
) -> None:
    send_digests(engine, settings, NOW)
    with engine.connect() as conn:
        mailed = conn.execute(
            select(audit_log.c.participant_id).where(audit_log.c.action == "digest")
        ).scalars()
        assert sorted(mailed) == ["p-amal", "p-dawit"]


def test_digest_without_smtp_host_sends_nothing(
    engine: Engine, settings: Settings, smtp: tuple[Inbox, int], coach_mail: None
) -> None:
    assert send_digests(engine, replace(settings, smtp_host=None), NOW) == 0
    assert smtp[0].messages == []


def test_digest_skips_a_disabled_coach(
    engine: Engine, settings: Settings, smtp: tuple[Inbox, int], coach_mail: None
) -> None:
    with writing(engine) as conn:
        conn.execute(update(staff).where(staff.c.id == "c-carla").values(active=False))
    assert send_digests(engine, settings, NOW) == 0
    assert smtp[0].messages == []
