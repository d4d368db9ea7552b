"""Returns and claims, the pure parts: which changes tell the shopper and under which trigger,
journey order, older / stale / no order / no channel; the words in both languages; the merchant
book (names and webhook targets from merchants.v1 over the environment); the webhook body."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import Environment
from pydantic import SecretStr

from suivi_infra.merchants import MerchantDirectory
from suivi_infra.sealing import seal
from suivi_notifier.adapters import merchant_webhook
from suivi_notifier.adapters.aftersales_render import AftersalesContext, AftersalesRenderer
from suivi_notifier.adapters.merchant_book import MerchantBook
from suivi_notifier.adapters.render import Renderer
from suivi_notifier.domain.aftersales import (
    AftersalesEvent,
    AftersalesOutcome,
    AftersalesPlan,
    aftersales_stream,
    change_of,
    plan_change,
)
from suivi_notifier.domain.planning import Capabilities, Recipient
from suivi_notifier.metrics import trigger_label
from suivi_notifier.settings import MerchantAlerts
from suivi_notifier.testing.aftersales import JOURNEY, claim_event, return_event, return_journey
from suivi_schemas import Channel
from suivi_schemas.claims import ClaimEventKind, ClaimOutcome
from suivi_schemas.merchants import Branding, MerchantRecord, WebhookEndpoint
from suivi_schemas.returns import ReturnEventKind as K
from suivi_schemas.returns import ReturnMethod

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=48)
SHOPPER = Recipient(merchant_id="shop", order_number="1001", email="j@example.com")


def _plan(
    event: AftersalesEvent,
    recipient: Recipient | None = SHOPPER,
    latest: tuple[datetime, int] | None = None,
) -> AftersalesPlan:
    return plan_change(
        change_of(event),
        recipient,
        latest=latest,
        capabilities=Capabilities(),
        now=NOW,
        max_age=DAY,
    )


def test_return_kinds_told_to_the_shopper_and_their_triggers() -> None:
    told = {e.kind: change_of(e).shopper for e in return_journey(NOW)}
    assert told == {
        K.REQUESTED: None, K.APPROVED: "return.approved",
        K.TRACKING_ATTACHED: "return.tracking_attached", K.DROPPED_OFF: "return.dropped_off",
        K.IN_TRANSIT: None, K.RECEIVED: "return.received", K.INSPECTED: None,
        K.REFUNDED: "return.refunded",
    }  # fmt: skip
    # A number the shopper typed from their own receipt needs no message.
    own = return_event(K.TRACKING_ATTACHED, NOW, method=ReturnMethod.OWN_SHIPMENT)
    assert change_of(own).shopper is None
    assert change_of(return_event(K.REJECTED, NOW)).shopper == "return.rejected"


def test_claim_kinds_each_answer_told_once() -> None:
    opened = change_of(claim_event(ClaimEventKind.OPENED, NOW))
    first = change_of(claim_event(ClaimEventKind.MERCHANT_MESSAGE, NOW, messages=2))
    second = change_of(claim_event(ClaimEventKind.MERCHANT_MESSAGE, NOW, messages=4))
    mine = change_of(claim_event(ClaimEventKind.SHOPPER_MESSAGE, NOW, messages=3))
    assert opened.shopper == "claim.opened"
    assert (first.shopper, second.shopper) == (
        "claim.merchant_message:2",
        "claim.merchant_message:4",
    )
    assert mine.shopper is None
    assert opened.subject == "claim:shop:C-4HW8PZ3N"
    assert second.webhook_type == "claim.merchant_message"
    assert aftersales_stream(first.shopper or "") == "claim"
    assert aftersales_stream("delivered") is None
    assert aftersales_stream("stalled:abc") is None
    assert trigger_label("claim.merchant_message:2") == "claim.merchant_message"


def test_journey_order_breaks_ties_of_one_instant() -> None:
    """A parcel's facts move a return through several steps at once: same instant, in order."""
    same = [change_of(return_event(k, NOW)) for k in JOURNEY]
    assert [c.position for c in same] == sorted(c.position for c in same)


def test_plan_outcomes() -> None:
    approved = return_event(K.APPROVED, NOW - timedelta(hours=1))
    plan = _plan(approved)
    assert plan.outcome is AftersalesOutcome.NOTIFY
    assert plan.channels == (Channel.EMAIL,)
    later = change_of(return_event(K.RECEIVED, NOW)).position
    assert _plan(approved, latest=later).outcome is AftersalesOutcome.OLDER
    # The same step again (a re-publication planned already) is not older than itself.
    assert _plan(approved, latest=change_of(approved).position).outcome is AftersalesOutcome.NOTIFY
    stale = return_event(K.APPROVED, NOW - timedelta(hours=49))
    assert _plan(stale).outcome is AftersalesOutcome.STALE
    assert _plan(approved, None).outcome is AftersalesOutcome.NO_ORDER
    silent = Recipient(merchant_id="shop", order_number="1001", opt_email=False)
    assert _plan(approved, silent).outcome is AftersalesOutcome.NO_CHANNEL
    requested = return_event(K.REQUESTED, NOW)
    assert _plan(requested).outcome is AftersalesOutcome.MERCHANT_ONLY
    # A return is about the order, not one of its parcels: an inactive parcel does not matter.
    parcel_gone = Recipient(
        merchant_id="shop", order_number="1001", email="j@example.com", shipment_active=False
    )
    assert _plan(approved, parcel_gone).outcome is AftersalesOutcome.NOTIFY


def _render(event: AftersalesEvent, locale: str) -> dict[str, object]:
    renderer = AftersalesRenderer(Renderer().env)
    ctx = AftersalesContext(
        event=event,
        locale=locale,
        merchant_name="La Boutique",
        page_url="https://returns.example/orders/TOKEN/returns/R-7KQ2M9XA",
        unsubscribe_url="https://notify.example/v1/unsubscribe/U",
        name="Jeanne",
        timezone="Europe/Paris",
    )
    email = renderer.email(ctx)
    return {"subject": email.subject, "text": email.text, "html": email.html,
            "sms": renderer.sms(ctx), "push": renderer.push(ctx)}  # fmt: skip


@pytest.mark.parametrize("locale", ["en", "fr", "de", "es", "it", "nl"])
def test_every_told_change_has_words_and_the_page_link(locale: str) -> None:
    events: list[AftersalesEvent] = [
        e for e in return_journey(NOW, locale=locale) if change_of(e).shopper
    ]
    events += [return_event(k, NOW, locale=locale) for k in (K.REJECTED, K.REMINDER, K.EXPIRED)]
    events += [return_event(K.APPROVED, NOW, method=ReturnMethod.OWN_SHIPMENT, locale=locale)]
    events += [
        claim_event(ClaimEventKind.OPENED, NOW, locale=locale),
        claim_event(ClaimEventKind.MERCHANT_MESSAGE, NOW, messages=2, locale=locale),
    ]
    events += [claim_event(ClaimEventKind.RESOLVED, NOW, outcome=o, locale=locale)
               for o in ClaimOutcome]  # fmt: skip
    for event in events:
        out = _render(event, locale)
        assert change_of(event).number in str(out["subject"])
        assert "/orders/TOKEN/returns/R-7KQ2M9XA" in str(out["text"])
        assert "/orders/TOKEN/returns/R-7KQ2M9XA" in str(out["sms"])
        assert len(str(out["sms"])) <= 160 + 70  # merchant, headline, link: one short message
        assert "{" not in str(out["text"]) and "{" not in str(out["html"])


def test_what_to_do_next_says_the_amount_the_place_and_the_reason() -> None:
    refund = _render(return_journey(NOW)[-1], "fr")
    assert "39,90\u00a0€" in str(refund["text"])
    assert "39.90" in str(_render(return_journey(NOW)[-1], "en")["text"])
    dropped = _render(return_event(K.DROPPED_OFF, NOW), "en")
    assert "Lyon" in str(dropped["text"]) and "proof of deposit" in str(dropped["text"])
    label = _render(return_event(K.TRACKING_ATTACHED, NOW), "en")
    assert "Colissimo" in str(label["subject"]) + str(label["text"])
    rejected = _render(return_event(K.REJECTED, NOW), "fr")
    assert "Worn item" in str(rejected["text"])
    refused = _render(
        claim_event(ClaimEventKind.RESOLVED, NOW, outcome=ClaimOutcome.REJECTED), "en"
    )
    assert "not accepted" in str(refused["subject"]) and "no damage" in str(refused["text"])
    # HTML escapes what the merchant wrote.
    assert "<" not in str(_render(return_event(K.REJECTED, NOW), "en")["subject"])


@pytest.mark.parametrize(
    ("locale", "words"), [("en", "Drop it off by"), ("fr", "Déposez-le avant le")]
)
def test_a_return_waiting_to_be_dropped_off_says_by_when(locale: str, words: str) -> None:
    by = NOW + timedelta(days=14)
    for kind in (K.APPROVED, K.TRACKING_ATTACHED, K.REMINDER):
        event = return_event(kind, NOW, locale=locale).model_copy(update={"drop_off_by": by})
        out = _render(event, locale)
        assert words in str(out["text"]) and words in str(out["html"]), kind
        assert words in out["push"].body  # type: ignore[attr-defined]
    # Once dropped off (or without a deadline), nothing about it.
    assert words not in str(
        _render(return_event(K.DROPPED_OFF, NOW, locale=locale), locale)["text"]
    )
    assert words not in str(_render(return_event(K.APPROVED, NOW, locale=locale), locale)["text"])


def _record(
    revision: int, url: str, secret: str, key: str, events: tuple[str, ...]
) -> MerchantRecord:
    return MerchantRecord(
        merchant_id="shop", revision=revision, updated_at=NOW,
        branding=Branding(display_name="Boutique du Directory"),
        webhooks=(WebhookEndpoint(endpoint_id="ep1", url=url, events=events,
                                  sealed_secrets=(seal(key, secret, "shop:ep1"),)),),
    )  # fmt: skip


def test_merchant_book_directory_over_environment() -> None:
    key = "k" * 40
    env = {
        "shop": MerchantAlerts(webhook_url="https://env.example/h", webhook_secret=SecretStr("e"))
    }
    directory = MerchantDirectory()
    book = MerchantBook({"shop": "Env Shop"}, env, directory, SecretStr(key))
    assert book.name("shop") == "Env Shop"
    target = book.webhook("shop", "returns")
    assert target is not None and target.url == "https://env.example/h"
    directory.apply("shop", _record(1, "https://dir.example/h", "whsec_1", key, ("returns",)))
    assert book.name("shop") == "Boutique du Directory"
    target = book.webhook("shop", "returns")
    assert target is not None and target.url == "https://dir.example/h"
    assert [s.get_secret_value() for s in target.secrets] == ["whsec_1"]
    # Another family than the endpoint's: the environment's.
    assert (book.webhook("shop", "claims") or target).url == "https://env.example/h"
    # Sealed under another key: not usable, the environment's serves.
    other = MerchantBook({}, env, directory, SecretStr("x" * 40))
    assert (other.webhook("shop", "returns") or target).url == "https://env.example/h"
    # Not yet loaded: not ready (a missing target may be a console one not read yet).
    assert not book.ready and MerchantBook({}, {}).ready
    assert MerchantBook({}, {}).webhook("nobody", "alerts") is None


def test_aftersales_webhook_body_is_the_event_under_its_family() -> None:
    event = claim_event(ClaimEventKind.MERCHANT_MESSAGE, NOW, messages=2)
    document = json.loads(merchant_webhook.aftersales_body(event))
    assert document["type"] == "claim.merchant_message"
    assert document["merchant_id"] == "shop"
    assert document["claim"]["event_id"] == str(event.event_id)
    ret = json.loads(merchant_webhook.aftersales_body(return_journey(NOW)[-1]))
    assert ret["type"] == "return.refunded" and ret["return"]["resolution"]["amount"] == "39.90"


def test_templates_are_separate_files() -> None:
    env: Environment = Renderer().env
    for name in ("aftersales_email.txt.j2", "aftersales_email.html.j2", "aftersales_sms.txt.j2"):
        assert env.get_template(name) is not None
