"""The HTTP API: push registration by status token, the VAPID key, unsubscribe links, health;
and a registered subscription receiving the decrypted, VAPID-signed notification."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import CollectorRegistry

from suivi_notifier.adapters.pg_subscriptions import SubscriptionStore
from suivi_notifier.api import create_api
from suivi_notifier.testing.events import order, status
from suivi_notifier.testing.harness import Harness
from suivi_notifier.testing.push_peer import PushPeer
from suivi_notifier.testing.smtp_peer import SmtpPeer


@pytest.fixture
async def api(h: Harness, vapid_keys: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    push = h.core.channels.push
    vapid = getattr(push, "vapid", None)

    async def kafka_ready() -> bool:
        return True

    app = create_api(
        h.settings, SubscriptionStore(h.pool), vapid=vapid, registry=h.registry,
        kafka_ready=kafka_ready, clock=h.clock,
    )  # fmt: skip
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifier") as client:
        yield client


async def test_notifier_push_subscription_registered_then_notified(
    h: Harness, api: httpx.AsyncClient, push_peer: PushPeer, vapid_keys: tuple[str, str]
) -> None:
    key = await api.get("/v1/push/vapid-public-key")
    assert key.status_code == 200 and key.json() == {"public_key": vapid_keys[1]}
    await h.feed(order("2001", email=None, locale="fr"))
    token = h.core.links.status_token("shop", "2001")
    browser = push_peer.new_browser()
    body = {"token": token, "subscription": browser.subscription()}
    created = await api.post("/v1/push-subscriptions", json=body)
    assert created.status_code == 201, created.text
    again = await api.post("/v1/push-subscriptions", json=body)
    assert again.status_code == 200

    await h.feed(status("out_for_delivery", h.clock.now))
    await h.settle()
    assert push_peer.errors == []
    [got] = push_peer.received
    assert got.payload["title"] == "Votre commande 2001 est en cours de livraison"
    assert got.payload["url"] == f"https://track.suivi.test/orders/{token}"
    assert got.claims["aud"] == push_peer.base_url
    assert [(r.channel.value, r.outcome.value) for r in h.kafka.results] == [("push", "sent")]

    # The browser unsubscribes at the push service: 410, the subscription is removed.
    push_peer.responses[browser.id] = [410]
    await h.feed(status("delivered", h.clock.now))
    await h.settle()
    async with h.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM notifier_push_subscriptions") == 0
    assert h.kafka.results[-1].outcome.value == "failed"
    assert h.metric("suivi_notifier_push_subscriptions_removed_total") == 1


async def test_notifier_push_subscription_refusals(
    h: Harness, api: httpx.AsyncClient, push_peer: PushPeer
) -> None:
    await h.feed(order("2002"))
    token = h.core.links.status_token("shop", "2002")
    sub = push_peer.new_browser().subscription()
    unknown = await api.post(
        "/v1/push-subscriptions", json={"token": "x" * 32, "subscription": sub}
    )
    assert unknown.status_code == 404
    bad_keys = {**sub, "keys": {"p256dh": "AAAA", "auth": "AAAA"}}
    refused = await api.post(
        "/v1/push-subscriptions", json={"token": token, "subscription": bad_keys}
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_subscription"
    plain = {**sub, "endpoint": "ftp://push.example/x"}
    assert (
        await api.post("/v1/push-subscriptions", json={"token": token, "subscription": plain})
    ).status_code == 400
    inward = {**sub, "endpoint": "http://10.0.0.7/admin"}
    refused = await api.post(
        "/v1/push-subscriptions", json={"token": token, "subscription": inward}
    )
    assert refused.json()["detail"] == "endpoint is not a known push service"
    malformed = await api.post("/v1/push-subscriptions", json={"token": token})
    assert malformed.status_code == 400 and "subscription" in malformed.json()["detail"]
    deleted = await api.request(
        "DELETE", "/v1/push-subscriptions", json={"token": token, "endpoint": sub["endpoint"]}
    )
    assert deleted.status_code == 204


async def test_notifier_one_click_unsubscribe_stops_emails(
    h: Harness, api: httpx.AsyncClient, smtp_peer: SmtpPeer
) -> None:
    await h.feed(order("2003", locale="fr"), status("in_transit", h.clock.now))
    await h.settle()
    [mail] = await smtp_peer.wait_for(1)
    link = str(mail["List-Unsubscribe"]).strip("<>")
    path = link.removeprefix(h.settings.public_base_url)
    page = await api.get(path)
    assert page.status_code == 200 and "Me désabonner" in page.text
    assert len(smtp_peer.messages) == 1  # GET never unsubscribes
    done = await api.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and "est fait" in done.text
    # A later snapshot from the merchant does not undo the shopper's choice.
    await h.feed(order("2003", locale="fr"), status("delivered", h.clock.now))
    await h.settle()
    await h.settle(3600)
    assert len(smtp_peer.messages) == 1
    assert (await api.post("/v1/unsubscribe/" + "y" * 32)).status_code == 404


async def test_notifier_health_readiness_metrics(h: Harness, api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    assert (await api.get("/readyz")).status_code == 200
    metrics = await api.get("/metrics")
    assert metrics.status_code == 200 and "suivi_notifier_messages_total" in metrics.text


async def test_notifier_push_disabled_without_vapid_key(h: Harness) -> None:
    async def ready() -> bool:
        return False

    app = create_api(
        h.settings,
        SubscriptionStore(h.pool),
        vapid=None,
        registry=CollectorRegistry(),
        kafka_ready=ready,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://n") as c:
        assert (await c.get("/v1/push/vapid-public-key")).status_code == 503
        assert (await c.get("/readyz")).status_code == 503
