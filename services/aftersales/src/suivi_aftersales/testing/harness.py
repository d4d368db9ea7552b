"""Running after-sales in tests against the real broker and PostgreSQL: a settable clock, the
service on fresh topics and the test's own schema, and helpers to publish inputs and read
`commerce.returns.v1` back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg
import httpx
from pydantic import BaseModel, SecretStr

from suivi_aftersales.bootstrap import AftersalesService, bootstrap
from suivi_aftersales.db.migrate import migrate
from suivi_aftersales.settings import AftersalesSettings
from suivi_aftersales.testing.builders import T0, order_event, status_event
from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_infra.tokens import TokenSettings, status_token
from suivi_schemas.returns import ReturnEvent
from suivi_schemas.status import ShipmentStatus

KEYS = "atelier:dev-atelier-api-key-0001,northwind:dev-northwind-api-key-0001"
ATELIER = {"Authorization": "Bearer dev-atelier-api-key-0001"}
NORTHWIND = {"Authorization": "Bearer dev-northwind-api-key-0001"}


@dataclass
class SettableClock:
    now: datetime = field(default=T0 + timedelta(days=2))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass(frozen=True, slots=True)
class Topics:
    orders: str
    status: str
    returns: str
    dlq: str
    claims: str
    alerts: str


async def started(
    kafka: KafkaSettings, pool: asyncpg.Pool, topics: Topics, clock: SettableClock,
    *, group: str | None = None,
) -> AftersalesService:  # fmt: skip
    settings = AftersalesSettings(
        kafka=kafka, merchant_keys=SecretStr(KEYS), orders_topic=topics.orders,
        status_topic=topics.status, returns_topic=topics.returns, dlq_topic=topics.dlq,
        claims_topic=topics.claims, alerts_topic=topics.alerts,
        group_id=group or f"aftersales-{uuid.uuid4().hex[:8]}", metrics_port=0,
        batch_timeout_ms=50, relay_idle_seconds=0.05, schedule_enabled=False,
    )  # fmt: skip
    async with pool.acquire() as conn:
        await migrate(conn)
    service = await bootstrap(settings, pool=pool, clock=clock)
    await service.start()
    return service


async def publish(kafka: KafkaSettings, topic: str, events: Sequence[BaseModel]) -> None:
    producer = make_producer(kafka)
    await producer.start()
    try:
        for event in events:
            key = getattr(event, "key", None)
            if key is None:  # a status event: keyed carrier:NUMBER
                key = f"{event.carrier}:{event.tracking_number}"  # type: ignore[attr-defined]
            await producer.send_and_wait(topic, event.model_dump_json().encode(), key=key.encode())
    finally:
        await producer.stop()


async def returns_published(
    kafka: KafkaSettings, topic: str, seconds: float = 5
) -> list[ReturnEvent]:
    """Every event on the returns topic, from the start, read until `seconds` pass quietly."""
    consumer = make_consumer(kafka, f"probe-{uuid.uuid4().hex[:8]}", topic,
                             auto_offset_reset="earliest", enable_auto_commit=False)  # fmt: skip
    await consumer.start()
    found: list[ReturnEvent] = []
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=int(seconds * 1000))
            records = [r for part in batch.values() for r in part]
            if not records:
                return found
            found += [ReturnEvent.model_validate_json(r.value) for r in records]
    finally:
        await consumer.stop()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition still false")
        await asyncio.sleep(0.05)


def client(service: AftersalesService) -> httpx.AsyncClient:
    """An httpx client calling the service's app in-process."""
    transport = httpx.ASGITransport(app=service.api, client=("203.0.113.9", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://aftersales.test")


def page_token(number: str, merchant: str = "atelier") -> str:
    """The status page's private token of an order (the shared development key in tests)."""
    return status_token(TokenSettings().token_key, merchant, number)


async def delivered_order(
    kafka: KafkaSettings, topics: Topics, service: AftersalesService, number: str, parcel: str,
    *, deliver: bool = True,
) -> str:  # fmt: skip
    """Publishes an order (and its parcel's delivery at T0 + 1 day) as ingest and the
    normalizer would; returns its page token once after-sales knows it."""
    await publish(kafka, topics.orders, [order_event(number=number, parcel=parcel)])
    if deliver:
        await publish(kafka, topics.status, [
            status_event(parcel, ShipmentStatus.IN_TRANSIT, T0 - timedelta(days=1)),
            status_event(parcel, ShipmentStatus.DELIVERED, T0 + timedelta(days=1)),
        ])  # fmt: skip
    token = page_token(number)

    async def known() -> bool:
        async with client(service) as http:
            answer = await http.get(f"/orders/{token}/returns")
        return answer.status_code == 200 and (not deliver or "return-form" in answer.text)

    await eventually(known)
    return token
