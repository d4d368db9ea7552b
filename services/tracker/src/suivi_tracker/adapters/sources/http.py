"""The one HTTP client every source uses: rate limit, credentials, answers → the port's errors.

- 429 → RateLimited(retry_after from `Retry-After`, seconds or an HTTP date);
- 5xx, timeouts and connection errors → Unavailable (with `Retry-After` when the server sent one);
- 401 → one credential refresh and one retry (OAuth), then Rejected; 403 → Rejected;
- anything else is returned for the source to read (2xx, 404 and documented 4xx bodies).
Credentials go in headers only; neither they nor URLs with numbers are logged here.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import SecretStr

from suivi_tracker.adapters.sources.limits import Sleep, TokenBucket
from suivi_tracker.domain.sources import RateLimited, Rejected, Unavailable

USER_AGENT = "suivi-tracker/0.1 (+https://github.com/suivi)"


class Auth:
    """Headers that authenticate a request; the base class sends none."""

    async def headers(self) -> dict[str, str]:
        return {}

    async def refresh(self, rejected: Mapping[str, str]) -> bool:
        """Called on a 401 with the headers that were refused: True when a retry may pass."""
        return False


class HeaderAuth(Auth):
    """A fixed credential header (`X-Okapi-Key`, `DHL-API-Key`, `17token`, `as-api-key`, …)."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    async def headers(self) -> dict[str, str]:
        return dict(self._values)


def retry_after(answer: httpx.Response, now: Callable[[], datetime] | None = None) -> float | None:
    """`Retry-After` in seconds (delta-seconds or HTTP-date), None when absent or unreadable."""
    value = answer.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = now() if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def transport_error(error: httpx.HTTPError) -> Unavailable:
    kind = "timeout" if isinstance(error, httpx.TimeoutException) else "connection error"
    return Unavailable(f"{kind}: {type(error).__name__}")


def raise_for_answer(answer: httpx.Response) -> None:
    """Raise the port's error for 429, 5xx, 401 and 403; return for every other answer."""
    code = answer.status_code
    if code == 429:
        raise RateLimited(retry_after=retry_after(answer))
    if code >= 500:
        raise Unavailable(f"HTTP {code}", retry_after=retry_after(answer))
    if code in (401, 403):
        raise Rejected(f"credentials refused (HTTP {code})")


class SourceHttp:
    """An httpx.AsyncClient with one source's base URL, credentials and token bucket."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None = None,
        bucket: TokenBucket | None = None,
        timeout_seconds: float = 10.0,
        max_wait_seconds: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout_seconds,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        self.auth = auth or Auth()
        self.bucket = bucket
        self._max_wait = max_wait_seconds
        self._sleep = sleep
        self.rate_waited_seconds = 0.0  # time spent waiting for the bucket (metrics)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        passthrough: frozenset[int] = frozenset(),
    ) -> httpx.Response:
        """The answer; `passthrough` statuses are returned for the caller to read (a SOAP
        service's 500 fault says whether it is the caller's fault or the server's)."""
        answer, sent = await self._send(method, url, params, json, headers, content)
        if answer.status_code == 401 and await self.auth.refresh(sent):
            answer, _ = await self._send(method, url, params, json, headers, content)
        if answer.status_code not in passthrough:
            raise_for_answer(answer)
        return answer

    async def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        content: bytes | None = None,
    ) -> tuple[httpx.Response, dict[str, str]]:
        if self.bucket is not None:
            started = time.monotonic()
            await self.bucket.acquire(self._max_wait, self._sleep)
            self.rate_waited_seconds += time.monotonic() - started
        sent = await self.auth.headers()
        try:
            answer = await self.client.request(
                method,
                url,
                params=params,
                json=json,
                content=content,
                headers={**(headers or {}), **sent},
            )
        except httpx.HTTPError as error:
            raise transport_error(error) from None
        return answer, sent

    async def close(self) -> None:
        await self.client.aclose()


def json_body(answer: httpx.Response) -> Any:
    """The answer's JSON, or Unavailable: a garbled answer is the source's temporary fault."""
    try:
        return answer.json()
    except ValueError:
        raise Unavailable(f"HTTP {answer.status_code} answer is not JSON") from None


def secret(value: SecretStr | None) -> str:
    """A configured secret's value ('' when unset: the source stays off)."""
    return value.get_secret_value() if value is not None else ""


def keyed(client: SourceHttp, headers: Mapping[str, str]) -> SourceHttp:
    """`client`, sending these fixed credential headers with every call."""
    client.auth = HeaderAuth(headers)
    return client


def basic_auth_header(user: str, password: str) -> dict[str, str]:
    """`Authorization: Basic …` (EasyPost: the API key as user name, no password)."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}
