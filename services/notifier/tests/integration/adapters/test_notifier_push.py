"""Web push against an endpoint that decrypts the RFC 8291 payload with the subscription's own
private key and verifies the VAPID JWT (ES256 signature with the VAPID public key, aud/exp/sub)."""

from __future__ import annotations

import json

import httpx

from suivi_notifier.adapters.pg_ledger import PushTarget
from suivi_notifier.adapters.render import PushPayload
from suivi_notifier.adapters.vapid import Vapid, load_private_key
from suivi_notifier.adapters.webpush import WebPushSender, payload_bytes, topic_for
from suivi_notifier.api import host_allowed
from suivi_notifier.domain.outcomes import Permanent, Sent, Transient
from suivi_notifier.settings import PushSettings
from suivi_notifier.testing.push_peer import Browser, PushPeer


def target(browser: Browser, ident: int) -> PushTarget:
    keys = browser.subscription()["keys"]
    return PushTarget(ident, browser.endpoint, keys["p256dh"], keys["auth"])


def sender(vapid_keys: tuple[str, str], client: httpx.AsyncClient) -> WebPushSender:
    vapid = Vapid(load_private_key(vapid_keys[0]), "mailto:ops@suivi.test")
    assert vapid.public_key == vapid_keys[1]
    return WebPushSender(vapid, client, ttl_seconds=3600, timeout_seconds=5)


PAYLOAD = PushPayload(
    title="Votre commande 1001 a été livrée",
    body="Votre colis a été livré.",
    url="https://track.suivi.test/orders/tok",
    lang="fr",
)


async def test_notifier_push_is_encrypted_for_the_subscription_and_vapid_signed(
    push_peer: PushPeer, vapid_keys: tuple[str, str]
) -> None:
    browser = push_peer.new_browser()
    topic = topic_for("ups:1Z999AA10123456784")
    async with httpx.AsyncClient() as client:
        outcome = await sender(vapid_keys, client).send(
            (target(browser, 1),), payload_bytes(PAYLOAD, topic), topic=topic, trigger="delivered"
        )
    assert push_peer.errors == []
    assert outcome.outcome == Sent() and outcome.done == (1,) and outcome.gone == ()
    [got] = push_peer.received
    assert got.payload == {
        "title": PAYLOAD.title, "body": PAYLOAD.body, "url": PAYLOAD.url, "lang": "fr",
        "tag": topic,
    }  # fmt: skip
    assert got.claims["aud"] == push_peer.base_url
    assert got.claims["sub"] == "mailto:ops@suivi.test"
    assert got.headers["ttl"] == "3600"
    assert got.headers["topic"] == topic and len(topic) <= 32
    assert got.headers["urgency"] == "normal"
    assert got.headers["content-encoding"] == "aes128gcm"


async def test_notifier_push_gone_removed_others_delivered_transient_retried(
    push_peer: PushPeer, vapid_keys: tuple[str, str]
) -> None:
    alive, gone, busy = (push_peer.new_browser() for _ in range(3))
    push_peer.responses[gone.id] = [410]
    push_peer.responses[busy.id] = [503]
    payload = json.dumps({"title": "t"}).encode()
    targets = (target(alive, 1), target(gone, 2), target(busy, 3))
    async with httpx.AsyncClient() as client:
        push = sender(vapid_keys, client)
        first = await push.send(targets, payload, topic="t", trigger="out_for_delivery")
        assert first.gone == (2,)
        assert first.done == (1, 2)  # delivered, and gone for good
        assert first.outcome == Transient("push_503", None)
        # The retry goes only to the subscription still owed the message.
        second = await push.send((target(busy, 3),), payload, topic="t", trigger="out_for_delivery")
    assert second.outcome == Sent() and second.done == (3,)
    assert [r.browser for r in push_peer.received] == [alive.id, busy.id]
    assert push_peer.received[0].headers["urgency"] == "high"
    assert push_peer.errors == []


async def test_notifier_push_bad_keys_or_unknown_endpoint_are_permanent(
    push_peer: PushPeer, vapid_keys: tuple[str, str]
) -> None:
    browser = push_peer.new_browser()
    broken = PushTarget(1, browser.endpoint, "AAAA", "BBBB")
    async with httpx.AsyncClient() as client:
        push = sender(vapid_keys, client)
        outcome = await push.send((broken,), b"{}", topic="t", trigger="delivered")
        assert outcome.outcome == Permanent("push_bad_keys") and outcome.done == (1,)
        missing = PushTarget(
            2, f"{push_peer.base_url}/push/unknown", *list(browser.subscription()["keys"].values())
        )
        gone = await push.send((missing,), b"{}", topic="t", trigger="delivered")
    assert gone.gone == (2,) and gone.outcome == Permanent("push_404")


def test_notifier_push_endpoints_limited_to_known_push_services() -> None:
    hosts = PushSettings().endpoint_hosts
    assert host_allowed("fcm.googleapis.com", hosts)
    assert host_allowed("web.push.apple.com", hosts)
    assert host_allowed("wns2-by3p.notify.windows.com", hosts)
    assert not host_allowed("evil-fcm.googleapis.com.example", hosts)
    assert not host_allowed("169.254.169.254", hosts)
    assert host_allowed("anything.example", [])
