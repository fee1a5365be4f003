"""The alert round against a real SMTP server (aiosmtpd) and a real webhook receiver, both on
127.0.0.1, with kiosks that beat through the real heartbeat API: once per incident, once
when it ends, nothing in quiet hours unless urgent."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from server.administration import site_alerts
from server.kiosks.alert_round import run_round
from server.schema import incident_notices, incidents
from server.settings import Settings
from tests.server.conftest import NOW, HeldClock, World, wire
from tests.server.test_digest import Inbox, free_port
from tests.server.test_heartbeat import beat

SECRET = "een-lang-geheim-voor-de-hook"
GB, MB = 1 << 30, 1 << 20


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port  # type: ignore[attr-defined]
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def settings(database_url: str, inbox: Inbox) -> Settings:
    return Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,  # type: ignore[attr-defined]
        smtp_from="prikklok@werkplaats.example",
        public_url="https://prikklok.werkplaats.example",
    )


class Receiver:
    """A webhook receiver: answers each call with the next status of its script (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.calls]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver([])
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def heartbeat(
    client: TestClient, clock: HeldClock, world: World, at: datetime, **fields: Any
) -> None:
    clock.now = at
    answer = client.post(
        "/api/v1/heartbeat", json=beat(wall_at=at.isoformat(), **fields), headers=world.auth()
    )
    assert answer.status_code == 200, answer.text


def mails(inbox: Inbox) -> list[EmailMessage]:
    return [message for _, message in inbox.messages]


def body(message: EmailMessage) -> str:
    return str(message.get_content()).replace("\r\n", "\n")


def no_person_in(text: str) -> None:
    for secret in ("Amal", "Dawit", "Olena", "04A1B2C3", "04D4E5F6", "Front door", "p-amal"):
        assert secret not in text


@pytest.fixture
def north_mailed(engine: Engine, world: World) -> None:
    assert site_alerts.save(
        engine, "north", "beheer@werkplaats.example\nteam@werkplaats.example", "", ""
    )


def test_alerts_a_silent_kiosk_is_mailed_once_and_once_more_when_it_is_back(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox, north_mailed: None,
) -> None:  # fmt: skip
    heartbeat(client, clock, world, NOW)  # 10:00 in Amsterdam: open
    assert run_round(engine, settings, NOW).opened == 0  # north-2 never beat: not installed yet
    assert inbox.messages == []
    for minutes in (20, 21, 30):  # silent since 15 minutes: one mail, then nothing more
        run_round(engine, settings, NOW + timedelta(minutes=minutes))
    [(to, opened)] = inbox.messages
    assert sorted(to) == ["beheer@werkplaats.example", "team@werkplaats.example"]
    assert opened["Subject"] == "Prikklok North: kiosk north-1: geen contact"
    assert "Geen contact sinds 20 min geleden" in body(opened)
    assert "https://prikklok.werkplaats.example/sites/north/kiosks" in body(opened)
    heartbeat(client, clock, world, NOW + timedelta(minutes=35))
    run_round(engine, settings, NOW + timedelta(minutes=36))
    run_round(engine, settings, NOW + timedelta(minutes=37))
    assert len(inbox.messages) == 2
    resolved = mails(inbox)[1]
    assert resolved["Subject"] == "Prikklok North: kiosk north-1: geen contact (opgelost)"
    assert "Opgelost: kiosk north-1: geen contact (25-11 10:20 tot 25-11 10:36)" in body(resolved)
    for message in mails(inbox):
        no_person_in(message["Subject"] + body(message))


def test_alerts_a_site_without_recipients_is_not_mailed(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox,
) -> None:  # fmt: skip
    heartbeat(client, clock, world, NOW)
    assert run_round(engine, settings, NOW + timedelta(minutes=20)).opened == 1
    assert inbox.messages == []


EVENING = datetime(2026, 11, 25, 15, 50, tzinfo=UTC)  # 16:50 in Amsterdam; closes at 17:00
NEXT_MORNING = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00; opens at 08:30


def test_alerts_nothing_outside_opening_hours_then_at_opening_if_still_wrong(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox, north_mailed: None,
) -> None:  # fmt: skip
    heartbeat(client, clock, world, EVENING)  # the door is switched off for the night
    for at in (EVENING + timedelta(minutes=30), EVENING + timedelta(hours=6), NEXT_MORNING):
        run_round(engine, settings, at)
    assert inbox.messages == []  # silent at night is what a closed workshop looks like
    run_round(engine, settings, NEXT_MORNING + timedelta(minutes=31))  # 08:31: open
    [opened] = mails(inbox)
    assert "north-1: geen contact" in opened["Subject"]


def test_alerts_an_incident_over_before_opening_is_never_told(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox, north_mailed: None,
) -> None:  # fmt: skip
    heartbeat(client, clock, world, EVENING)
    run_round(engine, settings, EVENING + timedelta(hours=3))
    heartbeat(client, clock, world, NEXT_MORNING + timedelta(minutes=25))  # on at 08:25
    for at in (NEXT_MORNING + timedelta(minutes=26), NEXT_MORNING + timedelta(minutes=31)):
        run_round(engine, settings, at)
    assert inbox.messages == []
    with engine.connect() as conn:
        [incident] = conn.execute(select(incidents)).all()
        assert incident.resolved_at is not None


NIGHT = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)  # 23:00 in Amsterdam


def test_alerts_urgent_goes_out_at_night(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox, north_mailed: None,
) -> None:  # fmt: skip
    heartbeat(client, clock, world, NIGHT, disk_free_bytes=20 * MB, disk_total_bytes=16 * GB)
    run_round(engine, settings, NIGHT + timedelta(minutes=1))
    [opened] = mails(inbox)
    assert opened["Subject"] == "Prikklok North: kiosk north-1: schijf bijna vol (DRINGEND)"
    assert "nog 20 MB vrij" in body(opened)


def test_alerts_records_set_aside_are_urgent_and_name_nobody(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox, north_mailed: None,
) -> None:  # fmt: skip
    clock.now = NIGHT
    refused = wire(1, participant_id="p-olena", badge_uid="04778899")  # another site's
    client.post("/api/v1/records", json={"records": [refused]}, headers=world.auth())
    heartbeat(client, clock, world, NIGHT, last_seq=1)
    run_round(engine, settings, NIGHT + timedelta(minutes=1))
    [opened] = mails(inbox)
    assert "prikken apart gezet (DRINGEND)" in opened["Subject"]
    assert "1 prik(ken)" in body(opened)
    no_person_in(opened["Subject"] + body(opened))
    assert "04778899" not in body(opened)


def check_from_the_guide() -> Any:
    guide = (Path(__file__).parents[2] / "docs" / "admin" / "alerts.md").read_text("utf-8")
    match = re.search(r"```python\n(.*?)```", guide, re.S)
    assert match is not None
    scope: dict[str, Any] = {}
    exec(match[1], scope)
    return scope["genuine"]


def test_alerts_webhook_gets_signed_json(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox, receiver: Receiver,
) -> None:  # fmt: skip
    assert site_alerts.save(engine, "north", "", receiver.url, SECRET)
    heartbeat(client, clock, world, NOW)
    run_round(engine, settings, NOW + timedelta(minutes=20))
    [(headers, raw)] = receiver.calls
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Prikklok-Signature"], expected)
    genuine = check_from_the_guide()  # what docs/admin/alerts.md tells a receiver to run
    assert genuine(raw, headers["X-Prikklok-Signature"], SECRET)
    assert not genuine(raw.replace(b"north-1", b"north-2"), headers["X-Prikklok-Signature"], SECRET)
    assert headers["Content-Type"].startswith("application/json")
    payload = json.loads(raw)
    assert payload["event"] == "incident.opened"
    assert payload["site"] == {"id": "north", "name": "North"}
    assert (payload["kiosk"], payload["kind"], payload["urgent"]) == ("north-1", "silent", False)
    assert payload["resolved_at"] is None
    assert inbox.messages == []  # no recipients: no mail
    heartbeat(client, clock, world, NOW + timedelta(minutes=30))
    run_round(engine, settings, NOW + timedelta(minutes=31))
    assert [p["event"] for p in receiver.payloads()] == ["incident.opened", "incident.resolved"]


def test_alerts_webhook_that_fails_twice_gets_it_on_the_third_try(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    receiver: Receiver,
) -> None:  # fmt: skip
    receiver.statuses = [500, 503]
    assert site_alerts.save(engine, "north", "", receiver.url, SECRET)
    heartbeat(client, clock, world, NOW)
    waits: list[float] = []
    report = run_round(engine, settings, NOW + timedelta(minutes=20), sleep=waits.append)
    assert len(receiver.calls) == 3 and waits == [1.0, 4.0]
    assert report.webhooks == 1 and report.failures == []
    run_round(engine, settings, NOW + timedelta(minutes=21), sleep=waits.append)
    assert len(receiver.calls) == 3  # delivered once, not again


def test_alerts_a_dead_webhook_never_holds_up_mail_and_is_tried_next_round(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox, receiver: Receiver,
) -> None:  # fmt: skip
    receiver.statuses = [500, 500, 500]
    assert site_alerts.save(engine, "north", "beheer@werkplaats.example", receiver.url, SECRET)
    heartbeat(client, clock, world, NOW)
    report = run_round(engine, settings, NOW + timedelta(minutes=20), sleep=lambda _: None)
    assert report.mails == 1 and len(inbox.messages) == 1
    assert report.failures == ["north"] and len(receiver.calls) == 3
    with engine.connect() as conn:
        tries = conn.execute(
            select(incident_notices.c.tries).where(incident_notices.c.channel == "webhook")
        ).scalar_one()
        assert tries == 1
    report = run_round(engine, settings, NOW + timedelta(minutes=21), sleep=lambda _: None)
    assert report.webhooks == 1 and len(receiver.calls) == 4
    assert len(inbox.messages) == 1


def test_alerts_command_runs_a_round(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox, north_mailed: None, database_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from prikklok.cli import cli

    heartbeat(client, clock, world, datetime.now(UTC) - timedelta(hours=1))
    monkeypatch.setenv("PRIKKLOK_SERVER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PRIKKLOK_SERVER_SMTP_PORT", str(settings.smtp_port))
    done = CliRunner().invoke(cli, ["server", "alerts", "--database-url", database_url])
    assert done.exit_code == 0, done.output
    assert "1 incident(s) opened" in done.output


def test_alerts_mail_waits_for_the_next_round_when_the_mail_server_is_away(
    client: TestClient, clock: HeldClock, world: World, engine: Engine, settings: Settings,
    inbox: Inbox, north_mailed: None,
) -> None:  # fmt: skip
    heartbeat(client, clock, world, NOW)
    away = replace(settings, smtp_port=free_port())  # nothing listens there
    report = run_round(engine, away, NOW + timedelta(minutes=20))
    assert report.opened == 1 and report.mails == 0 and report.failures == ["smtp"]
    assert inbox.messages == []
    report = run_round(engine, settings, NOW + timedelta(minutes=21))
    assert report.opened == 0 and report.mails == 1
    [opened] = mails(inbox)
    assert "north-1: geen contact" in opened["Subject"]
