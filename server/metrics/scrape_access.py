"""Who may read /metrics (pure): this machine itself, or whoever shows the metrics token.

"This machine" is a request from a loopback address that no proxy passed on. Behind a load
balancer on the same host every request arrives from 127.0.0.1 (docs/admin/balancer.md):
a request with a forwarding header (Forwarded, X-Forwarded-For, X-Real-IP) came from
elsewhere through it and must show the token, whether or not the server believes the
header's address (PRIKKLOK_SERVER_TRUSTED_PROXIES). The token is compared in constant time.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


@dataclass(frozen=True)
class Refusal:
    status: int  # 401: a token was shown and is wrong; 403: none shown, not from here
    detail: str


def scrape_refusal(
    client_host: str | None, headers: Mapping[str, str], token: str | None
) -> Refusal | None:
    """None when the scrape may go ahead; else why not. `headers` by lower-case name;
    `token` the server's metrics token (None: only this machine may read them)."""
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, shown = authorization.partition(" ")
        if (
            token is not None
            and scheme.lower() == "bearer"
            and hmac.compare_digest(shown.strip().encode(), token.encode())
        ):
            return None
        return Refusal(401, "wrong metrics token")
    if _loopback(client_host) and not any(name in headers for name in FORWARDING_HEADERS):
        return None
    return Refusal(403, "the metrics are for this machine, or for a scraper with the metrics token")


def _loopback(host: str | None) -> bool:
    if host is None:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a Unix socket's peer, or a test client's made-up name
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 on a dual-stack socket
    return address.is_loopback
