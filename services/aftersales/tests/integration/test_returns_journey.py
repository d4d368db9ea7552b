"""A return from request to refund through the real broker and PostgreSQL: the order and its
delivery come from the topics, the shopper asks (with the form's CSRF token) to return 1 of 2
shirts, the merchant approves and attaches a number, the return parcel's status events (out of
order, duplicated, published as the normalizer does) move it to dropped off and received, the
merchant refunds; every transition is on commerce.returns.v1 exactly once; refusals are clear
4xx; another merchant sees nothing; replaying the input topics changes nothing."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from datetime import timedelta

import asyncpg

from suivi_aftersales.bootstrap import AftersalesService
from suivi_aftersales.testing.builders import T0, status_event
from suivi_aftersales.testing.harness import (
    ATELIER,
    NORTHWIND,
    SettableClock,
    Topics,
    client,
    delivered_order,
    eventually,
    publish,
    returns_published,
    started,
)
from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_schemas.returns import ReturnEventKind as K
from suivi_schemas.status import ShipmentStatus

OUTBOUND = "6A44444444441"
RETURN_PARCEL = "6A55555555552"
POLICY = {"window_days": 30, "methods": ["drop_off_label", "own_shipment"]}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form"
    return found.group(1)


async def snapshot(pool: asyncpg.Pool) -> tuple[list[asyncpg.Record], int]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM aftersales_returns")
        count = await conn.fetchval("SELECT count(*) FROM aftersales_outbox")
    return sorted(rows, key=lambda r: r["return_id"]), count


async def test_a_return_from_request_to_refund(
    kafka_settings: KafkaSettings, pg_pool: asyncpg.Pool, topics: Topics,
    service: AftersalesService,
) -> None:  # fmt: skip
    async with client(service) as http:
        assert (
            await http.put("/v1/returns/policy", json=POLICY, headers=ATELIER)
        ).status_code == 200
    token = await delivered_order(kafka_settings, topics, service, "A-2001", OUTBOUND)

    async with client(service) as http:
        form = await http.get(f"/orders/{token}/returns")
        assert form.headers["content-security-policy"].startswith("default-src 'none'")
        assert form.headers["referrer-policy"] == "no-referrer"
        # Without the form's token: refused (CSRF), nothing created.
        forged = await http.post(f"/orders/{token}/returns", data={"qty:l1": "1"})
        assert forged.status_code == 403
        fields = {"csrf": csrf_of(form.text), "qty:l1": "1", "reason:l1": "too_small",
                  "qty:l2": "0", "reason:l2": "too_small", "method": "own_shipment",
                  "comment": "Un peu juste aux épaules"}  # fmt: skip
        created = await http.post(f"/orders/{token}/returns", data=fields)
        assert created.status_code == 303
        again = await http.post(f"/orders/{token}/returns", data=fields)  # double submit
        assert again.headers["location"] == created.headers["location"]
        rma = created.headers["location"].split("/")[-1].split("?")[0]
        page = await http.get(created.headers["location"])
        assert rma in page.text and "Demandé" in page.text

        # Another merchant can neither see nor act on it.
        assert (await http.get(f"/v1/returns/{rma}", headers=NORTHWIND)).status_code == 404
        assert (await http.post(f"/v1/returns/{rma}/approve", headers=NORTHWIND)).status_code == 404
        listed = await http.get("/v1/returns", headers=NORTHWIND)
        assert listed.json()["returns"] == []
        assert (await http.get("/v1/returns", headers={})).status_code == 401

        # Refund before receipt: refused, with the state.
        early = await http.post(f"/v1/returns/{rma}/refund", headers=ATELIER,
                                json={"amount": "39.90", "currency": "EUR"})  # fmt: skip
        assert early.status_code == 409 and early.json()["error"] == "invalid_transition"

        approved = await http.post(f"/v1/returns/{rma}/approve", headers=ATELIER)
        assert approved.json()["state"] == "approved"
        parcel = {"carrier": "laposte", "tracking_number": RETURN_PARCEL}
        attached = await http.post(f"/v1/returns/{rma}/tracking", headers=ATELIER, json=parcel)
        assert attached.json()["parcel"]["tracking_number"] == RETURN_PARCEL

    # The return parcel's scans, delivered first, then the first scan, each twice.
    day = timedelta(days=1)
    scans = [
        status_event(RETURN_PARCEL, ShipmentStatus.DELIVERED, T0 + 5 * day, city="Roubaix"),
        status_event(RETURN_PARCEL, ShipmentStatus.IN_TRANSIT, T0 + 3 * day, city="Lyon"),
    ]
    await publish(kafka_settings, topics.status, scans + scans)

    async def received() -> bool:
        async with client(service) as http:
            answer = await http.get(f"/v1/returns/{rma}", headers=ATELIER)
        got = answer.json()
        # Both scans consumed (maybe in two batches): received, deposit at the first scan.
        deposit = got["deposit"] or {}
        return bool(
            got["state"] == "received" and deposit.get("location", {}).get("city") == "Lyon"
        )

    await eventually(received)
    async with client(service) as http:
        one = (await http.get(f"/v1/returns/{rma}", headers=ATELIER)).json()
        assert one["deposit"]["location"]["city"] == "Lyon"
        assert one["comment"] == "Un peu juste aux épaules"
        assert [i["line_item_id"] for i in one["items"]] == ["l1"]
        receipt = await http.get(f"/orders/{token}/returns/{rma}/receipt.pdf")
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
        assert (await http.post(f"/v1/returns/{rma}/inspect", headers=ATELIER)).status_code == 200
        refunded = await http.post(f"/v1/returns/{rma}/refund", headers=ATELIER,
                                   json={"amount": "39.90", "currency": "EUR"})  # fmt: skip
        assert refunded.json()["resolution"] == {"amount": "39.90", "currency": "EUR"}
        analytics = (await http.get("/v1/returns/analytics", headers=ATELIER,
                                    params={"since": "2026-01-01T00:00:00Z",
                                            "until": "2026-04-01T00:00:00Z"})).json()  # fmt: skip
        shirts = next(p for p in analytics["products"] if p["product"] == "SHIRT-M")
        assert (shirts["ordered"], shirts["returned"]) == (2, 1)
        assert analytics["transit_hours"]["mean"] == 48.0
        assert analytics["reasons"] == [{"reason": "too_small", "returns": 1, "units": 1}]

    async def all_published() -> bool:
        async with pg_pool.acquire() as conn:
            pending = "SELECT count(*) FROM aftersales_outbox WHERE published_at IS NULL"
            return bool(await conn.fetchval(pending) == 0)

    await eventually(all_published)
    events = await returns_published(kafka_settings, topics.returns, seconds=2)
    kinds = Counter(e.kind for e in events if e.return_id == rma)
    expected = [K.REQUESTED, K.APPROVED, K.TRACKING_ATTACHED, K.DROPPED_OFF, K.IN_TRANSIT,
                K.RECEIVED, K.INSPECTED, K.REFUNDED]  # fmt: skip
    assert kinds == Counter(expected)
    assert [e.kind for e in events] == expected  # in the order they happened
    assert all(e.key == f"atelier:{rma}" for e in events)

    # Replaying both input topics from the start (a new consumer group) changes nothing.
    before = await snapshot(pg_pool)
    await service.stop()
    replay = await started(kafka_settings, pg_pool, topics, SettableClock(T0 + timedelta(days=9)),
                           group=f"replay-{uuid.uuid4().hex[:6]}")  # fmt: skip
    try:
        from suivi_infra.testing import group_caught_up

        assert await group_caught_up(kafka_settings, replay.settings.group_id,
                                     [topics.orders, topics.status], seconds=30)  # fmt: skip
        assert await snapshot(pg_pool) == before
    finally:
        await replay.stop()
    service.owns_pool = False


async def test_refusals_are_clear_4xx(
    kafka_settings: KafkaSettings, topics: Topics, service: AftersalesService
) -> None:
    async with client(service) as http:
        await http.put("/v1/returns/policy", json=POLICY, headers=ATELIER)
    token = await delivered_order(kafka_settings, topics, service, "A-3001", "6A66666666663")
    waiting = await delivered_order(
        kafka_settings, topics, service, "A-3002", "6A77777777774", deliver=False
    )
    forms = service.api.state.context.forms
    async with client(service) as http:
        page = await http.get(f"/orders/{waiting}/returns")
        assert "une fois votre commande livrée" in page.text and "return-form" not in page.text
        fields = {"csrf": forms.issue(waiting, "request", service.clock()), "qty:l1": "1",
                  "reason:l1": "too_small", "method": "own_shipment"}  # fmt: skip
        undelivered = await http.post(f"/orders/{waiting}/returns", data=fields)
        assert undelivered.status_code == 409 and "livrée" in undelivered.text

        fields = {"csrf": csrf_of((await http.get(f"/orders/{token}/returns?lang=en")).text),
                  "qty:l1": "3", "reason:l1": "too_small", "method": "own_shipment"}  # fmt: skip
        over = await http.post(f"/orders/{token}/returns?lang=en", data=fields)
        assert over.status_code == 422 and "more of an item than can be returned" in over.text

        service.clock.advance(timedelta(days=31))  # type: ignore[attr-defined]
        fields["qty:l1"] = "1"
        fields["csrf"] = forms.issue(token, "request", service.clock())
        late = await http.post(f"/orders/{token}/returns?lang=en", data=fields)
        assert late.status_code == 409 and "return window for this order has closed" in late.text
        unknown = await http.get("/orders/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/returns")
        assert unknown.status_code == 404


async def test_an_unreadable_record_goes_to_the_dead_letter_topic_and_the_rest_is_applied(
    kafka_settings: KafkaSettings, topics: Topics, service: AftersalesService
) -> None:
    async with client(service) as http:
        await http.put("/v1/returns/policy", json=POLICY, headers=ATELIER)
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        await producer.send_and_wait(topics.orders, b'{"not": "an order"}', key=b"atelier:X")
    finally:
        await producer.stop()
    token = await delivered_order(kafka_settings, topics, service, "A-4001", "6A12121212125")
    consumer = make_consumer(kafka_settings, f"probe-{uuid.uuid4().hex[:6]}", topics.dlq,
                             auto_offset_reset="earliest")  # fmt: skip
    await consumer.start()
    try:
        letter = await asyncio.wait_for(consumer.getone(), 20)
    finally:
        await consumer.stop()
    assert letter.value == b'{"not": "an order"}'
    assert any(name.startswith("suivi-dlq") for name, _ in letter.headers)
    async with client(service) as http:
        assert (await http.get(f"/orders/{token}/returns")).status_code == 200
