"""Every answer carries the security headers; personal data is never cached, static files may be."""

from __future__ import annotations

from fastapi.testclient import TestClient

from server.web.pages import CSP
from tests.server.conftest import World


def test_security_headers_on_a_page_and_on_the_kiosk_api(client: TestClient, world: World) -> None:
    page = client.get("/login")
    push = client.post("/api/v1/records", json={"records": []}, headers=world.auth())
    refused = client.post("/api/v1/heartbeat", json={}, headers={"Authorization": "Bearer no"})
    for answer in (page, push, refused):
        assert answer.headers["content-security-policy"] == CSP
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["cache-control"] == "no-store"
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"


def test_static_files_may_be_cached(client: TestClient) -> None:
    answer = client.get("/static/coach.css")
    assert answer.status_code == 200
    assert "no-store" not in answer.headers.get("cache-control", "")
    assert answer.headers["x-frame-options"] == "DENY"
