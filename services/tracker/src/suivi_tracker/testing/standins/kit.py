"""What every stand-in shares: injected faults, a rate limit, OAuth tokens that expire, call
counts, the admin routes that drive them, and the signed webhook sender of push stand-ins."""

from __future__ import annotations

import asyncio
import base64
import hmac
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from suivi_tracker.testing.standins.journeys import Journeys, StandinClock, Step

log = logging.getLogger(__name__)


@dataclass
class Fault:
    status: int
    times: int = 1
    retry_after: int | None = None


@dataclass
class TokenIssuer:
    """OAuth 2 client credentials: tokens live `lifetime` seconds of the stand-in clock."""

    clock: StandinClock
    client_id: str
    client_secret: str
    lifetime: int = 3600
    tokens: dict[str, datetime] = field(default_factory=dict)
    issued: int = 0

    def check_client(self, client_id: str | None, client_secret: str | None) -> bool:
        return (
            client_id is not None
            and client_secret is not None
            and hmac.compare_digest(client_id.encode(), self.client_id.encode())
            and hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        )

    def grants(
        self, form: Mapping[str, Any], client_id: str | None, client_secret: str | None
    ) -> bool:
        """Whether `form` asks for a client-credentials token and the client is this one."""
        return form.get("grant_type") == "client_credentials" and self.check_client(
            client_id, client_secret
        )

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = self.clock.now() + timedelta(seconds=self.lifetime)
        self.issued += 1
        return token

    def valid(self, authorization: str | None) -> bool:
        if not authorization or not authorization.startswith("Bearer "):
            return False
        expires = self.tokens.get(authorization.removeprefix("Bearer ").strip())
        return expires is not None and self.clock.now() < expires

    def expire_all(self) -> None:
        self.tokens = dict.fromkeys(self.tokens, self.clock.now())


def basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.startswith("Basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None, None
    return user, password


async def form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body (without python-multipart)."""
    pairs = parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    return dict(pairs)


def same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class Standin:
    """One API's stand-in: subclasses add their routes and call `guard` first in each."""

    name = ""

    def __init__(self, journeys: Journeys) -> None:
        self.journeys = journeys
        self.clock = journeys.clock
        self.faults: list[Fault] = []
        self.limit: tuple[float, int] | None = None  # (calls per second, burst) when set
        self._window: list[float] = []
        self.calls: Counter[str] = Counter()
        self.issuer: TokenIssuer | None = None  # an OAuth API's token endpoint

    def guard(self, request: Request) -> Response | None:
        """An injected fault or a 429 for this call, else None (the call goes on)."""
        self.calls[request.url.path] += 1
        if self.faults:
            fault = self.faults[0]
            fault.times -= 1
            if fault.times <= 0:
                self.faults.pop(0)
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else None
            return JSONResponse({"error": "injected"}, fault.status, headers=headers)
        if self.limit is not None:
            rate, burst = self.limit
            now = self.clock.now().timestamp()
            self._window = [t for t in self._window if now - t < burst / rate]
            if len(self._window) >= burst:
                wait = max(1, int(burst / rate - (now - self._window[0])) + 1)
                return JSONResponse(
                    {"error": "rate limited"}, 429, headers={"Retry-After": str(wait)}
                )
            self._window.append(now)
        return None

    def routes(self) -> list[BaseRoute]:
        return [Route("/_admin/faults", self._admin_faults, methods=["POST"])]

    async def _admin_faults(self, request: Request) -> Response:
        """`{"status": 503, "times": 2, "retry_after": 7}` or `{"limit": [rate, burst]}`."""
        body = await request.json()
        if "limit" in body:
            limit = body["limit"]
            self.limit = (float(limit[0]), int(limit[1])) if limit else None
        if "status" in body:
            self.faults.append(
                Fault(int(body["status"]), int(body.get("times", 1)), body.get("retry_after"))
            )
        if body.get("expire_tokens") and self.issuer is not None:
            self.issuer.expire_all()
        return JSONResponse({"faults": len(self.faults)})


Sign = Callable[[bytes], dict[str, str]]


@dataclass
class Delivery:
    status: int
    body: dict[str, Any]


class WebhookSender:
    """POSTs signed webhooks to ingest; remembers what it sent and what ingest answered."""

    def __init__(self, url: str | None, sign: Sign) -> None:
        self.url = url
        self._sign = sign
        self.sent: list[Delivery] = []
        self.failing = False
        self._client = httpx.AsyncClient(timeout=10.0)

    async def send(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        if not self.url:
            return 0
        raw = httpx.Request("POST", self.url, json=body).content
        headers = {"Content-Type": "application/json", **self._sign(raw), **(headers or {})}
        try:
            answer = await self._client.post(self.url, content=raw, headers=headers)
            status = answer.status_code
        except httpx.HTTPError as error:
            if not self.failing:  # once per outage, not once per tick
                log.warning("webhook to %s failed: %s", self.url, type(error).__name__)
            status = 0
        self.failing = status == 0
        self.sent.append(Delivery(status, body))
        return status

    async def close(self) -> None:
        await self._client.aclose()


class PushStandin(Standin):
    """An aggregator: registered numbers get a webhook whenever their journey moves."""

    def __init__(self, journeys: Journeys, sender: WebhookSender) -> None:
        super().__init__(journeys)
        self.sender = sender
        self.registered: dict[str, dict[str, Any]] = {}  # number → registration facts
        self._delivered: dict[str, int] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[int]] = set()

    def webhooks(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]], done: int
    ) -> list[tuple[dict[str, Any], dict[str, str]]]:
        """(body, extra headers) to send now that `due` steps happened and `done` were sent:
        by default one webhook carrying the whole history (what aggregators do)."""
        return [(self.webhook(number, facts, due), {})]

    def webhook(
        self, number: str, facts: dict[str, Any], due: list[tuple[datetime, Step]]
    ) -> dict[str, Any]:
        raise NotImplementedError

    async def tick(self) -> int:
        """Send the webhooks of every registered number whose journey moved; how many went."""
        async with self._lock:
            sent = 0
            for number, facts in list(self.registered.items()):
                due = self.journeys.due(number)
                done = self._delivered.get(number, 0)
                if len(due) <= done:
                    continue
                statuses = [
                    await self.sender.send(body, headers)
                    for body, headers in self.webhooks(number, facts, due, done)
                ]
                if all(200 <= status < 300 for status in statuses):
                    self._delivered[number] = len(due)
                    sent += len(statuses)
            return sent

    def stop(self, number: str) -> bool:
        self._delivered.pop(number, None)
        return self.registered.pop(number, None) is not None

    def register(self, number: str, facts: dict[str, Any]) -> bool:
        """True when new; the first webhook goes out in the background."""
        new = number not in self.registered
        self.registered.setdefault(number, facts)
        self.journeys.due(number)  # starts the journey
        if new:
            task = asyncio.get_running_loop().create_task(self.tick())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return new
