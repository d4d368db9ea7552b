"""Issue 21: the carrier's date moved later (`revised` alerts) is told only where opted in,
once per parcel, in the shopper's language; merchants' digests and webhooks leave it out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from suivi_notifier.adapters.render import MessageContext, Renderer
from suivi_notifier.domain.alerts import (
    AlertOutcome,
    ShipmentNow,
    alert_kind,
    alert_trigger,
    plan_alert,
)
from suivi_notifier.domain.planning import Capabilities, Recipient
from suivi_notifier.domain.triggers import (
    CONFIGURABLE,
    DEFAULT_TRIGGERS,
    TriggerPolicy,
    parse_triggers,
)
from suivi_notifier.testing.events import alert
from suivi_schemas import Channel

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EPISODE = uuid.uuid4()
SHOPPER = Recipient("shop", "1001", email="j@example.com")


def test_revised_is_opt_in() -> None:
    assert "revised" in CONFIGURABLE and "revised" not in DEFAULT_TRIGGERS
    assert parse_triggers(["delivered", "revised"]) == {"delivered", "revised"}
    policy = TriggerPolicy.build(sorted(DEFAULT_TRIGGERS), {"shop": ["revised", "late"]})
    assert "revised" not in policy.enabled("other") and "revised" in policy.enabled("shop")
    revised = alert("revised", EPISODE, last_event_at=T0, detected_at=T0, expected_by=T0)
    kw: dict[str, object] = {"capabilities": Capabilities(), "now": T0,
                             "max_age": timedelta(hours=48)}  # fmt: skip
    moving = ShipmentNow("in_transit", T0)
    off = plan_alert(revised, SHOPPER, moving, enabled=policy.enabled("other"), **kw)  # type: ignore[arg-type]
    on = plan_alert(revised, SHOPPER, moving, enabled=policy.enabled("shop"), **kw)  # type: ignore[arg-type]
    assert off.outcome is AlertOutcome.DISABLED
    assert (on.outcome, on.channels) == (AlertOutcome.NOTIFY, (Channel.EMAIL,))
    assert alert_kind(alert_trigger("revised", EPISODE)) == "revised"  # one ledger row each


def test_revised_words_in_english_and_french() -> None:
    def ctx(locale: str) -> MessageContext:
        return MessageContext(
            trigger=alert_trigger("revised", EPISODE), locale=locale, timezone="Europe/Paris",
            merchant_id="shop", merchant_name="Boutique", order_number="1001", carrier="ups",
            tracking_number="1Z999", status_url="https://track.test/orders/t",
            unsubscribe_url="https://n.test/u", expected_by=T0 + timedelta(days=3),
        )  # fmt: skip

    en = Renderer().push(ctx("en"))
    assert en.title == "New date for order 1001"
    assert en.body.startswith("UPS now expects to deliver your parcel by 23\u00a0Nov.")
    fr = Renderer().email(ctx("fr"))
    assert fr.subject == "Nouvelle date pour la commande 1001"
    assert "UPS prévoit désormais de livrer votre colis d'ici le 23\u00a0nov." in fr.text
