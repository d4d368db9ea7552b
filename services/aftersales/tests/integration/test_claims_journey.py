"""A claim through the real broker and PostgreSQL: the order and its parcel's timeline come from
the topics; the shopper opens a "damaged" claim with a photo carrying a GPS position (stored
without it); the merchant answers, the shopper replies, the merchant resolves with a reship;
each change is one event on commerce.claims.v1; another merchant and the shareable token see
nothing; the dossier PDF holds the timeline in words (pypdf extracts it); refusals are clear 4xx."""

from __future__ import annotations

import io
import re
import uuid
from collections import Counter
from datetime import timedelta

import asyncpg
from PIL import Image
from pypdf import PdfReader

from suivi_aftersales.adapters import pg_claims
from suivi_aftersales.bootstrap import AftersalesService
from suivi_aftersales.testing.builders import T0, status_event
from suivi_aftersales.testing.harness import (
    ATELIER,
    NORTHWIND,
    Topics,
    client,
    delivered_order,
    eventually,
    publish,
)
from suivi_aftersales.testing.images import GPS_IFD, photo_with_gps
from suivi_infra.kafka import make_consumer
from suivi_infra.settings import KafkaSettings
from suivi_infra.tokens import TokenSettings, share_token
from suivi_schemas.alerts import AlertKind, ShipmentAlert
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.claims import ClaimEventKind as K
from suivi_schemas.ids import derived_event_id
from suivi_schemas.status import ShipmentStatus

EPISODE = uuid.uuid4()
POLICY = {"window_days": 30, "methods": ["own_shipment"]}


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (pypdf: the dossier's DejaVu glyphs are not plain strings)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def claims_published(kafka: KafkaSettings, topic: str) -> list[ClaimEvent]:
    consumer = make_consumer(kafka, "probe-claims", topic, auto_offset_reset="earliest",
                             enable_auto_commit=False)  # fmt: skip
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=3000)
        return [ClaimEvent.model_validate_json(r.value) for p in batch.values() for r in p]
    finally:
        await consumer.stop()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form"
    return found.group(1)


async def test_a_claim_from_photo_to_reship(
    kafka_settings: KafkaSettings, pg_pool: asyncpg.Pool, topics: Topics,
    service: AftersalesService,
) -> None:  # fmt: skip
    async with client(service) as http:
        await http.put("/v1/returns/policy", json=POLICY, headers=ATELIER)
    token = await delivered_order(kafka_settings, topics, service, "C-5001", "6A31313131313")
    async with client(service) as http:
        page = await http.get(f"/orders/{token}/claims?lang=en")
        assert "Marked delivered, but not received" in page.text  # 24 h after delivery
        choice = "laposte:6A31313131313|damaged"
        form = {"csrf": csrf_of(page.text), "choice": choice, "description": "Carton écrasé"}
        bad = await http.post(f"/orders/{token}/claims?lang=en", data=form,
                              files={"photos": ("x.jpg", b"%PDF-1.4", "image/jpeg")})  # fmt: skip
        assert bad.status_code == 422 and "Only photos" in bad.text
        photo = {"photos": ("p.jpg", photo_with_gps(), "image/jpeg")}
        opened = await http.post(f"/orders/{token}/claims?lang=en", data=form, files=photo)
        assert opened.status_code == 303
        claim_id = opened.headers["location"].split("/")[-1].split("?")[0]
        form["csrf"] = csrf_of((await http.get(f"/orders/{token}/claims")).text)
        twice = await http.post(f"/orders/{token}/claims?lang=en", data=form)
        assert twice.status_code == 409 and "already open" in twice.text

        async with pg_pool.acquire() as conn:  # unanswered: overdue once past the target
            assert await pg_claims.overdue(conn, service.clock() + timedelta(hours=25)) == 1
            assert await pg_claims.overdue(conn, service.clock() - timedelta(hours=1)) == 0
        stored = await http.get(f"/v1/claims/{claim_id}/photos/1", headers=ATELIER)
        with Image.open(io.BytesIO(stored.content)) as image:
            assert GPS_IFD not in image.getexif()
        assert (await http.get(f"/v1/claims/{claim_id}", headers=NORTHWIND)).status_code == 404
        other = await http.post(f"/v1/claims/{claim_id}/messages", headers=NORTHWIND,
                                json={"body": "?"})  # fmt: skip
        assert other.status_code == 404
        shared = share_token(TokenSettings().token_key, "atelier", "C-5001")
        assert (await http.get(f"/orders/{shared}/claims/{claim_id}")).status_code == 404

        answered = await http.post(f"/v1/claims/{claim_id}/messages", headers=ATELIER,
                                   json={"body": "Désolés ! Une photo du colis ?"})  # fmt: skip
        assert answered.json()["state"] == "waiting_shopper"
        async with pg_pool.acquire() as conn:  # answered: no longer overdue
            assert await pg_claims.overdue(conn, service.clock() + timedelta(hours=25)) == 0
        thread = await http.get(f"/orders/{token}/claims/{claim_id}")
        answer = {"csrf": csrf_of(thread.text), "body": "Ci-jointe."}
        reply = await http.post(f"/orders/{token}/claims/{claim_id}/messages", data=answer)
        assert reply.status_code == 303
        resolved = await http.post(f"/v1/claims/{claim_id}/resolve", headers=ATELIER,
                                   json={"outcome": "reship"})  # fmt: skip
        assert resolved.json()["state"] == "resolved"
        assert (await http.post(f"/v1/claims/{claim_id}/resolve", headers=ATELIER,
                                json={"outcome": "reship"})).status_code == 200  # fmt: skip
        detail = (await http.get(f"/v1/claims/{claim_id}", headers=ATELIER)).json()
        assert [m["author"] for m in detail["dossier"]["messages"]] == [
            "shopper", "merchant", "shopper"]  # fmt: skip
        statuses = [c["status"] for c in detail["dossier"]["timeline"]]
        assert statuses == ["in_transit", "delivered"]
        pdf = await http.get(f"/v1/claims/{claim_id}/dossier.pdf", headers=ATELIER)
        text = pdf_text(pdf.content)
        assert "Delivered" in text and "In transit" in text and "Lyon" in text
        assert "Carton" in text
        span = {"since": "2026-01-01T00:00:00Z", "until": "2026-06-01T00:00:00Z"}
        report = (await http.get("/v1/claims/analytics", headers=ATELIER, params=span)).json()
        assert report["by_carrier_reason"] == [
            {"carrier": "laposte", "reason": "damaged", "claims": 1}]  # fmt: skip
        assert report["by_lane"] == [{"lane": "FR → FR", "claims": 1}]
        assert report["first_response_hours"]["count"] == 1
        assert report["resolution_hours"]["count"] == 1
        other = (await http.get("/v1/claims/analytics", headers=NORTHWIND, params=span)).json()
        assert other["by_carrier_reason"] == []

    async def published() -> bool:
        async with pg_pool.acquire() as conn:
            pending = "SELECT count(*) FROM aftersales_outbox WHERE published_at IS NULL"
            return bool(await conn.fetchval(pending) == 0)

    await eventually(published)
    events = await claims_published(kafka_settings, topics.claims)
    kinds = Counter(e.kind for e in events if e.claim_id == claim_id)
    assert kinds == Counter([K.OPENED, K.MERCHANT_MESSAGE, K.SHOPPER_MESSAGE, K.RESOLVED])


def alert(kind: AlertKind) -> ShipmentAlert:
    return ShipmentAlert(
        event_id=derived_event_id("test-alert", kind.value), episode_id=EPISODE, kind=kind,
        carrier="laposte", tracking_number="6A41414141414", status=ShipmentStatus.IN_TRANSIT,
        last_event_at=T0, detected_at=T0 + timedelta(days=3 if kind is AlertKind.STALLED else 4),
    )  # fmt: skip


async def test_no_claim_reason_before_the_parcel_calls_for_one(
    kafka_settings: KafkaSettings, topics: Topics, service: AftersalesService
) -> None:
    token = await delivered_order(
        kafka_settings, topics, service, "C-6001", "6A41414141414", deliver=False
    )
    moving = status_event("6A41414141414", ShipmentStatus.IN_TRANSIT, T0)
    await publish(kafka_settings, topics.status, [moving])
    async with client(service) as http:
        page = await http.get(f"/orders/{token}/claims?lang=en")
        assert "Nothing to report for now" in page.text
        form = {"csrf": service.api.state.context.forms.issue(token, "claim", service.clock()),
                "choice": "laposte:6A41414141414|lost", "description": "?"}  # fmt: skip
        refused = await http.post(f"/orders/{token}/claims?lang=en", data=form)
        assert refused.status_code == 409 and "does not fit" in refused.text

    # The monitor says the parcel is stalled: "late" is offered until it recovers.
    stalled = alert(AlertKind.STALLED)
    await publish(kafka_settings, topics.alerts, [stalled])

    async def offered(expected: bool) -> bool:
        async with client(service) as http:
            page = await http.get(f"/orders/{token}/claims?lang=en")
        return ("Late or stuck" in page.text) is expected

    await eventually(lambda: offered(True))
    async with client(service) as http:
        span = {"since": "2026-01-01T00:00:00Z", "until": "2026-06-01T00:00:00Z"}
        report = (await http.get("/v1/claims/analytics", headers=ATELIER, params=span)).json()
    assert report["stalled_parcels"] == {"stalled": 1, "claimed": 0, "share": 0.0}
    await publish(kafka_settings, topics.alerts, [alert(AlertKind.RECOVERED)])
    await eventually(lambda: offered(False))
