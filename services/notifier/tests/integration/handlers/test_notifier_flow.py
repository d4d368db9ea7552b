"""Decisions and sends end to end on the real PostgreSQL server and real protocol peers
(the Kafka side in memory here; test_notifier_kafka goes through the broker)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, order, status
from suivi_notifier.testing.harness import Harness, harness
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer
from suivi_schemas import OrderEvent, Outcome
from suivi_schemas.orders import Customer, OrderEventKind, OrderShipment, OrderSource


def outcomes(h: Harness) -> list[tuple[str, str, str]]:
    return [(r.channel.value, r.trigger, r.outcome.value) for r in h.kafka.results]


async def test_notifier_email_sent_once_with_result_and_never_again(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    events = (order("1001"), status("in_transit", h.clock.now - timedelta(minutes=5)))
    await h.feed(*events)
    await h.cycle()
    assert smtp_peer.messages == []  # the debounce window is still open
    await h.settle()
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Your order 1001 has shipped"
    assert h.settings.status_page_base_url + "/orders/" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert outcomes(h) == [("email", "in_transit", "sent")]
    [result] = h.kafka.results
    assert result.merchant_id == "shop" and result.carrier == "ups" and result.attempts == 1
    assert result.source_event_id == events[1].event_id
    assert "jane" not in result.model_dump_json()  # no contact data in results
    # Redelivered (the same records again), and later: nothing more.
    await h.feed(*events)
    await h.settle()
    await h.settle(3600)
    assert len(smtp_peer.messages) == 1
    [row] = await h.ledger()
    assert (row["state"], row["channel"], row["trigger"]) == ("sent", "email", "in_transit")
    assert (
        h.metric(
            "suivi_notifier_messages_total",
            {"channel": "email", "trigger": "in_transit", "outcome": "sent"},
        )
        == 1
    )


async def test_notifier_smtp_down_then_up_sends_once(h: Harness, smtp_peer: SmtpPeer) -> None:
    await smtp_peer.stop()
    await h.feed(order("1002"), status("delivered", h.clock.now))
    await h.settle()
    [row] = await h.ledger()
    assert row["state"] == "pending" and row["attempts"] == 1
    assert row["last_error"] == "smtp_unavailable"
    assert outcomes(h) == [("email", "delivered", "retrying")]
    await smtp_peer.start()
    await h.settle(5)  # past the backoff (base 1 s, cap 4 s)
    await h.settle(60)
    assert len(await smtp_peer.wait_for(1)) == 1
    [row] = await h.ledger()
    assert row["state"] == "sent" and row["attempts"] == 2
    assert outcomes(h)[-1] == ("email", "delivered", "sent")
    assert (
        h.metric(
            "suivi_notifier_messages_total",
            {"channel": "email", "trigger": "delivered", "outcome": "retried"},
        )
        == 1
    )


async def test_notifier_sms_provider_500_then_200_exactly_one_sms(
    h: Harness, twilio_peer: tuple[TwilioPeer, str], smtp_peer: SmtpPeer
) -> None:
    peer, _ = twilio_peer
    peer.responses = [(500, {"code": 20500}, {"Retry-After": "2"})]
    await h.feed(
        order("1003", opt_sms=True, opt_email=False), status("out_for_delivery", h.clock.now)
    )
    await h.settle()
    assert len(peer.requests) == 1 and peer.delivered == []
    await h.settle(1)  # Retry-After: 2 s not over yet
    assert len(peer.requests) == 1
    await h.settle(2)
    await h.settle(60)
    assert len(peer.requests) == 2
    [sms] = peer.delivered
    assert sms.form["To"] == "+33612345678"
    assert (
        "out for delivery" in sms.form["Body"]
        and "https://track.suivi.test/orders/" in sms.form["Body"]
    )
    assert smtp_peer.messages == []
    assert outcomes(h) == [
        ("sms", "out_for_delivery", "retrying"),
        ("sms", "out_for_delivery", "sent"),
    ]


async def test_notifier_invalid_number_is_permanent_not_retried(
    h: Harness, twilio_peer: tuple[TwilioPeer, str]
) -> None:
    peer, _ = twilio_peer
    peer.responses = [(400, {"code": 21211, "message": "Invalid 'To' Phone Number"}, {})]
    await h.feed(order("1004", opt_sms=True, opt_email=False), status("delivered", h.clock.now))
    await h.settle()
    await h.settle(3600)
    assert len(peer.requests) == 1
    [row] = await h.ledger()
    assert (row["state"], row["last_error"]) == ("failed", "twilio_21211")
    assert [r.error for r in h.kafka.results] == ["twilio_21211"]
    assert h.kafka.results[0].outcome is Outcome.FAILED


async def test_notifier_restart_before_offset_commit_sends_no_duplicate(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,
    smtp_peer: SmtpPeer,
) -> None:
    events = (order("1005"), status("delivered", clock.now))
    first = await harness(make_settings(), pg_pool, clock)
    batch = first.records(*events)
    await first.core.intake.process(batch)
    await first.settle()
    assert len(await smtp_peer.wait_for(1)) == 1
    await first.close()
    # The process dies before committing offsets: a new instance consumes the same batch.
    second = await harness(make_settings(), pg_pool, clock)
    await second.core.intake.process(batch)
    await second.settle()
    await second.settle(3600)
    await second.close()
    assert len(smtp_peer.messages) == 1


async def test_notifier_opted_out_channels_get_nothing(
    h: Harness, smtp_peer: SmtpPeer, twilio_peer: tuple[TwilioPeer, str]
) -> None:
    await h.feed(order("1006", opt_email=False, opt_sms=False), status("delivered", h.clock.now))
    await h.settle()
    await h.feed(order("1007", opt_email=True, opt_sms=False, shipments=[("dhl", "JD0001")]))
    await h.feed(status("delivered", h.clock.now, carrier="dhl", tracking_number="JD0001"))
    await h.settle()
    assert len(smtp_peer.messages) == 1 and twilio_peer[0].requests == []
    assert (
        h.metric("suivi_notifier_triggers_total", {"trigger": "delivered", "outcome": "no_channel"})
        == 1
    )


async def test_notifier_late_older_event_notifies_nothing(h: Harness, smtp_peer: SmtpPeer) -> None:
    now = h.clock.now
    await h.feed(order("1008"), status("out_for_delivery", now))
    await h.settle()
    assert len(await smtp_peer.wait_for(1)) == 1
    # An older checkpoint arrives late: in_transit was never told, and never will be.
    result = await h.feed(status("in_transit", now - timedelta(hours=5)))
    assert result.verdicts == {"late": 1}
    await h.settle()
    await h.settle(3600)
    assert len(smtp_peer.messages) == 1


async def test_notifier_burst_sends_one_message_with_the_latest_status(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    now = h.clock.now
    await h.feed(order("1009"))
    for minutes, name in ((0, "in_transit"), (1, "out_for_delivery"), (2, "delivered")):
        await h.feed(status(name, now + timedelta(minutes=minutes)))
        h.clock.advance(seconds=10)
        await h.cycle()
    await h.settle()
    await h.settle(3600)
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Your order 1009 has been delivered"
    assert [r["trigger"] for r in await h.ledger()] == ["delivered"]


async def test_notifier_newer_trigger_supersedes_an_unsent_older_one(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    await smtp_peer.stop()
    now = h.clock.now
    await h.feed(order("1010"), status("out_for_delivery", now))
    await h.settle()  # fails: SMTP down, waiting for a retry
    await h.feed(status("delivered", now + timedelta(hours=2)))
    await smtp_peer.start()
    await h.settle()
    await h.settle(60)
    [mail] = await smtp_peer.wait_for(1)
    assert "delivered" in str(mail["Subject"])
    states = {r["trigger"]: r["state"] for r in await h.ledger()}
    assert states == {"out_for_delivery": "superseded", "delivered": "sent"}
    assert ("email", "out_for_delivery", "skipped") in outcomes(h)


async def test_notifier_sms_at_night_is_deferred_to_the_morning(
    h: Harness, twilio_peer: tuple[TwilioPeer, str], smtp_peer: SmtpPeer
) -> None:
    peer, _ = twilio_peer
    h.clock.now = h.clock.now.replace(hour=21, minute=30)  # 22:30 or 23:30 in Paris
    await h.feed(order("1011", opt_sms=True), status("available_for_pickup", h.clock.now))
    await h.settle()
    assert len(await smtp_peer.wait_for(1)) == 1  # email is not held back
    assert peer.requests == []
    assert ("sms", "available_for_pickup", "deferred") in outcomes(h)
    [sms_row] = [r for r in await h.ledger() if r["channel"] == "sms"]
    assert sms_row["state"] == "pending" and sms_row["attempts"] == 0
    morning = sms_row["next_attempt_at"]
    assert morning.astimezone(ZoneInfo("Europe/Paris")).time() == time(8, 0)
    h.clock.now = morning - timedelta(minutes=1)
    await h.cycle()
    assert peer.requests == []
    h.clock.now = morning + timedelta(seconds=1)
    await h.cycle()
    assert len(peer.delivered) == 1


async def test_notifier_events_before_their_order_notify_when_it_arrives(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    now = h.clock.now
    await h.feed(status("in_transit", now - timedelta(hours=3)), status("out_for_delivery", now))
    await h.settle()
    assert smtp_peer.messages == []
    await h.feed(order("1012", locale="fr"))
    await h.cycle()
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Votre commande 1012 est en cours de livraison"


async def test_notifier_order_arriving_after_the_horizon_notifies_nothing(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    await h.feed(status("delivered", h.clock.now))
    h.clock.advance(hours=49)
    await h.feed(order("1013"))
    await h.cycle()
    assert smtp_peer.messages == []
    assert await h.ledger() == []
    assert (
        h.metric("suivi_notifier_triggers_total", {"trigger": "delivered", "outcome": "stale"}) == 1
    )


async def test_notifier_cancelled_order_and_merchant_triggers(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,
    smtp_peer: SmtpPeer,
) -> None:
    h = await harness(make_settings(merchant_triggers={"calm": ["delivered"]}), pg_pool, clock)
    now = clock.now
    await h.feed(order("1", merchant="calm"), status("in_transit", now))
    await h.feed(order("2", cancelled=True, shipments=[("dhl", "JD1")]))
    await h.feed(status("delivered", now, carrier="dhl", tracking_number="JD1"))
    await h.settle()
    assert smtp_peer.messages == []
    await h.feed(status("delivered", now + timedelta(hours=1)))
    await h.settle()
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Your order 1 has been delivered"
    await h.close()


async def test_notifier_unreadable_records_are_dead_lettered(h: Harness) -> None:
    good = h.records(order("1014"))
    bad = h.records(status("delivered", h.clock.now))
    bad[0].value = b'{"event_id": "nope"}'
    result = await h.core.intake.process([*good, *bad])
    assert result.orders_stored == 1 and result.dead_lettered == 1
    [(record, exc)] = h.kafka.dead
    assert record is bad[0] and type(exc).__name__ == "ValidationError"


async def test_notifier_a_fulfilment_event_adds_its_parcel_and_keeps_the_contacts(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    snapshot = order("1002", shipments=(), updated_at=h.clock.now - timedelta(hours=1))
    fulfillment = OrderEvent(
        event_id=uuid.uuid4(),
        merchant_id="shop",
        order_number="1002",
        source=OrderSource.SHOPIFY,
        placed_at=h.clock.now - timedelta(minutes=30),
        updated_at=h.clock.now - timedelta(minutes=30),
        customer=Customer(),  # fulfilment events carry no contacts: they must not erase them
        kind=OrderEventKind.FULFILLMENT,
        fulfillment_id="F1",
        shipments=(
            OrderShipment(carrier="ups", tracking_number="1Z999AA10123456784", fulfillment_id="F1"),
        ),
    )
    await h.feed(snapshot, fulfillment, status("in_transit", h.clock.now - timedelta(minutes=5)))
    await h.settle()
    [mail] = await smtp_peer.wait_for(1)
    assert mail["To"] == "jane@example.com"
    assert mail["Subject"] == "Your order 1002 has shipped"


async def test_notifier_multi_parcel_order_tells_each_parcel_never_the_whole_order_early(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    parcels = [("ups", "1Z999AA10000000001"), ("dhl-ecommerce", "GM2951173225024587"),
               ("laposte", "6A12345678901")]  # fmt: skip
    await h.feed(order("1010", shipments=parcels))
    subjects: list[str] = []
    for n, (carrier, number) in enumerate(parcels, 1):
        await h.feed(status("delivered", h.clock.now, carrier=carrier, tracking_number=number))
        await h.settle()
        await smtp_peer.wait_for(n)
        subjects.append(str(smtp_peer.messages[-1]["Subject"]))
    assert subjects == [
        "1 of 3 parcels of your order 1010 delivered",
        "2 of 3 parcels of your order 1010 delivered",
        "Your order 1010 has been delivered",
    ]
    second = smtp_peer.messages[1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "DHL eCommerce" in second and "Dhl-Ecommerce" not in second
    await h.settle(3600)
    assert len(smtp_peer.messages) == 3  # none sent twice
