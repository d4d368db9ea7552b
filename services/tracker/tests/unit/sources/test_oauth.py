"""OAuth 2 client credentials: cached, refreshed before expiry, one refresh per rejected token
even under concurrency."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from suivi_tracker.adapters.sources.http import SourceHttp
from suivi_tracker.adapters.sources.oauth import ClientCredentials
from suivi_tracker.domain.sources import Rejected


class Server:
    """A token endpoint and an API that accepts only the latest token."""

    def __init__(self) -> None:
        self.issued = 0
        self.current = ""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            body = json.loads(request.content) if request.content.startswith(b"{") else {}
            if body.get("client_secret", "s") != "s":
                return httpx.Response(401, json={"error": "invalid_client"})
            self.issued += 1
            self.current = f"t{self.issued}"
            return httpx.Response(200, json={"access_token": self.current, "expires_in": "3600"})
        if request.headers.get("authorization") != f"Bearer {self.current}":
            return httpx.Response(401, json={})
        return httpx.Response(200, json={"ok": True})


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def wired(server: Server, clock: Clock, secret: str) -> SourceHttp:
    http = SourceHttp("http://api.test", transport=httpx.MockTransport(server))
    http.auth = ClientCredentials(
        http.client, "/token", "id", secret, style="json", clock=clock, refresh_margin_seconds=60
    )
    return http


async def test_the_token_is_cached_then_refreshed_before_it_expires() -> None:
    server, clock = Server(), Clock()
    http = wired(server, clock, "s")
    await http.request("GET", "/track")
    clock.now = 3500  # still valid, outside the 60 s margin
    await http.request("GET", "/track")
    assert server.issued == 1
    clock.now = 3541  # within the margin: refreshed before the API could refuse it
    await http.request("GET", "/track")
    assert server.issued == 2


async def test_a_token_refused_by_the_api_is_refreshed_once_for_all_concurrent_calls() -> None:
    server, clock = Server(), Clock()
    http = wired(server, clock, "s")
    await http.request("GET", "/track")
    server.current = "revoked"  # the provider forgot our token
    answers = await asyncio.gather(*(http.request("GET", "/track") for _ in range(10)))
    assert all(a.status_code == 200 for a in answers)
    assert server.issued == 2


async def test_refused_client_credentials_are_rejected() -> None:
    with pytest.raises(Rejected):
        await wired(Server(), Clock(), secret="wrong").request("GET", "/track")
