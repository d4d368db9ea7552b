"""The shared HTTP client maps answers to the port's typed errors (no server: MockTransport)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from suivi_tracker.adapters.sources.errors import refuse
from suivi_tracker.adapters.sources.http import HeaderAuth, SourceHttp, retry_after
from suivi_tracker.domain.sources import NeedsInfo, RateLimited, Rejected, Unavailable


def client(handler: httpx.MockTransport) -> SourceHttp:
    return SourceHttp("http://api.test", auth=HeaderAuth({"X-Key": "k"}), transport=handler)


def answering(status: int, headers: dict[str, str] | None = None) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, headers=headers, json={}))


async def test_429_is_rate_limited_with_its_retry_after() -> None:
    http = client(answering(429, {"Retry-After": "42"}))
    with pytest.raises(RateLimited) as raised:
        await http.request("GET", "/x")
    assert raised.value.retry_after == 42


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_unavailable(status: int) -> None:
    with pytest.raises(Unavailable):
        await client(answering(status)).request("GET", "/x")


async def test_timeouts_and_refused_connections_are_unavailable() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    for handler in (timeout, refused):
        with pytest.raises(Unavailable):
            await client(httpx.MockTransport(handler)).request("GET", "/x")


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_are_rejected(status: int) -> None:
    with pytest.raises(Rejected):
        await client(answering(status)).request("GET", "/x")


async def test_other_answers_are_returned_with_the_credential_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={})

    answer = await client(httpx.MockTransport(handler)).request("GET", "/x")
    assert answer.status_code == 404
    assert seen[0].headers["X-Key"] == "k"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 12, 6, 10, 0, 0, tzinfo=UTC)
    dated = httpx.Response(429, headers={"Retry-After": "Sun, 06 Dec 2026 10:00:30 GMT"})
    assert retry_after(dated, now=lambda: now) == 30
    assert retry_after(httpx.Response(429, headers={"Retry-After": "7"})) == 7
    assert retry_after(httpx.Response(429, headers={"Retry-After": "soon"})) is None
    assert retry_after(httpx.Response(429)) is None


def test_a_4xx_naming_the_postal_code_needs_info() -> None:
    asked = refuse("DHL", 400, {"title": "Bad request", "detail": "recipientPostalCode required"})
    assert isinstance(asked, NeedsInfo) and asked.fields == ("postal_code",)
    other = refuse("USPS", 400, {"error": {"message": "Invalid tracking number"}})
    assert isinstance(other, Rejected) and "Invalid tracking number" in str(other)
