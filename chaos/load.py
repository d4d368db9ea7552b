"""Providers and shoppers as the suite plays them: signed webhooks sent like a provider sends
them (bounded retries with back-off), orders, a mailbox, and the read model watched."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import httpx

from suivi_ingest.testing.signers import suivi_headers
from suivi_notifier.testing.smtp_peer import SmtpPeer

# A provider's retries: 7 attempts, 0.5 s doubling to 8 s between them, 10 s per attempt.
ATTEMPTS = 7
FIRST_BACKOFF, MAX_BACKOFF, ATTEMPT_TIMEOUT = 0.5, 8.0, 10.0


@dataclass
class Sent:
    """One webhook: its tracking number, each attempt's answer and time, when it was first sent."""

    number: str
    first_at: float
    answers: list[int] = field(default_factory=list)  # 0: no answer (broken, timed out)
    seconds: list[float] = field(default_factory=list)
    retry_after: int = 0  # 503s that carried Retry-After

    @property
    def acked(self) -> bool:
        return 202 in self.answers


@dataclass
class Traffic:
    """Sends webhooks for one scenario; tracking numbers `1Z` + 4-letter run tag + 10 digits."""

    ingest: str
    secret: str
    merchant_key: str
    tag: str
    sent: list[Sent] = field(default_factory=list)

    def number(self, n: int) -> str:
        return f"1Z{self.tag}{n:010d}"

    @staticmethod
    def body(number: str) -> bytes:
        """One new checkpoint of the parcel, in the Suivi webhook format."""
        event = {"code": "OFD", "status": "out_for_delivery",
                 "occurred_at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
        payload = {"carrier": "ups", "tracking_number": number, "events": [event]}
        return json.dumps(payload).encode()

    def signed(self, body: bytes) -> dict[str, str]:
        headers = {"content-type": "application/json"}
        return headers | suivi_headers(body, self.secret, int(time.time()))

    async def _attempt(self, http: httpx.AsyncClient, body: bytes, one: Sent) -> bool:
        started = time.monotonic()
        try:
            # Signed again at each attempt, as providers do (a fresh timestamp).
            answer = await http.post("/v1/webhooks/suivi", content=body, headers=self.signed(body))
            status = answer.status_code
            one.retry_after += status == 503 and "retry-after" in answer.headers
        except httpx.HTTPError:
            status = 0
        one.answers.append(status)
        one.seconds.append(time.monotonic() - started)
        return status == 202

    async def webhook(self, http: httpx.AsyncClient, n: int) -> None:
        number = self.number(n)
        body = self.body(number)  # the same checkpoint at every attempt
        one = Sent(number, time.monotonic())
        self.sent.append(one)
        backoff = FIRST_BACKOFF
        for _ in range(ATTEMPTS):
            # 4xx other than 408/429 would be final for a provider: ours are all valid.
            if await self._attempt(http, body, one):
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def stream(self, start: int, count: int, rate: float) -> None:
        """`count` webhooks at `rate` per second, each retried on its own; returns when all
        are answered or given up."""
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(
            base_url=self.ingest, timeout=ATTEMPT_TIMEOUT, limits=limits
        ) as http:
            tasks = []
            begun = time.monotonic()
            for i in range(count):
                await asyncio.sleep(max(0.0, begun + i / rate - time.monotonic()))
                tasks.append(asyncio.create_task(self.webhook(http, start + i)))
            await asyncio.gather(*tasks)

    async def orders(self, numbers: list[str]) -> None:
        """One order per parcel, its shopper opted in to email, stored before its statuses."""
        headers = {"authorization": f"Bearer {self.merchant_key}"}
        async with httpx.AsyncClient(base_url=self.ingest, timeout=20, headers=headers) as http:
            for number in numbers:
                order = {
                    "order_number": number,
                    "placed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "customer": {"email": mailbox_of(number)},
                    "notifications": {"email": True},
                    "shipments": [{"carrier": "UPS", "tracking_number": number}],
                }
                for _ in range(ATTEMPTS):
                    answer = await http.post("/v1/orders", json=order)
                    if answer.status_code == 202:
                        break
                    await asyncio.sleep(1)
                else:
                    raise RuntimeError(f"order {number}: {answer.status_code} {answer.text}")


def mailbox_of(number: str) -> str:
    return f"shopper-{number.lower()}@example.com"


def shopper_mail(peer: SmtpPeer, numbers: set[str]) -> Counter[str]:
    """Messages received per parcel (by the shopper's address)."""
    boxes = {mailbox_of(n): n for n in numbers}
    got: Counter[str] = Counter()
    for _, recipients in peer.envelopes:
        for r in recipients:
            if r in boxes:
                got[boxes[r]] += 1
    return got


@dataclass
class ReadModel:
    """The projections' timeline, watched: when each parcel first showed there."""

    url: str
    tag: str
    first_seen: dict[str, float] = field(default_factory=dict)

    async def rows(self) -> list[tuple[str, int]]:
        conn = await asyncpg.connect(self.url, timeout=5)
        try:
            rows = await conn.fetch(
                "SELECT tracking_number, count(*) FROM shipment_events"
                " WHERE tracking_number LIKE $1 GROUP BY tracking_number",
                f"1Z{self.tag}%",
            )
        finally:
            await conn.close()
        return [(r[0], r[1]) for r in rows]

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                now = time.monotonic()
                for number, _ in await self.rows():
                    self.first_seen.setdefault(number, now)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                pass  # PostgreSQL restarting: look again
            await asyncio.sleep(0.5)


class Probe:
    """One webhook every `interval` s from a thread of its own (its own connection, away from
    the stream's event loop and pool), one attempt each: ingest's answer time as a provider
    sees it, when each was sent."""

    def __init__(self, traffic: Traffic, interval: float = 0.5) -> None:
        self.traffic, self.interval = traffic, interval
        self.answers: list[tuple[float, float, int]] = []  # (sent at, seconds, status)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.traffic.ingest, timeout=ATTEMPT_TIMEOUT) as http:
            n = 0
            while not self._stop.wait(self.interval):
                # 9 then 9 digits: never one of the stream's numbers (below 9,000,000,000).
                number = self.traffic.number(9_000_000_000 + n)
                n += 1
                body = self.traffic.body(number)
                headers = self.traffic.signed(body)
                started = time.monotonic()
                try:
                    status = http.post(
                        "/v1/webhooks/suivi", content=body, headers=headers
                    ).status_code
                except httpx.HTTPError:
                    status = 0
                self.answers.append((started, time.monotonic() - started, status))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(ATTEMPT_TIMEOUT + 5)

    def slowest(self, since: float, until: float) -> float:
        """The longest answer to a probe sent within [since, until]."""
        return max((s for at, s, _ in self.answers if since <= at <= until), default=0.0)


def run_tag() -> str:
    return uuid.uuid4().hex[:4].upper()
