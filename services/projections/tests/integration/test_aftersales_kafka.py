"""Returns and claims through the real broker and PostgreSQL (issue 24): the projector process
follows commerce.returns.v1 / commerce.claims.v1 into `order_aftersales` (out of order and
redelivered events end in the latest version, a record that is no event is dead-lettered),
tells the order's listeners, and the signed-in shopper's dashboard shows the open ones, in
words, linked to after-sales' pages."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiokafka import TopicPartition
from pydantic import BaseModel

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory, eventually
from suivi_projections.bootstrap import bootstrap
from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL
from suivi_projections.query.live import LiveHub
from suivi_projections.testing.aftersales import claim_event, return_event
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.dashboard import ALICE, SHOPS, dashboard_app
from suivi_projections.testing.kafka import on_fresh_topics
from suivi_projections.testing.samples import T0, order_event
from suivi_projections.web.dashboard import store
from suivi_projections.web.dashboard.keys import digest
from suivi_projections.web.settings import ApiSettings
from suivi_schemas.claims import ClaimEventKind, ClaimState
from suivi_schemas.returns import ReturnEventKind, ReturnState

RK, RS, CK, CS = ReturnEventKind, ReturnState, ClaimEventKind, ClaimState
H = timedelta(hours=1)
AFTERSALES = "https://aftersales.test"


async def test_a_return_and_a_claim_reach_the_dashboard(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_pool: asyncpg.Pool,
    pg_schema: str,
) -> None:
    # One partition each: the markers below come after the redelivered events.
    settings = await on_fresh_topics(
        kafka_topic, kafka_settings, postgres_settings, partitions=1, legs_topic="",
        monitor_enabled=False,
    )  # fmt: skip
    topics = {"orders": settings.orders_topic, "returns": settings.returns_topic,
              "claims": settings.claims_topic}  # fmt: skip
    dlq = settings.dlq_topic
    order = order_event("shop-a", "A-101", email=ALICE, shipments=[("ups", "1ZA101", [])])
    other = order_event("shop-a", "A-102", email=ALICE, placed_at=T0 - 24 * H)

    def ret(rid: str, kind: ReturnEventKind, state: ReturnState, hours: float) -> Any:
        return return_event("shop-a", rid, "A-101", kind, state, T0 + hours * H)

    returns = [  # the carrier's first scan before the approval, and everything twice
        ret("R-1", RK.DROPPED_OFF, RS.DROPPED_OFF, 20),
        ret("R-1", RK.REQUESTED, RS.REQUESTED, 0),
        ret("R-1", RK.APPROVED, RS.APPROVED, 1),
        ret("R-1", RK.DROPPED_OFF, RS.DROPPED_OFF, 20),
        ret("R-2", RK.REJECTED, RS.REJECTED, 2),  # over: not on the card
        ret("R-2", RK.REQUESTED, RS.REQUESTED, 0),
    ]

    def claim(cid: str, kind: ClaimEventKind, state: ClaimState, hours: float, n: int) -> Any:
        return claim_event("shop-a", cid, "A-101", kind, state, T0 + hours * H, n)

    claims = [
        claim("C-9", CK.MERCHANT_MESSAGE, CS.WAITING_SHOPPER, 1, 2),
        claim("C-9", CK.OPENED, CS.WAITING_MERCHANT, 0, 1),
    ]
    producer = make_producer(kafka_settings)
    service = bootstrap(settings, serve_metrics=False, server_settings={"search_path": pg_schema})
    told: list[str] = []
    listener = await pg_pool.acquire()

    def tell(*args: Any) -> None:
        told.append(args[3])

    await listener.add_listener(ORDER_CHANGED_CHANNEL, tell)

    async def send(topic: str, events: Sequence[BaseModel], raw: bytes | None = None) -> None:
        for e in events:
            key = getattr(e, "key").encode()  # noqa: B009 - every contract has its key
            await producer.send_and_wait(topics[topic], e.model_dump_json().encode(), key=key)
        if raw is not None:
            await producer.send_and_wait(topics[topic], raw, key=b"shop-a:R-3")

    async def rows() -> dict[str, tuple[str, bool]]:
        found = await pg_pool.fetch("SELECT case_id, state, is_open FROM order_aftersales")
        return {r[0]: (r[1], r[2]) for r in found}

    async def orders_in() -> bool:
        return bool(await pg_pool.fetchval("SELECT count(*) FROM orders") == 2)

    async def marked(*case_ids: str) -> bool:
        return set(case_ids) <= set(await rows())

    async def settled(markers: bool = False) -> bool:
        expected = {
            "R-1": ("dropped_off", True), "R-2": ("rejected", False),
            "C-9": ("waiting_shopper", True),
        }  # fmt: skip
        if markers:
            expected |= {"R-4": ("requested", True), "C-10": ("waiting_merchant", True)}
        return await rows() == expected

    await producer.start()
    try:
        async with service.app:
            await send("orders", [order, other])
            assert await eventually(orders_in)  # so that the return's change is told
            await send("returns", returns, raw=b'{"kind": "requested"}')
            await send("claims", claims)
            assert await eventually(settled)
            # Older versions redelivered after the rows were written change nothing (the
            # upsert's own comparison, not the batch's): a new return marks their passage.
            await send("returns", [*returns[1:3], ret("R-4", RK.REQUESTED, RS.REQUESTED, 0)])
            await send("claims", [*claims[1:], claim("C-10", CK.OPENED, CS.WAITING_MERCHANT, 0, 1)])
            assert await eventually(lambda: marked("R-4", "C-10"))
            assert await settled(markers=True)
            dead = await _dead_letters(kafka_settings, dlq)
    finally:
        await producer.stop()
        await listener.remove_listener(ORDER_CHANGED_CHANNEL, tell)
        await pg_pool.release(listener)
    assert [dict(r.headers)["suivi-dlq-source-topic"] for r in dead] == [topics["returns"].encode()]
    token = await pg_pool.fetchval("SELECT status_token FROM orders WHERE order_number = 'A-101'")
    assert token in told  # the order's page and the dashboard re-fetch

    page = await _dashboard_page(pg_pool)
    assert 'data-case="return:R-1"' in page and 'data-case="claim:C-9"' in page
    assert "Return R-1: dropped off" in page
    assert "Claim C-9 (arrived damaged): waiting for your answer" in page
    assert "R-2" not in page  # rejected: no longer open
    assert f'href="{AFTERSALES}/orders/{token}/returns/R-1?lang=en"' in page
    assert f'href="{AFTERSALES}/orders/{token}/claims/C-9?lang=en"' in page
    # Only A-101's card has them: A-102's (older, listed after it) has none.
    a102 = page.split('data-order="A-102"', 1)[1]
    assert "data-case=" not in a102


async def _dead_letters(kafka: KafkaSettings, topic: str) -> list[Any]:
    reader = make_consumer(kafka, f"reader-{uuid.uuid4().hex[:6]}", topic)
    await reader.start()
    try:
        dead = await reader.getmany(TopicPartition(topic, 0), timeout_ms=10_000)
    finally:
        await reader.stop()
    return [r for batch in dead.values() for r in batch]


async def _dashboard_page(pool: asyncpg.Pool) -> str:
    """Alice's list, on a session opened in the database (signing in is test_dashboard's)."""
    now = datetime.now(UTC)
    settings = ApiSettings(merchant_names=SHOPS, aftersales_base_url=AFTERSALES)
    app, dashboard = dashboard_app(settings, pool, LiveHub(), 1, lambda: now)
    session_id = secrets.token_urlsafe(32)
    async with pool.acquire() as conn:
        await store.open_session(conn, digest(session_id), "shop-a", ALICE,
                                 dashboard.keys.email_hash(ALICE), now, now + H)  # fmt: skip
    async with asgi_client(app) as client:
        client.cookies.set("suivi_me", session_id)
        page = await client.get("/me?lang=en")
    assert page.status_code == 200, page.text
    return page.text
