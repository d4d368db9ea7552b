"""Alerts, the pure parts: who is told of an episode and on which channels, recovered only
after a told episode, delivered suppresses; digest periods; the words; the webhook document."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from suivi_notifier.adapters import merchant_webhook
from suivi_notifier.adapters.render import DigestContext, DigestLine, MessageContext, Renderer
from suivi_notifier.domain.alerts import (
    AlertOutcome,
    ShipmentNow,
    alert_kind,
    alert_trigger,
    digest_period_start,
    mask_tracking,
    plan_alert,
)
from suivi_notifier.domain.outcomes import Permanent, Sent, Transient
from suivi_notifier.domain.planning import Capabilities, Recipient
from suivi_notifier.domain.triggers import CONFIGURABLE, TriggerPolicy
from suivi_notifier.metrics import trigger_label
from suivi_notifier.settings import MerchantAlerts
from suivi_notifier.testing.events import alert
from suivi_schemas import Channel, ShipmentAlert

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SILENT_SINCE = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)
EPISODE = uuid.uuid4()
ALL = Capabilities()
SHOPPER = Recipient("shop", "1001", email="j@example.com", phone="+33612345678", opt_sms=True)
MOVING = ShipmentNow("in_transit", SILENT_SINCE)


def stalled(**kw: object) -> ShipmentAlert:
    return alert("stalled", EPISODE, last_event_at=SILENT_SINCE, detected_at=T0, **kw)  # type: ignore[arg-type]


def decide(a: ShipmentAlert, recipient: Recipient = SHOPPER, **kw: object) -> tuple[object, ...]:
    values: dict[str, object] = {
        "enabled": CONFIGURABLE, "capabilities": ALL, "now": T0, "max_age": timedelta(hours=48),
    }  # fmt: skip
    values.update(kw)
    shipment = values.pop("shipment", MOVING)
    plan = plan_alert(a, recipient, shipment, **values)  # type: ignore[arg-type]
    return (plan.outcome, plan.channels)


def test_notifier_alert_episode_tells_each_opted_in_channel() -> None:
    assert decide(stalled()) == (AlertOutcome.NOTIFY, (Channel.EMAIL, Channel.SMS))
    email_only = Recipient("shop", "1001", email="j@example.com", phone="+33612345678")
    assert decide(stalled(), email_only) == (AlertOutcome.NOTIFY, (Channel.EMAIL,))
    pushed = Recipient("shop", "1001", opt_email=False, push_subscriptions=2)
    late = alert("late", EPISODE, last_event_at=SILENT_SINCE, detected_at=T0, expected_by=T0)
    assert decide(late, pushed) == (AlertOutcome.NOTIFY, (Channel.PUSH,))


@pytest.mark.parametrize(
    ("recipient", "kw", "outcome"),
    [
        (Recipient("shop", "1", opt_email=False), {}, AlertOutcome.NO_CHANNEL),
        (
            Recipient("shop", "1", email="j@x.fr", email_unsubscribed=True),
            {},
            AlertOutcome.NO_CHANNEL,
        ),
        (Recipient("shop", "1", email="j@x.fr", cancelled=True), {}, AlertOutcome.CANCELLED),
        (SHOPPER, {"enabled": frozenset({"delivered", "late"})}, AlertOutcome.DISABLED),
        (SHOPPER, {"now": T0 + timedelta(hours=49)}, AlertOutcome.STALE),
        (SHOPPER, {"episode_over": True}, AlertOutcome.OVER),
        (SHOPPER, {"shipment": ShipmentNow("in_transit", T0)}, AlertOutcome.MOVED),
        (SHOPPER, {"shipment": ShipmentNow("delivered", SILENT_SINCE)}, AlertOutcome.DELIVERED),
    ],
)
def test_notifier_alert_not_told(recipient: Recipient, kw: dict[str, object], outcome: str) -> None:
    assert decide(stalled(), recipient, **kw) == (outcome, ())


def test_notifier_late_is_told_even_if_the_parcel_moved() -> None:
    late = alert("late", EPISODE, last_event_at=SILENT_SINCE, detected_at=T0)
    moved = ShipmentNow("out_for_delivery", T0 - timedelta(hours=1))
    assert decide(late, shipment=moved)[0] is AlertOutcome.NOTIFY


def test_notifier_recovered_only_on_the_channels_the_episode_was_told_on() -> None:
    recovered = alert("recovered", EPISODE, last_event_at=T0, detected_at=T0)
    assert decide(recovered) == (AlertOutcome.NOT_TOLD, ())
    assert decide(recovered, told={Channel.SMS}) == (AlertOutcome.NOTIFY, (Channel.SMS,))
    both = decide(recovered, told={Channel.SMS, Channel.EMAIL})
    assert both == (AlertOutcome.NOTIFY, (Channel.EMAIL, Channel.SMS))
    # Told by email, unsubscribed since: nothing.
    gone = Recipient("shop", "1", email="j@x.fr", email_unsubscribed=True)
    assert decide(recovered, gone, told={Channel.EMAIL}) == (AlertOutcome.NO_CHANNEL, ())
    # A merchant disabling stalled after the fact does not keep the good news from the shopper.
    assert decide(recovered, told={Channel.EMAIL}, enabled=frozenset())[0] is AlertOutcome.NOTIFY


def test_notifier_delivered_suppresses_recovered() -> None:
    delivered = alert("recovered", EPISODE, last_event_at=T0, detected_at=T0, status="delivered")
    assert decide(delivered, told={Channel.EMAIL}) == (AlertOutcome.DELIVERED, ())
    recovered = alert("recovered", EPISODE, last_event_at=T0, detected_at=T0)
    known = ShipmentNow("delivered", T0)
    assert decide(recovered, told={Channel.EMAIL}, shipment=known)[0] is AlertOutcome.DELIVERED


def test_notifier_alert_triggers_are_per_episode_and_configurable() -> None:
    trigger = alert_trigger("stalled", EPISODE)
    assert trigger == f"stalled:{EPISODE}" and alert_kind(trigger) == "stalled"
    assert alert_kind("delivered") is None and alert_kind("other:x") is None
    assert trigger_label(trigger) == "stalled" and trigger_label("recovered:x") == "recovered"
    assert trigger_label("teleported") == "other"
    policy = TriggerPolicy.build(CONFIGURABLE, {"calm": ["delivered"]})
    assert {"stalled", "late"} <= policy.enabled("shop")
    assert "stalled" not in policy.enabled("calm")


def test_notifier_digest_periods_are_aligned() -> None:
    assert digest_period_start(T0 + timedelta(minutes=59), 60) == T0
    assert digest_period_start(T0 + timedelta(minutes=61), 60) == T0 + timedelta(hours=1)
    assert digest_period_start(T0 + timedelta(minutes=16), 15) == T0 + timedelta(minutes=15)
    # Daily at midnight UTC; weekly from Monday midnight UTC (not the epoch's Thursday).
    assert digest_period_start(T0, 24 * 60) == datetime(2026, 11, 20, tzinfo=UTC)
    week = digest_period_start(T0, 7 * 24 * 60)  # T0 is a Friday
    assert week == datetime(2026, 11, 16, tzinfo=UTC) and week.isoweekday() == 1
    assert mask_tracking("1Z999AA10123456784") == "••••6784"
    assert mask_tracking("ABC") == "••••"


def test_notifier_merchant_alert_settings_need_a_target_and_a_secret() -> None:
    MerchantAlerts.model_validate({"email": "ops@shop.test"})
    with pytest.raises(ValueError, match="email"):
        MerchantAlerts.model_validate({"digest_minutes": 5})
    with pytest.raises(ValueError, match="webhook_secret"):
        MerchantAlerts.model_validate({"webhook_url": "https://shop.test/hook"})
    config = MerchantAlerts.model_validate(
        {"webhook_url": "https://shop.test/hook", "webhook_secret": "s3cret"}
    )
    assert "s3cret" not in repr(config)


def _ctx(trigger: str, locale: str, expected: datetime | None = None) -> MessageContext:
    return MessageContext(
        trigger=trigger, locale=locale, merchant_id="shop", merchant_name="Boutique",
        order_number="1001", carrier="ups", tracking_number="1Z999AA10123456784",
        status_url="https://track.test/orders/t", unsubscribe_url="https://n.test/u",
        last_event_at=SILENT_SINCE, expected_by=expected, timezone="Europe/Paris",
    )  # fmt: skip


def test_notifier_alert_words_in_english_and_french() -> None:
    r = Renderer()
    stalled_en = r.push(_ctx(alert_trigger("stalled", EPISODE), "en"))
    assert stalled_en.title == "No news yet for order 1001"
    assert stalled_en.body == (
        "No news from UPS since 18\u00a0Nov — longer than usual for this route. "
        "We're keeping an eye on it."
    )
    late_fr = r.push(_ctx(alert_trigger("late", EPISODE), "fr-FR", expected=T0))
    assert late_fr.title == "La commande 1001 a du retard"
    assert "estimée par UPS, le 20\u00a0nov." in late_fr.body
    undated = r.push(_ctx(alert_trigger("late", EPISODE), "en"))
    assert undated.body == "Your parcel is later than UPS's estimate. We're keeping an eye on it."
    sms = r.sms(_ctx(alert_trigger("recovered", EPISODE), "en"))
    assert sms.startswith("Boutique: News of your order 1001. UPS has news of your parcel again.")
    assert sms.endswith("https://track.test/orders/t")
    mail = r.email(_ctx(alert_trigger("stalled", EPISODE), "fr"))
    assert "Pas de nouvelles de UPS depuis le 18\u00a0nov." in mail.text
    assert "https://track.test/orders/t" in mail.html


def test_notifier_digest_lists_each_alert_masked_in_the_merchants_language() -> None:
    lines = (
        DigestLine(("1001",), "ups", "1Z999AA10123456784", "stalled", "in_transit",
                   SILENT_SINCE, T0),
        DigestLine(("1002", "1003"), "colissimo", "6A12345678901", "late", "in_transit",
                   SILENT_SINCE, T0, T0 - timedelta(days=1)),
        DigestLine(("1004",), "dhl", "JD0123456789", "recovered", "out_for_delivery",
                   T0, T0),
    )  # fmt: skip
    en = Renderer().digest(DigestContext("Boutique <Lumière>", "en", "UTC", 60, lines))
    assert en.subject == "Shipment alerts for Boutique <Lumière>: 1 stalled, 1 late, 1 recovered"
    assert "1Z999AA10123456784" not in en.text + en.html and "••••6784" in en.text
    assert "Order 1002, 1003 (Colissimo ••••8901): late, in transit, expected by 19" in en.text
    assert "no event since 18\u00a0Nov 09:30" in en.text
    assert "Boutique &lt;Lumière&gt;" in en.html  # escaped in HTML
    fr = Renderer().digest(DigestContext("Boutique", "fr", "Europe/Paris", 60, lines[:1]))
    assert fr.subject == "Alertes d'expédition pour Boutique\u00a0: 1 bloqué"  # not "1 bloqués"
    two = (lines[0], dataclasses.replace(lines[0], tracking_number="1Z999AA10123450000"))
    fr2 = Renderer().digest(DigestContext("Boutique", "fr", "Europe/Paris", 60, two))
    assert fr2.subject.endswith(": 2 bloqués")
    assert "aucun événement depuis le 18\u00a0nov. 10:30" in fr.text


def test_notifier_webhook_document_and_response_classes() -> None:
    a = stalled()
    document = json.loads(merchant_webhook.body("shop", ["1001"], a))
    assert document["type"] == "shipment.stalled" and document["order_numbers"] == ["1001"]
    assert ShipmentAlert.model_validate(document["alert"]) == a

    def answer(status: int, **headers: str) -> object:
        return merchant_webhook.classify(httpx.Response(status, headers=headers))

    assert answer(200) == Sent() and answer(204) == Sent()
    assert answer(503, **{"Retry-After": "7"}) == Transient("http_503", 7.0)
    assert answer(429) == Transient("http_429") and answer(408) == Transient("http_408")
    assert answer(410) == Permanent("http_410") and answer(301) == Permanent("http_301")


def test_notifier_returned_to_sender_tells_what_next_and_names_the_carrier() -> None:
    ctx = dataclasses.replace(
        _ctx("returned_to_sender", "en"), carrier="dhl-ecommerce", tracking_number="GM295117"
    )
    mail = Renderer().email(ctx)
    assert mail.subject == "Your order 1001 is back at Boutique"
    assert "DHL eCommerce returned your parcel" in mail.text and "Dhl-Ecommerce" not in mail.text
    assert "https://webtrack.dhlecs.com/orders?trackingNumber=GM295117" in mail.html
    fr = Renderer().email(dataclasses.replace(ctx, locale="fr"))
    assert fr.subject == "Votre commande 1001 est de retour chez Boutique"
    assert "returned_to_sender" in CONFIGURABLE
