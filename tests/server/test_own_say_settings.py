"""The site's own-say settings travel: the admin's form → the sites table → the snapshot of a
door that understands own_say (and not of an older door, whose strict model must still
accept what it gets); the usual leaving times; and the week marks of GET /presence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from server.db import writing
from server.kiosks.leaving_times import usual_leaving_times
from server.schema import absences, participants, sites
from sync.protocol import UNDERSTANDS_HEADER, SitePresence, Snapshot, Strict
from tests.server.conftest import NOW, Staff, World, log_in, wire
from tests.server.test_own_say_push import push

OWN_SAY = {UNDERSTANDS_HEADER: "own_say"}


class OldSiteSettings(Strict):
    """SiteSettings as a kiosk from before own_say knows it: extra fields are forbidden."""

    id: str
    name: str
    opens_at: time
    closes_at: time
    timezone: str = "Europe/Amsterdam"
    speak_greeting: bool = False


class OldSnapshot(Snapshot):
    site: OldSiteSettings  # type: ignore[assignment]


class OldSitePresence(SitePresence):
    """SitePresence of an older kiosk: no `days`, and strict."""

    days: None = None  # type: ignore[assignment]


def post(client: TestClient, path: str, csrf: str, form: dict[str, str]) -> Any:
    return client.post(path, data={"csrf": csrf, **form}, follow_redirects=True)


def stored(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as conn:
        row = conn.execute(
            select(sites.c.my_week, sites.c.leave_reason_minutes, sites.c.estimated_hours).where(
                sites.c.id == "north"
            )
        ).one()
    return tuple(row)


def snapshot_site(client: TestClient, world: World, headers: dict[str, str]) -> dict[str, Any]:
    answer = client.get("/api/v1/snapshot", headers={**world.auth(), **headers})
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["site"])


def test_own_say_settings_admin_form_reaches_the_door(
    browser_client: TestClient, client: TestClient, staff_world: Staff, world: World, engine
) -> None:
    assert stored(engine) == (True, 60, "confirmed")  # the defaults of migration 0014
    csrf = log_in(browser_client, "anna")
    form = {"leave_reason_minutes": "90", "estimated_hours": "at_once"}  # my week unticked
    page = post(browser_client, "/sites/north/own-say", csrf, form)
    assert page.status_code == 200 and "Opgeslagen" in page.text
    assert stored(engine) == (False, 90, "at_once")
    assert (
        'name="leave_reason_minutes" inputmode="numeric"' in page.text and 'value="90"' in page.text
    )
    site = snapshot_site(client, world, OWN_SAY)
    assert (site["my_week"], site["leave_reason_minutes"]) == (False, 90)
    post(browser_client, "/sites/north/own-say", csrf,
         {"my_week": "1", "leave_reason_minutes": "", "estimated_hours": "confirmed"})  # fmt: skip
    assert stored(engine) == (True, None, "confirmed")  # empty: never ask
    assert snapshot_site(client, world, OWN_SAY)["leave_reason_minutes"] is None


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"leave_reason_minutes": "een uur", "estimated_hours": "confirmed"}, "Reden vragen"),
        ({"leave_reason_minutes": "1441", "estimated_hours": "confirmed"}, "Reden vragen"),
        ({"leave_reason_minutes": "-5", "estimated_hours": "confirmed"}, "Reden vragen"),
        ({"leave_reason_minutes": "30", "estimated_hours": "soms"}, "Geschatte uren"),
    ],
)
def test_own_say_settings_refuses_bad_values_in_dutch(
    browser_client: TestClient, staff_world: Staff, engine, form: dict[str, str], error: str
) -> None:
    csrf = log_in(browser_client, "anna")
    page = post(browser_client, "/sites/north/own-say", csrf, {"my_week": "1", **form})
    assert page.status_code == 400
    assert f'<p class="error" role="alert">{error}' in page.text
    assert stored(engine) == (True, 60, "confirmed")  # nothing changed


def test_own_say_settings_of_an_unknown_site_is_404(
    browser_client: TestClient, staff_world: Staff
) -> None:
    csrf = log_in(browser_client, "anna")
    answer = post(browser_client, "/sites/nowhere/own-say", csrf, {"estimated_hours": "at_once"})
    assert answer.status_code == 404


def test_own_say_snapshot_for_an_older_kiosk_leaves_the_settings_out(
    client: TestClient, world: World
) -> None:
    answer = client.get("/api/v1/snapshot", headers=world.auth())
    site = answer.json()["site"]
    assert not {"my_week", "leave_reason_minutes", "usual_leaving_times"} & set(site)
    OldSnapshot.model_validate_json(answer.content)  # an older door still reads it
    new = client.get("/api/v1/snapshot", headers={**world.auth(), **OWN_SAY})
    assert new.headers["ETag"] != answer.headers["ETag"]
    Snapshot.model_validate_json(new.content)
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        OldSnapshot.model_validate_json(new.content)  # why the old door must not get them


def check_out(seq: int, at: datetime, **fields: Any) -> dict[str, Any]:
    day = at.date().isoformat()
    return wire(seq, kind="check_out", wall_at=at.isoformat(), workshop_day=day, **fields)


def test_own_say_usual_leaving_times_on_the_quarter_hour_earliest_first(
    client: TestClient, world: World, engine: Engine
) -> None:
    # Site time (UTC+1 in November): 16:00 ×4, 16:30 ×3, 15:00 ×2, 17:00 ×2, 12:15 ×1,
    # and one long ago that does not count.
    at = [("15:00", 4), ("15:29", 2), ("15:31", 1), ("14:02", 2), ("16:07", 2), ("11:10", 1)]
    records, seq = [], 0
    for clock, times in at:
        for n in range(times):
            seq += 1
            day = datetime(2026, 11, 24 - n - seq % 3, tzinfo=UTC)
            moment = datetime.combine(day.date(), time.fromisoformat(clock), tzinfo=UTC)
            records.append(check_out(seq, moment))
    records.append(check_out(seq + 1, datetime(2026, 10, 1, 14, 0, tzinfo=UTC)))
    assert {status for status, _ in push(client, world, *records)} == {"accepted"}
    with engine.connect() as conn:
        found = usual_leaving_times(conn, "north", "Europe/Amsterdam", NOW)
    assert found == [time(12, 15), time(15, 0), time(16, 0), time(16, 30), time(17, 0)]
    site = snapshot_site(client, world, OWN_SAY)
    assert site["usual_leaving_times"] == ["12:15:00", "15:00:00", "16:00:00", "16:30:00",
                                           "17:00:00"]  # fmt: skip


def test_own_say_usual_leaving_times_across_a_change_of_daylight_saving(
    client: TestClient, world: World, engine: Engine
) -> None:
    # 16:00 in Amsterdam is 14:00 UTC before 25 October 2026 and 15:00 UTC after it.
    summer = [datetime(2026, 10, d, 14, 0, tzinfo=UTC) for d in (20, 21, 22, 23)]
    winter = [datetime(2026, 10, d, 15, 0, tzinfo=UTC) for d in (26, 27, 28, 29)]
    others = [datetime(2026, 10, 28, h, 0, tzinfo=UTC) for h in (12, 13, 14)]
    records = [check_out(n + 1, at) for n, at in enumerate(summer + winter + others)]
    push(client, world, *records)
    with engine.connect() as conn:
        found = usual_leaving_times(
            conn, "north", "Europe/Amsterdam", datetime(2026, 11, 5, 12, tzinfo=UTC)
        )
    assert found == [time(13, 0), time(14, 0), time(15, 0), time(16, 0)]


def test_own_say_usual_leaving_times_empty_with_too_few_check_outs(
    client: TestClient, world: World, engine: Engine
) -> None:
    moments = [datetime(2026, 11, 20, h, 0, tzinfo=UTC) for h in (12, 13, 14, 15)]
    push(client, world, *[check_out(n + 1, at) for n, at in enumerate(moments)])
    with engine.connect() as conn:
        assert usual_leaving_times(conn, "north", "Europe/Amsterdam", NOW) == []
    assert snapshot_site(client, world, OWN_SAY)["usual_leaving_times"] == []


def test_own_say_presence_days_only_for_a_kiosk_that_asks(
    client: TestClient, world: World, engine: Engine
) -> None:
    # NOW: Wednesday 25 November. Amal came Monday and Tuesday,
    # announced Thursday; Dawit is excused Friday and announced Friday too (the excuse
    # wins); Amal's announcement for Monday 14 December is past the range (14 days ahead).
    push(
        client, world,
        wire(1, wall_at="2026-11-23T08:00:00+00:00", workshop_day="2026-11-23"),
        wire(2, wall_at="2026-11-24T08:00:00+00:00", workshop_day="2026-11-24"),
        wire(3, kind="absence_announced", detail={"day": "2026-11-26", "reason": "office"}),
        wire(4, kind="absence_announced", participant_id="p-dawit", badge_uid=None,
             detail={"day": "2026-11-27", "reason": "doctor"}),
        wire(5, kind="absence_announced", detail={"day": "2026-12-14", "reason": "office"}),
    )  # fmt: skip
    with writing(engine) as conn:
        conn.execute(
            absences.insert().values(
                participant_id="p-dawit", site_id="north", day=date(2026, 11, 27),
                reason="sick", note="", staff_id="s-marieke", created_at=NOW,
            )
        )  # fmt: skip
    plain = client.get("/api/v1/presence", headers=world.auth())
    assert plain.status_code == 200 and "days" not in plain.json()
    OldSitePresence.model_validate_json(plain.content)
    asked = client.get("/api/v1/presence", headers={**world.auth(), **OWN_SAY})
    marks = [(m["participant_id"], m["day"], m["state"]) for m in asked.json()["days"]]
    assert marks == [
        ("p-amal", "2026-11-23", "came"),
        ("p-amal", "2026-11-24", "came"),
        ("p-amal", "2026-11-26", "announced"),
        ("p-dawit", "2026-11-27", "excused"),
    ]
    SitePresence.model_validate_json(asked.content)
    with writing(engine) as conn:  # an inactive participant's week is nobody's business
        conn.execute(update(participants).where(participants.c.id == "p-amal").values(active=False))
    asked = client.get("/api/v1/presence", headers={**world.auth(), **OWN_SAY})
    assert {m["participant_id"] for m in asked.json()["days"]} == {"p-dawit"}
